import HTTPTypes
import Hummingbird

extension S3Service {
    /// Picks the operation from the method, whether a bucket and a key are addressed,
    /// and the subresource in the query (as S3 does).
    func route(_ request: S3Request, _ body: S3Body) async throws -> Response {
        guard let bucket = request.bucket else {
            guard request.method == .get else { throw S3Error.methodNotAllowed }
            return try listBuckets()
        }
        guard let key = request.key else { return try await bucketOperation(request, bucket: bucket, body) }
        return try await objectOperation(request, bucket: bucket, key: key, body)
    }

    /// Subresources answered with S3's "nothing configured" errors or empty defaults, so
    /// that clients probing them (s3cmd info, rclone, the minio SDK) get the answer an
    /// unconfigured AWS bucket gives.
    private static let unconfigured: [String: S3Error] = [
        "policy": S3Error(.notFound, "NoSuchBucketPolicy", "The bucket policy does not exist"),
        "cors": S3Error(.notFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
        "tagging": S3Error(.notFound, "NoSuchTagSet", "The TagSet does not exist"),
        "website": S3Error(.notFound, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
        "replication": S3Error(.notFound, "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
        "encryption": S3Error(
            .notFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"),
        "object-lock": S3Error(
            .notFound, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
    ]

    private func bucketOperation(_ request: S3Request, bucket: String, _ body: S3Body) async throws -> Response {
        switch request.method {
        case .get:
            if request.has("location") { return try bucketLocation(bucket) }
            if request.has("lifecycle") { return try bucketLifecycle(bucket) }
            if request.has("uploads") { return try listMultipartUploads(request, bucket: bucket) }
            if request.has("versions") { return try listObjectVersions(request, bucket: bucket) }
            if request.has("versioning") { return try bucketVersioning(bucket) }
            if request.has("acl") { return try accessControlPolicy(bucket: bucket, key: nil) }
            for (name, error) in Self.unconfigured where request.has(name) {
                _ = try store.headBucket(bucket)
                throw error
            }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            if request.parameter("list-type") == "2" { return try listObjectsV2(request, bucket: bucket) }
            return try listObjects(request, bucket: bucket)
        case .head:
            return try headBucket(bucket)
        case .put:
            if request.has("lifecycle") { return try await putBucketLifecycle(bucket, body) }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            return try await createBucket(bucket, body)
        case .delete:
            if request.has("lifecycle") { return try await deleteBucketLifecycle(bucket) }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            return try await deleteBucket(bucket)
        case .post:
            if request.has("delete") { return try await deleteObjects(request, bucket: bucket, body) }
            throw S3Error.methodNotAllowed
        default:
            throw S3Error.methodNotAllowed
        }
    }

    private func objectOperation(_ request: S3Request, bucket: String, key: String, _ body: S3Body) async throws -> Response {
        let uploadID = request.parameter("uploadId")
        switch request.method {
        case .get:
            if let uploadID { return try listParts(request, bucket: bucket, key: key, uploadID: uploadID) }
            if request.has("acl") { return try accessControlPolicy(bucket: bucket, key: key) }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            return try getObject(request, bucket: bucket, key: key, head: false)
        case .head:
            return try getObject(request, bucket: bucket, key: key, head: true)
        case .put:
            if let uploadID {
                if request.header("x-amz-copy-source") != nil {
                    return try await uploadPartCopy(request, bucket: bucket, key: key, uploadID: uploadID)
                }
                return try await uploadPart(request, bucket: bucket, key: key, uploadID: uploadID, body)
            }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            if request.header("x-amz-copy-source") != nil { return try await copyObject(request, bucket: bucket, key: key) }
            return try await putObject(request, bucket: bucket, key: key, body)
        case .delete:
            if let uploadID { return try await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }
            if let unknown = Self.unsupportedSubresource(request) { throw S3Error.notImplemented(unknown) }
            return try await deleteObject(bucket: bucket, key: key)
        case .post:
            if request.has("uploads") { return try await createMultipartUpload(request, bucket: bucket, key: key) }
            if let uploadID { return try await completeMultipartUpload(request, bucket: bucket, key: key, uploadID: uploadID, body) }
            throw S3Error.methodNotAllowed
        default:
            throw S3Error.methodNotAllowed
        }
    }

    /// Subresources that change what an operation means and that Divan does not
    /// implement: answering them as a plain GET or PUT would be wrong.
    private static let unsupported = [
        "acl", "policy", "cors", "tagging", "website", "replication", "encryption", "object-lock", "versioning",
        "notification", "logging", "accelerate", "requestPayment", "inventory", "metrics", "analytics",
        "intelligent-tiering", "ownershipControls", "publicAccessBlock", "retention", "legal-hold", "restore", "select",
        "torrent", "attributes", "partNumber",
    ]

    private static func unsupportedSubresource(_ request: S3Request) -> String? {
        unsupported.first { request.has($0) }
    }
}
