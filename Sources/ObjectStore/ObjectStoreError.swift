/// An error of the object store. It carries no HTTP status: the S3 layer maps each
/// `Code` to S3's XML error and status. Codes and their raw values are S3's.
public struct ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case noSuchBucket = "NoSuchBucket"
        case noSuchKey = "NoSuchKey"
        case noSuchUpload = "NoSuchUpload"
        case bucketNotEmpty = "BucketNotEmpty"
        case bucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
        case invalidBucketName = "InvalidBucketName"
        case invalidRange = "InvalidRange"
        case invalidPart = "InvalidPart"
        case invalidPartOrder = "InvalidPartOrder"
        case entityTooSmall = "EntityTooSmall"
        case entityTooLarge = "EntityTooLarge"
        /// Content-MD5 or an `x-amz-checksum-*` value does not match the body.
        case badDigest = "BadDigest"
        /// Content-MD5 is not 16 bytes.
        case invalidDigest = "InvalidDigest"
        /// `x-amz-content-sha256` does not match the body (S3's own code for it).
        case contentSHA256Mismatch = "XAmzContentSHA256Mismatch"
        /// The body ended before (or ran past) the announced Content-Length.
        case incompleteBody = "IncompleteBody"
        case invalidArgument = "InvalidArgument"
        case invalidRequest = "InvalidRequest"
        /// CompleteMultipartUpload named no parts (S3 answers MalformedXML).
        case malformedXML = "MalformedXML"
        case keyTooLong = "KeyTooLongError"
        case internalError = "InternalError"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func noSuchBucket(_ name: String) -> ObjectStoreError {
        ObjectStoreError(.noSuchBucket, "The specified bucket does not exist: \(name)")
    }

    static let noSuchKey = ObjectStoreError(.noSuchKey, "The specified key does not exist.")

    static let noSuchUpload = ObjectStoreError(
        .noSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")

    static func corrupt(_ what: String) -> ObjectStoreError {
        ObjectStoreError(.internalError, "corrupt metadata: \(what)")
    }
}
