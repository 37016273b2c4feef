import Crypto
import Foundation
import HTTPTypes

/// How the body of an authenticated request is protected (`x-amz-content-sha256`).
enum PayloadMode: Sendable, Equatable {
    /// `UNSIGNED-PAYLOAD` (and every presigned URL).
    case unsigned
    /// A hex SHA-256 the body must match.
    case sha256([UInt8])
    /// `aws-chunked`: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` (signed chunks) or
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    case streaming(signed: Bool, trailer: Bool)
}

/// What a chunk signature chain starts from: the request's seed signature and scope.
struct SigningContext: Sendable {
    /// The signing key of the request's scope.
    let key: SymmetricKey
    let timestamp: String
    let scope: String
    /// The request's own signature, which the first chunk's signature chains from.
    let seedSignature: String
}

/// The outcome of authentication: who signed, and how the body is to be checked.
struct S3Authorization: Sendable {
    /// The key pair that signed.
    let accessKey: String
    let payload: PayloadMode
    /// What chunk signatures chain from (Signature Version 4 only).
    let signing: SigningContext?
}

/// Verifies AWS Signature Version 4 in the `Authorization` header or in presigned
/// query parameters against the configured key pairs. Anonymous requests are refused.
/// Signatures never appear in errors or logs.
struct S3Authenticator: Sendable {
    /// Secret keys by access key.
    let secrets: [String: String]
    /// The clock skew S3 tolerates (15 minutes).
    static let maximumSkew: TimeInterval = 15 * 60
    /// The longest validity of a presigned URL (7 days).
    static let maximumExpiry = 604_800

    /// Accepts any of `credentials` (a later pair with the same access key wins).
    init(credentials: [ServerConfiguration.S3Credentials]) {
        var secrets: [String: String] = [:]
        for pair in credentials { secrets[pair.accessKey] = pair.secretKey }
        self.secrets = secrets
    }

    /// Authenticates `request` at `now`.
    /// - Throws: `AccessDenied` (anonymous, expired URL), `InvalidAccessKeyId`,
    ///   `SignatureDoesNotMatch`, `RequestTimeTooSkewed`, `AuthorizationHeaderMalformed`,
    ///   `AuthorizationQueryParametersError`, `InvalidRequest`, `InvalidArgument`.
    func authenticate(_ request: S3Request, now: Date = Date()) throws(S3Error) -> S3Authorization {
        if let header = request.header(.authorization) {
            return try authenticateHeader(header, request, now: now)
        }
        if request.has("X-Amz-Algorithm") || request.has("X-Amz-Signature") {
            return try authenticatePresigned(request, now: now)
        }
        if request.has("AWSAccessKeyId"), request.has("Signature") {
            return try authenticateVersion2Query(request, now: now)
        }
        throw .accessDenied
    }

    private func authenticateHeader(_ header: String, _ request: S3Request, now: Date) throws(S3Error) -> S3Authorization {
        guard header.hasPrefix(SigV4.algorithm + " ") else {
            if header.hasPrefix("AWS ") { return try authenticateVersion2Header(header, request, now: now) }
            throw .authorizationHeaderMalformed("The authorization header is malformed; it must begin with AWS4-HMAC-SHA256.")
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst(SigV4.algorithm.count + 1).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            fields[pair[0].trimmingCharacters(in: .whitespaces)] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw .authorizationHeaderMalformed("The authorization header is malformed; it must name Credential, SignedHeaders and Signature.")
        }
        guard let timestamp = request.header("x-amz-date") ?? request.header(.date) else {
            throw S3Error(.forbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        }
        let date: Date
        if let parsed = HTTPDate.parseAmzDate(timestamp) {
            date = parsed
        } else if let parsed = HTTPDate.parse(timestamp) {
            date = parsed
        } else {
            throw S3Error(.forbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        }
        guard abs(date.timeIntervalSince(now)) <= Self.maximumSkew else { throw .requestTimeTooSkewed }
        guard let hashed = request.header("x-amz-content-sha256") else {
            throw .invalidRequest("Missing required header for this request: x-amz-content-sha256")
        }
        let payload = try Self.payloadMode(hashed)
        let scope = try self.scope(credential, timestamp: HTTPDate.amzTimestamp(date), malformed: S3Error.authorizationHeaderMalformed)
        let signedHeaders = signed.lowercased().split(separator: ";").map(String.init)
        try Self.checkSignedHeaders(signedHeaders, request, requireAmzHeaders: true)
        let signing = try verify(
            request, scope: scope, signedHeaders: signedHeaders, query: request.query, payloadHash: hashed,
            signature: signature)
        return S3Authorization(accessKey: scope.accessKey, payload: payload, signing: signing)
    }

    private func authenticatePresigned(_ request: S3Request, now: Date) throws(S3Error) -> S3Authorization {
        guard request.parameter("X-Amz-Algorithm") == SigV4.algorithm else {
            throw .authorizationQueryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        guard let credential = request.parameter("X-Amz-Credential"), let timestamp = request.parameter("X-Amz-Date"),
            let expiresText = request.parameter("X-Amz-Expires"), let signed = request.parameter("X-Amz-SignedHeaders"),
            let signature = request.parameter("X-Amz-Signature")
        else {
            throw .authorizationQueryParametersError(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        guard let date = HTTPDate.parseAmzDate(timestamp) else {
            throw .authorizationQueryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard let expires = Int(expiresText), (1...Self.maximumExpiry).contains(expires) else {
            throw .authorizationQueryParametersError("X-Amz-Expires must be a number between 1 and 604800 seconds")
        }
        guard date.timeIntervalSince(now) <= Self.maximumSkew else {
            throw S3Error(.forbidden, "AccessDenied", "Request is not valid yet")
        }
        guard now.timeIntervalSince(date) <= Double(expires) else {
            throw S3Error(.forbidden, "AccessDenied", "Request has expired")
        }
        let scope = try self.scope(credential, timestamp: timestamp, malformed: S3Error.authorizationQueryParametersError)
        let signedHeaders = signed.lowercased().split(separator: ";").map(String.init)
        try Self.checkSignedHeaders(signedHeaders, request, requireAmzHeaders: false)
        let query = request.query.filter { $0.name != "X-Amz-Signature" }
        let signing = try verify(
            request, scope: scope, signedHeaders: signedHeaders, query: query, payloadHash: "UNSIGNED-PAYLOAD",
            signature: signature)
        return S3Authorization(accessKey: scope.accessKey, payload: .unsigned, signing: signing)
    }

    /// The parts of a credential `AKID/yyyyMMdd/region/s3/aws4_request`.
    private struct Scope {
        let accessKey: String
        let secret: String
        let date: String
        let region: String
        let timestamp: String
        var text: String { "\(date)/\(region)/s3/aws4_request" }
    }

    private func scope(_ credential: String, timestamp: String, malformed: (String) -> S3Error) throws(S3Error) -> Scope {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", parts[3] == "s3", !parts[2].isEmpty else {
            throw malformed("The credential is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/s3/aws4_request\".")
        }
        guard let secret = secrets[parts[0]] else { throw .invalidAccessKeyId }
        // Any region is accepted (one node serves them all); the date must be the request's.
        guard timestamp.hasPrefix(parts[1]), parts[1].count == 8 else {
            throw malformed("The credential date does not match the request date.")
        }
        return Scope(accessKey: parts[0], secret: secret, date: parts[1], region: parts[2], timestamp: timestamp)
    }

    /// `host` must be signed; with header authentication every `x-amz-*` header too (S3
    /// refuses unsigned ones, which could otherwise be changed in transit).
    private static func checkSignedHeaders(_ signed: [String], _ request: S3Request, requireAmzHeaders: Bool) throws(S3Error) {
        guard signed.contains("host") else {
            throw S3Error(.forbidden, "AccessDenied", "The host header must be signed.")
        }
        guard requireAmzHeaders else { return }
        for field in request.headers where field.name.canonicalName.hasPrefix("x-amz-") {
            if !signed.contains(field.name.canonicalName) {
                throw S3Error(.forbidden, "AccessDenied", "There were headers present in the request which were not signed: \(field.name.canonicalName)")
            }
        }
    }

    private static func payloadMode(_ value: String) throws(S3Error) -> PayloadMode {
        switch value {
        case "UNSIGNED-PAYLOAD": return .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": return .streaming(signed: true, trailer: false)
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": return .streaming(signed: true, trailer: true)
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": return .streaming(signed: false, trailer: true)
        default:
            guard value.utf8.count == 64, let bytes = URIEncoding.bytes(hex: value) else {
                throw .invalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a valid sha256 value.")
            }
            return .sha256(bytes)
        }
    }

    /// Computes the signature and compares; tries the path as sent when the canonical
    /// re-encoding differs (a client that signs exactly the bytes it sends).
    private func verify(
        _ request: S3Request, scope: Scope, signedHeaders: [String], query: [(name: String, value: String)],
        payloadHash: String, signature: String
    ) throws(S3Error) -> SigningContext {
        let headers = signedHeaders.map { name in (name, Self.canonicalValue(of: name, in: request)) }
        let key = SigV4.signingKey(secret: scope.secret, date: scope.date, region: scope.region)
        let canonicalQuery = SigV4.canonicalQuery(query)
        let canonicalURI = SigV4.canonicalURI(request.rawPath)
        var uris = [canonicalURI]
        if request.rawPath != canonicalURI { uris.append(request.rawPath) }
        var firstAttempt: (canonical: String, stringToSign: String)?
        for uri in uris {
            let canonical = SigV4.canonicalRequest(
                method: request.method.rawValue, uri: uri, query: canonicalQuery, headers: headers, payloadHash: payloadHash)
            let stringToSign = SigV4.stringToSign(timestamp: scope.timestamp, scope: scope.text, canonicalRequest: canonical)
            if SigV4.equal(SigV4.signature(key, stringToSign), signature.lowercased()) {
                return SigningContext(key: key, timestamp: scope.timestamp, scope: scope.text, seedSignature: signature.lowercased())
            }
            if firstAttempt == nil { firstAttempt = (canonical, stringToSign) }
        }
        var error = S3Error.signatureDoesNotMatch
        if let firstAttempt {
            error.details = [("StringToSign", firstAttempt.stringToSign), ("CanonicalRequest", firstAttempt.canonical)]
        }
        throw error
    }

    /// A signed header's canonical value. `host` is the request's authority; `expect`,
    /// which `ContinueHandler` takes out of the head, was `100-continue`.
    static func canonicalValue(of name: String, in request: S3Request) -> String {
        if name == "host" { return request.head.authority ?? "" }
        guard let fieldName = HTTPField.Name(name) else { return "" }
        let values = request.headers[values: fieldName]
        if values.isEmpty, name == "expect" { return "100-continue" }
        return SigV4.canonicalValue(values)
    }
}
