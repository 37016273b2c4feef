import Hummingbird
import ObjectStore

extension S3Service {
    /// ListParts.
    func listParts(_ request: S3Request, bucket: String, key: String, uploadID: String) throws -> Response {
        let maxParts = min(try request.integer("max-parts") ?? 1000, 1000)
        let marker = try request.integer("part-number-marker") ?? 0
        let listing = try store.listParts(
            bucket: bucket, key: key, uploadID: try UploadID.parse(uploadID), partNumberMarker: marker, maxParts: maxParts)
        var xml = XMLWriter()
        xml.open("ListPartsResult")
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", uploadID)
        writeInitiator(&xml)
        writeOwner(&xml)
        xml.element("StorageClass", "STANDARD")
        xml.element("PartNumberMarker", marker)
        if let next = listing.nextPartNumberMarker { xml.element("NextPartNumberMarker", next) }
        xml.element("MaxParts", maxParts)
        xml.element("IsTruncated", listing.isTruncated)
        if let algorithm = listing.upload.checksumAlgorithm {
            xml.element("ChecksumAlgorithm", algorithm.rawValue)
            xml.element("ChecksumType", ChecksumType.composite.rawValue)
        }
        for part in listing.parts {
            xml.element("Part") { xml in
                xml.element("PartNumber", part.partNumber)
                xml.element("LastModified", HTTPDate.iso8601(part.lastModified))
                xml.element("ETag", part.etag)
                xml.element("Size", part.size)
                ObjectHeaders.writeChecksums(part.checksums, &xml, type: false)
            }
        }
        xml.close("ListPartsResult")
        return Self.xml(xml)
    }

    /// ListMultipartUploads.
    func listMultipartUploads(_ request: S3Request, bucket: String) throws -> Response {
        let encodeKeys = try Self.urlEncoding(request)
        let maxUploads = min(try request.integer("max-uploads") ?? 1000, 1000)
        let prefix = request.parameter("prefix") ?? ""
        let delimiter = request.parameter("delimiter")
        let keyMarker = request.parameter("key-marker")
        let uploadIDMarker = request.parameter("upload-id-marker")
        let listing = try store.listMultipartUploads(
            bucket: bucket, prefix: prefix, delimiter: delimiter, keyMarker: keyMarker, uploadIDMarker: uploadIDMarker,
            maxUploads: maxUploads)
        let encode = { (text: String) in encodeKeys ? URIEncoding.encode(text, keepSlash: true) : text }
        var xml = XMLWriter()
        xml.open("ListMultipartUploadsResult")
        xml.element("Bucket", bucket)
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("UploadIdMarker", uploadIDMarker ?? "")
        if let next = listing.nextKeyMarker { xml.element("NextKeyMarker", encode(next)) }
        if let next = listing.nextUploadIDMarker { xml.element("NextUploadIdMarker", next) }
        xml.element("Prefix", encode(prefix))
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        xml.element("MaxUploads", maxUploads)
        if encodeKeys { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", listing.isTruncated)
        for upload in listing.uploads {
            xml.element("Upload") { xml in
                xml.element("Key", encode(upload.key))
                xml.element("UploadId", upload.uploadID.description)
                writeInitiator(&xml)
                writeOwner(&xml)
                xml.element("StorageClass", "STANDARD")
                xml.element("Initiated", HTTPDate.iso8601(upload.initiated))
                xml.optional("ChecksumAlgorithm", upload.checksumAlgorithm?.rawValue)
            }
        }
        for prefix in listing.commonPrefixes {
            xml.element("CommonPrefixes") { xml in xml.element("Prefix", encode(prefix)) }
        }
        xml.close("ListMultipartUploadsResult")
        return Self.xml(xml)
    }

    /// The `<Initiator>` of uploads: the owner, who is everyone.
    func writeInitiator(_ xml: inout XMLWriter) {
        xml.element("Initiator") { xml in
            xml.element("ID", owner.id)
            xml.element("DisplayName", owner.displayName)
        }
    }

    /// Whether `encoding-type=url` asks for URL-encoded keys.
    /// - Throws: `InvalidArgument` for another encoding.
    static func urlEncoding(_ request: S3Request) throws(S3Error) -> Bool {
        guard let encoding = request.parameter("encoding-type") else { return false }
        guard encoding.lowercased() == "url" else { throw .invalidArgument("Invalid Encoding Method specified in Request") }
        return true
    }
}
