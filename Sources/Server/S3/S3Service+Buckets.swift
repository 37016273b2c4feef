import HTTPTypes
import Hummingbird
import ObjectStore

extension S3Service {
    /// ListBuckets.
    func listBuckets() throws -> Response {
        var xml = XMLWriter()
        xml.open("ListAllMyBucketsResult")
        writeOwner(&xml)
        xml.element("Buckets") { xml in
            for bucket in (try? store.listBuckets()) ?? [] {
                xml.element("Bucket") { xml in
                    xml.element("Name", bucket.name)
                    xml.element("CreationDate", HTTPDate.iso8601(bucket.creationDate))
                }
            }
        }
        xml.close("ListAllMyBucketsResult")
        return Self.xml(xml)
    }

    /// CreateBucket; an optional `CreateBucketConfiguration` body must be well formed.
    func createBucket(_ bucket: String, _ body: S3Body) async throws -> Response {
        if body.contentLength != 0 {
            let bytes = try await body.collect(limit: Self.maximumXMLBody)
            if !bytes.isEmpty, try XMLReader.parse(bytes).name != "CreateBucketConfiguration" { throw S3Error.malformedXML }
        }
        try await store.createBucket(bucket)
        return Self.empty(headers: [.location: "/\(bucket)"])
    }

    /// DeleteBucket: 204, or BucketNotEmpty.
    func deleteBucket(_ bucket: String) async throws -> Response {
        try await store.deleteBucket(bucket)
        return Self.empty(.noContent)
    }

    /// HeadBucket: 200 with the region, or 404 without a body.
    func headBucket(_ bucket: String) throws -> Response {
        _ = try store.headBucket(bucket)
        return Self.empty(headers: [Self.bucketRegionHeader: configuration.s3Region])
    }

    /// HeadBucket's `x-amz-bucket-region`, which SDKs use to pick the region.
    static let bucketRegionHeader = HTTPField.Name("x-amz-bucket-region")!

    /// GetBucketLocation: empty for us-east-1, as S3 answers.
    func bucketLocation(_ bucket: String) throws -> Response {
        _ = try store.headBucket(bucket)
        var xml = XMLWriter()
        let region = configuration.s3Region == "us-east-1" ? "" : configuration.s3Region
        xml.open("LocationConstraint")
        xml.append(region)
        xml.close("LocationConstraint")
        return Self.xml(xml)
    }

    /// GetBucketVersioning: never enabled (an empty configuration, as S3 answers for a
    /// bucket whose versioning was never set).
    func bucketVersioning(_ bucket: String) throws -> Response {
        _ = try store.headBucket(bucket)
        var xml = XMLWriter()
        xml.open("VersioningConfiguration")
        xml.close("VersioningConfiguration")
        return Self.xml(xml)
    }

    /// GetBucketAcl / GetObjectAcl: the owner has FULL_CONTROL, the only policy there is.
    func accessControlPolicy(bucket: String, key: String?) throws -> Response {
        if let key { _ = try store.headObject(bucket: bucket, key: key) } else { _ = try store.headBucket(bucket) }
        var xml = XMLWriter()
        xml.open("AccessControlPolicy")
        writeOwner(&xml)
        xml.element("AccessControlList") { xml in
            xml.append("<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">", raw: true)
            xml.element("ID", owner.id)
            xml.element("DisplayName", owner.displayName)
            xml.append("</Grantee><Permission>FULL_CONTROL</Permission></Grant>", raw: true)
        }
        xml.close("AccessControlPolicy")
        return Self.xml(xml)
    }

    /// The `<Owner>` element of buckets, objects and uploads.
    func writeOwner(_ xml: inout XMLWriter) {
        xml.element("Owner") { xml in
            xml.element("ID", owner.id)
            xml.element("DisplayName", owner.displayName)
        }
    }
}
