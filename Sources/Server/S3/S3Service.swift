import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ObjectStore

/// The S3 API: authenticates a request, routes it to one handler and turns errors into
/// S3's XML answers. Handlers parse, call one `ObjectStore` method and encode; no
/// storage logic lives here.
///
/// Thread safety: immutable after creation; requests are handled concurrently.
final class S3Service: Sendable {
    /// Where buckets and objects live.
    let store: ObjectStore
    /// Region and virtual-host domain come from here.
    let configuration: ServerConfiguration
    /// Checks every request before it is routed.
    let authenticator: S3Authenticator
    /// One line per request; errors the store did not expect.
    let logger: Logger
    /// Runs lifecycle expiration; kicked when a bucket's rules change.
    let sweeper: ExpirationSweeper
    /// The `<Owner>` of every bucket and object: one account owns everything.
    let owner: (id: String, displayName: String)

    /// - Parameter credentials: the root pair first (it names the owner), then the extra pairs.
    init(store: ObjectStore, configuration: ServerConfiguration, credentials: [ServerConfiguration.S3Credentials], logger: Logger) {
        self.store = store
        self.configuration = configuration
        authenticator = S3Authenticator(credentials: credentials)
        self.logger = logger
        sweeper = ExpirationSweeper(store: store, logger: logger)
        let rootKey = credentials.first?.accessKey ?? "divan"
        owner = (SigV4.sha256Hex(Array("divan-owner:\(rootKey)".utf8)), "divan")
    }

    /// Largest XML request body read (a Delete of 1000 keys of 1024 bytes fits).
    static let maximumXMLBody = 4 << 20

    /// Handles one request. One log line per request (method, path, status, duration,
    /// request id); never the query (presigned URLs carry signatures) or headers.
    func handle(_ request: Request, channel: (any Channel)?) async -> Response {
        let start = ContinuousClock.now
        let requestID = Self.makeRequestID()
        var resource = request.uri.path
        var response: Response
        do {
            let s3 = try S3Request(request.head, virtualHostDomain: configuration.s3VirtualHostDomain)
            resource = s3.resource
            let authorization = try authenticator.authenticate(s3)
            let body = try S3Body(request, s3, authorization: authorization, channel: channel)
            response = try await route(s3, body)
        } catch let error as S3Error {
            response = errorResponse(error, method: request.method, resource: resource, requestID: requestID)
        } catch let error as ObjectStoreError {
            response = errorResponse(S3Error(error), method: request.method, resource: resource, requestID: requestID)
        } catch {
            logger.error("S3 request \(requestID) failed: \(error)")
            let internalError = S3Error(.internalServerError, "InternalError", "We encountered an internal error. Please try again.")
            response = errorResponse(internalError, method: request.method, resource: resource, requestID: requestID)
        }
        response.headers[.server] = "Divan"
        response.headers[Self.requestIDHeader] = requestID
        response.headers[Self.hostIDHeader] = Self.hostID
        let elapsed = ContinuousClock.now - start
        let milliseconds = elapsed.inMilliseconds
        logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms \(requestID)")
        return response
    }

    /// S3's response headers that identify a request and the host that answered it.
    static let requestIDHeader = HTTPField.Name("x-amz-request-id")!
    static let hostIDHeader = HTTPField.Name("x-amz-id-2")!
    /// `x-amz-id-2` identifies the host that answered; one process, one value.
    static let hostID = Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    /// 16 uppercase hex digits, as S3's request ids look.
    static func makeRequestID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16, uppercase: true).leftPadded(to: 16)
    }

    private func errorResponse(_ error: S3Error, method: HTTPRequest.Method, resource: String, requestID: String) -> Response {
        var headers = error.headers
        // HEAD answers and 304 carry no body (S3 sends none).
        guard method != .head, error.status != .notModified else {
            return Response(status: error.status, headers: headers)
        }
        headers[.contentType] = "application/xml"
        let body = ByteBuffer(string: error.body(resource: resource, requestID: requestID))
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: body))
    }

    /// An XML answer.
    static func xml(_ writer: XMLWriter, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: writer.text)))
    }

    /// An empty answer (`Content-Length: 0`).
    static func empty(_ status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: .init())
    }

    /// Reads and parses an XML request body.
    func document(_ body: S3Body) async throws -> XMLReader.Element {
        let bytes = try await body.collect(limit: Self.maximumXMLBody)
        return try XMLReader.parse(bytes)
    }
}

extension String {
    /// The string with `0`s in front up to `length` characters.
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
