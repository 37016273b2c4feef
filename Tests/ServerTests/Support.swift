import DocStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import Server

/// A server over a temporary data directory, driven in process (or live, for tests that need sockets).
struct TestServer {
    static let admin = "admin"
    static let password = "s3cret"

    static func configuration(_ directory: String) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.adminUser = admin
        configuration.adminPassword = password
        configuration.passwordIterations = 10  // keep PBKDF2 cheap in tests
        configuration.couchPort = 0
        return configuration
    }

    /// Runs `body` with a client of a fresh server, or of one over `directory` (which the
    /// caller then removes: a second run over it is a restart).
    static func run(
        _ setup: TestingSetup = .router, directory given: String? = nil, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (Client) async throws -> Void
    ) async throws {
        let directory = given ?? NSTemporaryDirectory() + "divan-server-test-" + UUID().uuidString
        defer { if given == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var configuration = Self.configuration(directory)
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try await DivanServer.makeApplication(configuration: configuration, logger: logger)
        try await app.test(setup) { client in try await body(Client(client: client)) }
    }

    /// Requests with CouchDB-ish conveniences; admin Basic credentials unless told otherwise.
    struct Client: Sendable {
        let client: any TestClientProtocol

        static func basic(_ user: String, _ password: String) -> String {
            "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
        }

        @discardableResult
        func request(
            _ method: HTTPRequest.Method, _ uri: String, json: JSON? = nil, body: [UInt8]? = nil,
            headers: HTTPFields = [:], auth: String? = Client.basic(TestServer.admin, TestServer.password)
        ) async throws -> Reply {
            var fields = headers
            if let auth, fields[.authorization] == nil, fields[.cookie] == nil { fields[.authorization] = auth }
            var buffer: ByteBuffer?
            if let json {
                buffer = ByteBuffer(bytes: json.serialized())
                if fields[.contentType] == nil { fields[.contentType] = "application/json" }
            } else if let body {
                buffer = ByteBuffer(bytes: body)
            }
            let response = try await client.execute(uri: uri, method: method, headers: fields, body: buffer)
            return Reply(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
        }
    }

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: [UInt8]
        var json: JSON { (try? JSON.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// CouchDB's `error` member.
        var error: String? { json["error"]?.stringValue }
    }
}
