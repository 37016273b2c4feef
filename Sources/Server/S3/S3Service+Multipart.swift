import HTTPTypes
import Hummingbird
import ObjectStore

extension S3Service {
    /// CreateMultipartUpload. A checksum algorithm (`x-amz-checksum-algorithm`) makes
    /// every part compute it and the object carry S3's composite checksum.
    func createMultipartUpload(_ request: S3Request, bucket: String, key: String) async throws -> Response {
        let metadata = try ObjectHeaders.metadata(request)
        var algorithm: ChecksumAlgorithm?
        if let name = request.header("x-amz-checksum-algorithm") {
            guard let parsed = ChecksumAlgorithm(rawValue: name.uppercased()) else {
                throw S3Error.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]")
            }
            algorithm = parsed
        }
        if let type = request.header("x-amz-checksum-type"), type.uppercased() != "COMPOSITE" {
            throw S3Error.notImplemented("x-amz-checksum-type \(type) (multipart objects carry composite checksums)")
        }
        let uploadID = try await store.createMultipartUpload(bucket: bucket, key: key, metadata: metadata, checksumAlgorithm: algorithm)
        var xml = XMLWriter()
        xml.open("InitiateMultipartUploadResult")
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", uploadID.description)
        xml.close("InitiateMultipartUploadResult")
        var headers: HTTPFields = [:]
        if let algorithm, let name = HTTPField.Name("x-amz-checksum-algorithm"), let type = HTTPField.Name("x-amz-checksum-type") {
            headers[name] = algorithm.rawValue
            headers[type] = ChecksumType.composite.rawValue
        }
        return Self.xml(xml, headers: headers)
    }

    /// UploadPart: streamed and verified like PutObject.
    func uploadPart(_ request: S3Request, bucket: String, key: String, uploadID: String, _ body: S3Body) async throws -> Response {
        let partNumber = try Self.partNumber(request)
        let result = try await store.uploadPart(
            bucket: bucket, key: key, uploadID: try UploadID.parse(uploadID), partNumber: partNumber, body: body,
            contentLength: body.contentLength, expectedMD5: body.expectedMD5, expectedSHA256: body.expectedSHA256,
            checksums: try body.checksumRequest(request))
        var headers: HTTPFields = [.eTag: result.etag]
        ObjectHeaders.addChecksums(result.checksums, to: &headers)
        headers[HTTPField.Name("x-amz-checksum-type")!] = nil  // a part has no checksum type
        return Self.empty(headers: headers)
    }

    /// CompleteMultipartUpload. Completing a completed upload again answers the first
    /// completion's result (a client retrying after a lost response), as AWS does.
    func completeMultipartUpload(
        _ request: S3Request, bucket: String, key: String, uploadID: String, _ body: S3Body
    ) async throws -> Response {
        let id = try UploadID.parse(uploadID)
        let document = try await self.document(body)
        guard document.name == "CompleteMultipartUpload" else { throw S3Error.malformedXML }
        let parts = try document.children("Part").map { part throws(S3Error) -> CompletedPart in
            guard let numberText = part.value("PartNumber"), let number = Int(numberText.trimmingCharacters(in: .whitespaces)),
                let etag = part.value("ETag")
            else { throw .malformedXML }
            var checksums = Checksums()
            for algorithm in ChecksumAlgorithm.allCases {
                checksums[algorithm] = part.value("Checksum\(algorithm.rawValue)")?.trimmingCharacters(in: .whitespaces)
            }
            return CompletedPart(partNumber: number, etag: etag.trimmingCharacters(in: .whitespaces), checksums: checksums)
        }
        let result = try await store.completeMultipartUpload(bucket: bucket, key: key, uploadID: id, parts: parts)
        var xml = XMLWriter()
        xml.open("CompleteMultipartUploadResult")
        let host = request.head.authority ?? "localhost"
        xml.element("Location", "http://\(host)/\(URIEncoding.encode(bucket))/\(URIEncoding.encode(key, keepSlash: true))")
        xml.element("Bucket", bucket)
        xml.element("Key", result.key)
        xml.element("ETag", result.etag)
        ObjectHeaders.writeChecksums(result.checksums, &xml)
        xml.close("CompleteMultipartUploadResult")
        return Self.xml(xml)
    }

    /// AbortMultipartUpload: 204.
    func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws -> Response {
        try await store.abortMultipartUpload(bucket: bucket, key: key, uploadID: try UploadID.parse(uploadID))
        return Self.empty(.noContent)
    }
}
