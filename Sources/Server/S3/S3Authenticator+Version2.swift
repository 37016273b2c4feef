import Crypto
import Foundation
import HTTPTypes

/// Signature Version 2 (HMAC-SHA1), which S3 still documents and clients still make:
/// boto3's `generate_presigned_url` produces it by default for us-east-1 endpoints,
/// and older tools sign headers with it. The payload is never signed.
///
/// String to sign: method, Content-MD5, Content-Type, the date (`Date`, empty when
/// `x-amz-date` is sent; `Expires` for query authentication), the `x-amz-*` headers
/// (`name:value` lines, sorted), then the resource: `/bucket` for virtual-host requests,
/// the path as sent, and the subresources S3 lists, sorted, with decoded values.
extension S3Authenticator {
    /// Subresources that are part of the signed resource.
    static let version2Subresources: Set<String> = [
        "accelerate", "acl", "analytics", "cors", "delete", "inventory", "lifecycle", "location", "logging", "metrics",
        "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type",
        "response-expires", "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
        "versionId", "versioning", "versions", "website",
    ]

    /// `Authorization: AWS <access key>:<base64 signature>`.
    func authenticateVersion2Header(_ header: String, _ request: S3Request, now: Date) throws(S3Error) -> S3Authorization {
        let credential = header.dropFirst(4)
        guard let colon = credential.lastIndex(of: ":") else {
            throw .invalidArgument("AWS authorization header is invalid. Expected AwsAccessKeyId:signature")
        }
        let accessKey = String(credential[..<colon]).trimmingCharacters(in: .whitespaces)
        let signature = String(credential[credential.index(after: colon)...])
        guard let secret = secrets[accessKey] else { throw .invalidAccessKeyId }
        let amzDate = request.header("x-amz-date")
        guard let dateText = amzDate ?? request.header(.date), let date = HTTPDate.parse(dateText) else {
            throw S3Error(.forbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        }
        guard abs(date.timeIntervalSince(now)) <= Self.maximumSkew else { throw .requestTimeTooSkewed }
        try verifyVersion2(request, secret: secret, date: amzDate == nil ? dateText : "", signature: signature)
        return S3Authorization(accessKey: accessKey, payload: .unsigned, signing: nil)
    }

    /// `?AWSAccessKeyId=…&Expires=<epoch seconds>&Signature=…`.
    func authenticateVersion2Query(_ request: S3Request, now: Date) throws(S3Error) -> S3Authorization {
        guard let accessKey = request.parameter("AWSAccessKeyId"), let signature = request.parameter("Signature"),
            let expiresText = request.parameter("Expires"), let expires = Double(expiresText)
        else { throw .accessDenied }
        guard let secret = secrets[accessKey] else { throw .invalidAccessKeyId }
        guard now.timeIntervalSince1970 <= expires else { throw S3Error(.forbidden, "AccessDenied", "Request has expired") }
        try verifyVersion2(request, secret: secret, date: expiresText, signature: signature)
        return S3Authorization(accessKey: accessKey, payload: .unsigned, signing: nil)
    }

    private func verifyVersion2(_ request: S3Request, secret: String, date: String, signature: String) throws(S3Error) {
        var amzHeaders: [String: [String]] = [:]
        for field in request.headers where field.name.canonicalName.hasPrefix("x-amz-") {
            amzHeaders[field.name.canonicalName, default: []].append(SigV4.canonicalValue([field.value]))
        }
        var lines = [
            request.method.rawValue, request.header("content-md5") ?? "", request.header(.contentType) ?? "", date,
        ]
        lines += amzHeaders.keys.sorted().map { "\($0):\(amzHeaders[$0, default: []].joined(separator: ","))" }
        lines.append(Self.version2Resource(request))
        let stringToSign = lines.joined(separator: "\n")
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        guard SigV4.equal(Data(code).base64EncodedString(), signature) else {
            var error = S3Error.signatureDoesNotMatch
            error.details = [("StringToSign", stringToSign)]
            throw error
        }
    }

    /// The canonicalized resource of Signature Version 2.
    static func version2Resource(_ request: S3Request) -> String {
        var resource = request.rawPath
        if let bucket = request.bucket, S3Request.bucket(fromHost: request.head.authority, domain: request.virtualHostDomain) != nil {
            resource = "/" + bucket + resource
        }
        let subresources = request.query.filter { version2Subresources.contains($0.name) }
            .sorted { $0.name < $1.name }
            .map { $0.value.isEmpty && !request.hasValue($0.name) ? $0.name : "\($0.name)=\($0.value)" }
        return subresources.isEmpty ? resource : resource + "?" + subresources.joined(separator: "&")
    }
}
