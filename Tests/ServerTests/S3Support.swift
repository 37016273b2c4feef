import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ObjectStore
import Testing
@testable import Server

/// An S3 listener over a temporary data directory, driven in process (or live, for
/// tests that need sockets), with a client that signs its requests.
enum S3TestServer {
    static let accessKey = "AKIDIVANTESTKEY00001"
    static let secretKey = "divan/test/secret/key/0123456789abcdefghij"
    static let extraKey = ServerConfiguration.S3Credentials(accessKey: "AKIDIVANEXTRAKEY0002", secretKey: "another-secret")

    static func run(
        _ setup: TestingSetup = .router, minimumPartSize: Int = 5 << 20,
        _ body: @Sendable (S3Client) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "divan-s3-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.couchPort = 0
        configuration.s3Port = 0
        configuration.s3Root = .init(accessKey: accessKey, secretKey: secretKey)
        configuration.s3ExtraCredentials = [extraKey]
        var storeConfiguration = ObjectStore.Configuration()
        storeConfiguration.minimumPartSize = minimumPartSize
        var logger = Logger(label: "s3-test")
        logger.logLevel = .warning
        let app = try await S3Server.makeApplication(configuration: configuration, logger: logger, storeConfiguration: storeConfiguration)
        try await app.test(setup) { client in try await body(S3Client(client: client)) }
    }
}

/// How a test request presents its payload (`x-amz-content-sha256`).
enum TestPayload: Sendable {
    /// The hex SHA-256 of the body.
    case signed
    case unsigned
    /// This literal value.
    case literal(String)
}

/// Signs requests with SigV4 as an SDK does (host, `x-amz-*`, content type and MD5 signed).
struct S3Client: Sendable {
    let client: any TestClientProtocol
    var accessKey = S3TestServer.accessKey
    var secretKey = S3TestServer.secretKey

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, body: [UInt8]? = nil, headers: HTTPFields = [:],
        payload: TestPayload = .signed, sign: Bool = true, date: Date = Date()
    ) async throws -> S3Reply {
        var fields = headers
        if sign {
            let hash: String
            switch payload {
            case .signed: hash = SigV4.sha256Hex(body ?? [])
            case .unsigned: hash = "UNSIGNED-PAYLOAD"
            case .literal(let value): hash = value
            }
            if let body, fields[.contentLength] == nil { fields[.contentLength] = String(body.count) }
            S3Signer(accessKey: accessKey, secretKey: secretKey).sign(
                method: method, target: uri, host: "localhost", fields: &fields, payloadHash: hash, date: date)
        }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        return S3Reply(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
    }

    func put(_ uri: String, _ text: String, headers: HTTPFields = [:]) async throws -> S3Reply {
        try await request(.put, uri, body: Array(text.utf8), headers: headers)
    }
}

/// A client-side SigV4 signer for tests (header authentication and presigned URLs).
struct S3Signer: Sendable {
    let accessKey: String
    let secretKey: String
    var region = "us-east-1"

    /// Adds `x-amz-date`, `x-amz-content-sha256` and `Authorization` to `fields`.
    func sign(method: HTTPRequest.Method, target: String, host: String, fields: inout HTTPFields, payloadHash: String, date: Date) {
        let timestamp = HTTPDate.amzTimestamp(date)
        fields[HTTPField.Name("x-amz-date")!] = timestamp
        fields[HTTPField.Name("x-amz-content-sha256")!] = payloadHash
        var names = Set(["host"])
        for field in fields {
            let name = field.name.canonicalName
            if name.hasPrefix("x-amz-") || name == "content-type" || name == "content-md5" { names.insert(name) }
        }
        let signed = names.sorted()
        let headers = signed.map { name -> (name: String, value: String) in
            name == "host" ? (name, host) : (name, SigV4.canonicalValue(fields[values: HTTPField.Name(name)!]))
        }
        let (path, query) = S3Request.split(target)
        let signature = self.signature(method: method, path: path, query: query, headers: headers, payloadHash: payloadHash, timestamp: timestamp)
        fields[.authorization] =
            "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(timestamp.prefix(8))/\(region)/s3/aws4_request, SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)"
    }

    /// A presigned URL target (path and query) valid for `expires` seconds from `date`.
    func presign(method: HTTPRequest.Method, path: String, host: String, expires: Int, date: Date) -> String {
        let timestamp = HTTPDate.amzTimestamp(date)
        let credential = "\(accessKey)/\(timestamp.prefix(8))/\(region)/s3/aws4_request"
        let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(URIEncoding.encode(credential))&X-Amz-Date=\(timestamp)&X-Amz-Expires=\(expires)&X-Amz-SignedHeaders=host"
        let signature = self.signature(
            method: method, path: path, query: Substring(query), headers: [("host", host)], payloadHash: "UNSIGNED-PAYLOAD",
            timestamp: timestamp)
        return "\(path)?\(query)&X-Amz-Signature=\(signature)"
    }

    func signature(
        method: HTTPRequest.Method, path: String, query: Substring, headers: [(name: String, value: String)],
        payloadHash: String, timestamp: String
    ) -> String {
        let parameters = query.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (URIEncoding.decode(parts[0]) ?? "", URIEncoding.decode(parts.count > 1 ? parts[1] : "") ?? "")
        }
        let canonical = SigV4.canonicalRequest(
            method: method.rawValue, uri: SigV4.canonicalURI(path), query: SigV4.canonicalQuery(parameters), headers: headers,
            payloadHash: payloadHash)
        let scope = "\(timestamp.prefix(8))/\(region)/s3/aws4_request"
        let key = SigV4.signingKey(secret: secretKey, date: String(timestamp.prefix(8)), region: region)
        return SigV4.signature(key, SigV4.stringToSign(timestamp: timestamp, scope: scope, canonicalRequest: canonical))
    }
}

struct S3Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var xml: XMLReader.Element? { try? XMLReader.parse(body) }
    /// The `Code` of an error body.
    var code: String? { xml?.value("Code") }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

extension Array where Element == UInt8 {
    /// Deterministic test bytes (a linear congruential sequence).
    static func pattern(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    var md5Hex: String { URIEncoding.hex(Insecure.MD5.hash(data: self)) }
    var md5Base64: String { Data(Insecure.MD5.hash(data: self)).base64EncodedString() }
}
