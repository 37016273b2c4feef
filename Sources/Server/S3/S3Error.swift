import HTTPTypes
import ObjectStore

/// An error answered in S3's form: a status and `<Error><Code>…</Code><Message>…</Message>
/// <Resource>…</Resource><RequestId>…</RequestId></Error>` (no body for HEAD and 304).
///
/// Codes and statuses are Amazon S3's; `ObjectStoreError`s map through `init(_:)`.
struct S3Error: Error, Sendable {
    /// S3's error code (`NoSuchKey`, ...), the XML `Code`.
    let code: String
    /// Human-readable; S3's wording where it has one.
    let message: String
    /// The HTTP status S3 answers this code with.
    let status: HTTPResponse.Status
    /// More elements of the XML body (e.g. `StringToSign` for SignatureDoesNotMatch).
    var details: [(name: String, value: String)] = []
    /// Headers the answer carries (e.g. `ETag` on 304, `Content-Range` on 416).
    var headers: HTTPFields = [:]

    /// An error with S3's status, code and message.
    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// S3's answer for a storage error.
    init(_ error: ObjectStoreError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .noSuchBucket, .noSuchKey, .noSuchUpload: .notFound
            case .bucketNotEmpty, .bucketAlreadyOwnedByYou: .conflict
            case .invalidRange: .rangeNotSatisfiable
            case .internalError: .internalServerError
            case .invalidBucketName, .invalidPart, .invalidPartOrder, .entityTooSmall, .entityTooLarge, .badDigest,
                .invalidDigest, .contentSHA256Mismatch, .incompleteBody, .invalidArgument, .invalidRequest, .malformedXML,
                .keyTooLong:
                .badRequest
            }
        self.init(status, error.code.rawValue, error.message)
    }

    /// The errors the S3 layer raises itself, with S3's statuses and messages.
    static let accessDenied = S3Error(.forbidden, "AccessDenied", "Access Denied")
    static let invalidAccessKeyId = S3Error(
        .forbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    static let signatureDoesNotMatch = S3Error(
        .forbidden, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
    static let requestTimeTooSkewed = S3Error(
        .forbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
    static let malformedXML = S3Error(
        .badRequest, "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema.")
    static let preconditionFailed = S3Error(
        .preconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
    static let notModified = S3Error(.notModified, "NotModified", "Not Modified")
    static let methodNotAllowed = S3Error(
        .methodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    static let noSuchLifecycleConfiguration = S3Error(
        .notFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist.")
    static let contentSHA256Mismatch = S3Error(
        .badRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
    static let incompleteBody = S3Error(
        .badRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
    static let badDigest = S3Error(.badRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    static let invalidDigest = S3Error(.badRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")

    /// Errors whose message depends on what was wrong.
    static func invalidArgument(_ message: String) -> S3Error { S3Error(.badRequest, "InvalidArgument", message) }
    static func invalidRequest(_ message: String) -> S3Error { S3Error(.badRequest, "InvalidRequest", message) }
    static func authorizationHeaderMalformed(_ message: String) -> S3Error {
        S3Error(.badRequest, "AuthorizationHeaderMalformed", message)
    }
    static func authorizationQueryParametersError(_ message: String) -> S3Error {
        S3Error(.badRequest, "AuthorizationQueryParametersError", message)
    }
    static func notImplemented(_ what: String) -> S3Error {
        S3Error(.notImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented: \(what)")
    }

    /// The XML body for a request to `resource` with id `requestID`.
    func body(resource: String, requestID: String) -> String {
        var xml = XMLWriter()
        xml.open("Error", namespace: false)
        xml.element("Code", code)
        xml.element("Message", message)
        for detail in details { xml.element(detail.name, detail.value) }
        xml.element("Resource", resource)
        xml.element("RequestId", requestID)
        xml.close("Error")
        return xml.text
    }
}
