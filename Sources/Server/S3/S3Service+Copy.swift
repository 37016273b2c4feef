import HTTPTypes
import Hummingbird
import ObjectStore

extension S3Service {
    /// CopyObject: shares the source's chunks (no bytes copied); the metadata directive
    /// picks the source's metadata (COPY) or the request's (REPLACE); the copy-source
    /// conditions are checked in the same transaction that copies.
    func copyObject(_ request: S3Request, bucket: String, key: String) async throws -> Response {
        let source = try Self.copySource(request)
        let directive: MetadataDirective
        switch request.header("x-amz-metadata-directive")?.uppercased() ?? "COPY" {
        case "COPY": directive = .copy
        case "REPLACE": directive = .replace(try ObjectHeaders.metadata(request))
        default: throw S3Error.invalidArgument("Unknown metadata directive.")
        }
        let result = try await store.copyObject(
            sourceBucket: source.bucket, sourceKey: source.key, bucket: bucket, key: key, metadataDirective: directive,
            precondition: { info in try ObjectHeaders.checkCopySource(request, info) })
        var xml = XMLWriter()
        xml.open("CopyObjectResult")
        xml.element("LastModified", HTTPDate.iso8601(result.lastModified))
        xml.element("ETag", result.etag)
        ObjectHeaders.writeChecksums(result.checksums, &xml)
        xml.close("CopyObjectResult")
        return Self.xml(xml)
    }

    /// UploadPartCopy: a part from a range (`x-amz-copy-source-range`) of an object.
    func uploadPartCopy(_ request: S3Request, bucket: String, key: String, uploadID: String) async throws -> Response {
        let source = try Self.copySource(request)
        let partNumber = try Self.partNumber(request)
        var range: ByteRange?
        if let text = request.header("x-amz-copy-source-range") {
            guard case .bounded(let first, let last)? = ObjectHeaders.range(text) else {
                throw S3Error.invalidArgument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
            }
            range = .bounded(first: first, last: last)
        }
        let requested = range
        let result = try await store.uploadPartCopy(
            bucket: bucket, key: key, uploadID: try UploadID.parse(uploadID), partNumber: partNumber,
            sourceBucket: source.bucket, sourceKey: source.key, range: range,
            precondition: { info in
                try ObjectHeaders.checkCopySource(request, info)
                if case .bounded(_, let last)? = requested, last >= info.size {
                    throw S3Error(.rangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
                }
            })
        var xml = XMLWriter()
        xml.open("CopyPartResult")
        xml.element("LastModified", HTTPDate.iso8601(result.lastModified))
        xml.element("ETag", result.etag)
        ObjectHeaders.writeChecksums(result.checksums, &xml, type: false)
        xml.close("CopyPartResult")
        return Self.xml(xml)
    }

    /// The bucket and key of `x-amz-copy-source` (`[/]bucket/key[?versionId=null]`,
    /// URL-encoded). Only the `null` version exists: buckets are unversioned.
    /// - Throws: `InvalidArgument` for a malformed value, `NoSuchVersion` for another version.
    static func copySource(_ request: S3Request) throws(S3Error) -> (bucket: String, key: String) {
        guard let header = request.header("x-amz-copy-source") else { throw .invalidArgument("Copy Source must be given.") }
        let (path, query) = S3Request.split(header)
        for pair in query.split(separator: "&") where pair.hasPrefix("versionId=") {
            guard pair.dropFirst("versionId=".count) == "null" else {
                throw S3Error(.notFound, "NoSuchVersion", "The specified version does not exist.")
            }
        }
        guard let text = URIEncoding.decode(path) else {
            throw .invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
        }
        var decoded = Substring(text)
        if decoded.hasPrefix("/") { decoded = decoded.dropFirst() }
        guard let slash = decoded.firstIndex(of: "/"), slash != decoded.startIndex, decoded.index(after: slash) != decoded.endIndex else {
            throw .invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
        }
        return (String(decoded[..<slash]), String(decoded[decoded.index(after: slash)...]))
    }

    /// The `partNumber` parameter.
    /// - Throws: `InvalidArgument` when missing or not an integer in 1…10000.
    static func partNumber(_ request: S3Request) throws(S3Error) -> Int {
        guard let text = request.parameter("partNumber"), let number = Int(text), ObjectStore.partNumbers.contains(number) else {
            throw .invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        return number
    }
}
