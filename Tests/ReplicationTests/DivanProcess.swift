import AsyncHTTPClient
import DocStore
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A `divan serve` child process on a free loopback port, over its own data directory.
/// Stopped only by its PID.
final class DivanProcess: @unchecked Sendable {
    static let admin = ("admin", "replication-test")
    let data: String
    let port: Int
    let process = Process()
    let ownsData: Bool

    var url: String { "http://127.0.0.1:\(port)" }
    /// The base URL with admin credentials in the userinfo.
    var adminURL: String { "http://\(Self.admin.0):\(Self.admin.1)@127.0.0.1:\(port)" }

    static var binary: String {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent("divan").path
    }

    /// Starts the server and waits until `/_up` answers.
    init(data: String? = nil) async throws {
        ownsData = data == nil
        self.data = data ?? NSTemporaryDirectory() + "divan-replication-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.data, withIntermediateDirectories: true)
        port = try freePort()
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build divan first (swift build)")
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--data", self.data + "/data", "--couch-port", String(port), "--s3-port", "0", "--app-port", "0",
                             "--password-iterations", "1000", "--log-level", "warning"]
        var environment = ProcessInfo.processInfo.environment
        environment["DIVAN_ADMIN_USER"] = Self.admin.0
        environment["DIVAN_ADMIN_PASSWORD"] = Self.admin.1
        process.environment = environment
        let log = self.data + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        for _ in 0..<600 {
            if let reply = try? await request(.GET, "/_up"), reply.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        Issue.record("divan did not start: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self))")
        throw TestFailure("divan did not start")
    }

    /// What the server logged so far.
    var log: String { String(decoding: FileManager.default.contents(atPath: data + "/server.log") ?? Data(), as: UTF8.self) }

    /// SIGKILL (a crash) or SIGTERM (a clean stop), then waits for the exit (polling:
    /// a blocking wait would hold one of the cooperative pool's two threads).
    func stop(signal: Int32 = SIGTERM) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ownsData { try? FileManager.default.removeItem(atPath: data) }
    }

    /// A request with admin Basic credentials.
    func request(_ method: HTTPMethod, _ path: String, json: JSON? = nil, bytes: [UInt8]? = nil, contentType: String? = nil) async throws -> TestReply {
        try await TestHTTP.request(method, url + path, json: json, bytes: bytes, contentType: contentType, auth: Self.admin)
    }

    /// Every document id with its sorted leaf revisions, from `_changes?style=all_docs`.
    func leaves(_ database: String) async throws -> [String: [String]] {
        let reply = try await request(.GET, "/\(database)/_changes?style=all_docs")
        var result: [String: [String]] = [:]
        for row in reply.json["results"]?.arrayValue ?? [] {
            let revisions = row["changes"]?.arrayValue?.compactMap { $0["rev"]?.stringValue }.sorted() ?? []
            result[row["id"]!.stringValue!] = revisions + (row["deleted"]?.boolValue == true ? ["deleted"] : [])
        }
        return result
    }

    /// Writes `count` small documents with `_bulk_docs`, 1,000 a request.
    func fill(_ database: String, count: Int, prefix: String = "doc", from start: Int = 0) async throws {
        var index = start
        while index < start + count {
            let end = min(index + 1000, start + count)
            let docs: [JSON] = (index..<end).map { i in
                ["_id": .string(String(format: "\(prefix)-%06d", i)), "n": .number(JSONNumber(i)), "text": .string("some text for \(i)")]
            }
            let reply = try await request(.POST, "/\(database)/_bulk_docs", json: ["docs": .array(docs)])
            #expect(reply.status == 201)
            index = end
        }
    }

    /// Polls `condition` until it holds (for at most `seconds`). - Returns: whether it held.
    static func eventually(_ seconds: Int = 120, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct TestReply: Sendable {
    let status: Int
    let body: [UInt8]
    var json: JSON { (try? JSON.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Plain HTTP requests for tests.
enum TestHTTP {
    static func request(
        _ method: HTTPMethod, _ url: String, json: JSON? = nil, bytes: [UInt8]? = nil, contentType: String? = nil,
        auth: (String, String)? = nil, timeout: TimeAmount = .seconds(600)
    ) async throws -> TestReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let auth { request.headers.add(name: "Authorization", value: "Basic " + Base64.encode(Array("\(auth.0):\(auth.1)".utf8))) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json.serialized()))
        } else if let bytes {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 30)
        return TestReply(status: Int(response.status.code), body: Array(body.readableBytesView))
    }
}

/// A loopback port nobody listens on right now.
func freePort() throws -> Int {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketDescriptor >= 0 else { throw TestFailure("socket failed") }
    defer { close(socketDescriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) } }
    guard bound == 0 else { throw TestFailure("bind failed") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
    }
    guard named == 0 else { throw TestFailure("getsockname failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
