import Foundation
import Hummingbird
import ObjectStore

extension S3Service {
    /// The parameters every listing shares.
    private struct ListingQuery {
        let prefix: String
        let delimiter: String?
        let maxKeys: Int
        let encode: Bool

        /// - Throws: `InvalidArgument` for a bad `max-keys` or `encoding-type`.
        init(_ request: S3Request) throws(S3Error) {
            prefix = request.parameter("prefix") ?? ""
            delimiter = request.parameter("delimiter").flatMap { $0.isEmpty ? nil : $0 }
            // S3 answers at most 1000 keys whatever max-keys asks for.
            maxKeys = min(try request.integer("max-keys") ?? 1000, 1000)
            encode = try S3Service.urlEncoding(request)
        }

        /// A key or prefix as the listing writes it (URL-encoded with `encoding-type=url`).
        func text(_ value: String) -> String { encode ? URIEncoding.encode(value, keepSlash: true) : value }

        /// Prefix, Delimiter, MaxKeys, EncodingType and IsTruncated.
        func writeCommon(_ xml: inout XMLWriter, _ listing: ObjectListing) {
            xml.element("Prefix", text(prefix))
            if let delimiter { xml.element("Delimiter", text(delimiter)) }
            xml.element("MaxKeys", maxKeys)
            if encode { xml.element("EncodingType", "url") }
            xml.element("IsTruncated", listing.isTruncated)
        }

        /// One `CommonPrefixes` element per rolled-up prefix.
        func writePrefixes(_ xml: inout XMLWriter, _ listing: ObjectListing) {
            for prefix in listing.commonPrefixes {
                xml.element("CommonPrefixes") { xml in xml.element("Prefix", text(prefix)) }
            }
        }
    }

    private func writeSummary(_ object: ObjectSummary, _ xml: inout XMLWriter, key: String, owner includeOwner: Bool) {
        xml.element("Key", key)
        xml.element("LastModified", HTTPDate.iso8601(object.lastModified))
        xml.element("ETag", object.etag)
        xml.element("Size", object.size)
        if includeOwner { writeOwner(&xml) }
        xml.element("StorageClass", "STANDARD")
    }

    /// ListObjects (version 1): `marker` in, `Marker` always echoed, `NextMarker` when truncated.
    func listObjects(_ request: S3Request, bucket: String) throws -> Response {
        let query = try ListingQuery(request)
        let marker = request.parameter("marker") ?? ""
        let listing = try store.listObjects(
            bucket: bucket, prefix: query.prefix, delimiter: query.delimiter, startAfter: marker.isEmpty ? nil : marker,
            maxKeys: query.maxKeys)
        var xml = XMLWriter()
        xml.open("ListBucketResult")
        xml.element("Name", bucket)
        xml.element("Marker", query.text(marker))
        if let next = listing.nextMarker { xml.element("NextMarker", query.text(next)) }
        query.writeCommon(&xml, listing)
        for object in listing.objects {
            xml.element("Contents") { xml in writeSummary(object, &xml, key: query.text(object.key), owner: true) }
        }
        query.writePrefixes(&xml, listing)
        xml.close("ListBucketResult")
        return Self.xml(xml)
    }

    /// ListObjectsV2: an opaque continuation token (the last key or prefix of the page,
    /// base64), `start-after`, `fetch-owner`, `KeyCount`.
    func listObjectsV2(_ request: S3Request, bucket: String) throws -> Response {
        let query = try ListingQuery(request)
        let token = request.parameter("continuation-token")
        let startAfter = request.parameter("start-after")
        var after = startAfter.flatMap { $0.isEmpty ? nil : $0 }
        if let token {
            guard let data = Data(base64Encoded: token), let marker = String(data: data, encoding: .utf8) else {
                throw S3Error.invalidArgument("The continuation token provided is incorrect")
            }
            after = marker
        }
        let listing = try store.listObjects(
            bucket: bucket, prefix: query.prefix, delimiter: query.delimiter, startAfter: after, maxKeys: query.maxKeys)
        let fetchOwner = request.parameter("fetch-owner")?.lowercased() == "true"
        var xml = XMLWriter()
        xml.open("ListBucketResult")
        xml.element("Name", bucket)
        query.writeCommon(&xml, listing)
        xml.element("KeyCount", listing.objects.count + listing.commonPrefixes.count)
        if let token { xml.element("ContinuationToken", token) }
        if let next = listing.nextMarker { xml.element("NextContinuationToken", Data(next.utf8).base64EncodedString()) }
        if let startAfter { xml.element("StartAfter", query.text(startAfter)) }
        for object in listing.objects {
            xml.element("Contents") { xml in writeSummary(object, &xml, key: query.text(object.key), owner: fetchOwner) }
        }
        query.writePrefixes(&xml, listing)
        xml.close("ListBucketResult")
        return Self.xml(xml)
    }

    /// ListObjectVersions for unversioned buckets, as S3 answers it: each object is its
    /// only version, with version id `null` and `IsLatest` true.
    func listObjectVersions(_ request: S3Request, bucket: String) throws -> Response {
        let query = try ListingQuery(request)
        let keyMarker = request.parameter("key-marker") ?? ""
        let versionMarker = request.parameter("version-id-marker") ?? ""
        let listing = try store.listObjects(
            bucket: bucket, prefix: query.prefix, delimiter: query.delimiter, startAfter: keyMarker.isEmpty ? nil : keyMarker,
            maxKeys: query.maxKeys)
        var xml = XMLWriter()
        xml.open("ListVersionsResult")
        xml.element("Name", bucket)
        xml.element("KeyMarker", query.text(keyMarker))
        xml.element("VersionIdMarker", versionMarker)
        if let next = listing.nextMarker {
            xml.element("NextKeyMarker", query.text(next))
            xml.element("NextVersionIdMarker", "null")
        }
        query.writeCommon(&xml, listing)
        for object in listing.objects {
            xml.element("Version") { xml in
                xml.element("Key", query.text(object.key))
                xml.element("VersionId", "null")
                xml.element("IsLatest", true)
                xml.element("LastModified", HTTPDate.iso8601(object.lastModified))
                xml.element("ETag", object.etag)
                xml.element("Size", object.size)
                writeOwner(&xml)
                xml.element("StorageClass", "STANDARD")
            }
        }
        query.writePrefixes(&xml, listing)
        xml.close("ListVersionsResult")
        return Self.xml(xml)
    }
}
