import DocStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Server

/// The CouchDB API over HTTP: `divan serve`'s application in this process, loaded by
/// wrk (a separate process, sharing the machine's two cores, as a real client would).
enum HTTPBench {
    static let admin = ("admin", "bench-password")
    static let readDocuments = 100_000

    static func run() async throws {
        print("== CouchDB API over HTTP (wrk; client on the same 2 cores) ==")
        let (base, stop) = try await startServer("http")
        defer { stop() }
        for db in ["bulk", "singles", "reads"] { _ = try await call("PUT", "\(base)/\(db)") }

        let bulk = try wrk(script: "bulk.lua", url: "\(base)/bulk/_bulk_docs", connections: 4, seconds: 10)
        let (info, _) = try await call("GET", "\(base)/bulk")
        let stored = (try JSON.parse(Array(info)))["doc_count"]?.int64Value ?? 0
        guard Double(stored) >= bulk * 10 * 1000 * 0.99 else { throw BenchError("bulk phase stored only \(stored) documents") }
        reference("bulk insert (1 KB docs, batches of 1,000), docs/s", bulk * 1000, couchDB: 2_000, goal: 40_000)

        let singles = try wrk(script: "single.lua", url: "\(base)/singles", connections: 64, seconds: 10)
        reference("64 connections, single durable writes, docs/s", singles, couchDB: 350, goal: 5_000)

        try await preload(base)
        let reads = try wrk(
            script: "reads.lua", url: "\(base)/reads", connections: 64, seconds: 10,
            environment: ["DIVAN_BENCH_READ_DOCS": String(readDocuments)])
        reference("64 connections, random reads, docs/s", reads, couchDB: 500, goal: 20_000)

        let start = ContinuousClock.now
        let (body, _) = try await call("GET", "\(base)/reads/_changes")
        let elapsed = ContinuousClock.now - start
        let rows = (try JSON.parse(Array(body)))["results"]?.arrayValue?.count ?? 0
        precondition(rows == readDocuments, "changes returned \(rows) rows")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        reference("full _changes scan (\(rows) rows), rows/s", Double(rows) / seconds, couchDB: 19_000, goal: 200_000)
    }

    /// A `divan serve` application in this process on a random loopback port.
    static func startServer(_ label: String) async throws -> (String, () -> Void) {
        let directory = temporaryDirectory("server-\(label)")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.adminUser = admin.0
        configuration.adminPassword = admin.1
        configuration.passwordIterations = 1000
        configuration.couchPort = Int.random(in: 20000..<40000)
        configuration.s3Port = 0
        var logger = Logger(label: "bench-\(label)")
        logger.logLevel = .warning
        let app = try await DivanServer.makeApplication(configuration: configuration, logger: logger)
        let server = Task { try await app.run() }
        let base = "http://127.0.0.1:\(configuration.couchPort)"
        try await waitUntilUp(base)
        return (base, {
            server.cancel()
            try? FileManager.default.removeItem(atPath: directory)
        })
    }

    /// CouchDB cannot run on this machine, so its figures are the issue's measurements
    /// on the same kind of machine; Divan's are measured now.
    static func reference(_ name: String, _ value: Double, couchDB: Double, goal: Double) {
        print(String(format: "%-52@ %10.0f /s   CouchDB 3.4.3 (reference) %8.0f /s   goal %8.0f /s   %@",
                     name as NSString, value, couchDB, goal, (value >= goal ? "met" : "NOT met") as NSString))
    }

    static var authorization: String { "Basic " + Base64.encode(Array("\(admin.0):\(admin.1)".utf8)) }

    /// Runs wrk and returns its requests per second.
    /// - Parameters:
    ///   - authorization: whether to send the admin's Basic credentials.
    ///   - environment: variables the script reads.
    static func wrk(
        script: String, url: String, connections: Int, threads: Int = 2, seconds: Int, authorization: Bool = true,
        environment: [String: String] = [:]
    ) throws -> Double {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../wrk").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "30s", "-s", scripts + "/" + script]
            + (authorization ? ["-H", "Authorization: \(Self.authorization)"] : []) + [url]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if output.contains("Non-2xx") || output.contains("Socket errors") { throw BenchError("wrk saw errors:\n" + output) }
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let value = Double(line.split(separator: " ").last ?? "")
        else { throw BenchError("wrk printed no rate:\n\(output)") }
        return value
    }

    static func preload(_ base: String) async throws {
        for batch in 0..<(readDocuments / 1000) {
            var docs: [JSON] = []
            for i in (batch * 1000)..<(batch * 1000 + 1000) {
                docs.append(.object(DocStoreBench.body(i).merging(["_id": .string(String(format: "doc-%06d", i))])))
            }
            let (_, status) = try await call("POST", "\(base)/reads/_bulk_docs", body: JSON.object(["docs": .array(docs)]).serialized())
            guard status == 201 else { throw BenchError("preload failed with \(status)") }
        }
    }

    static func waitUntilUp(_ base: String) async throws {
        for _ in 0..<100 {
            if let (_, status) = try? await call("GET", "\(base)/_up"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("the server did not start")
    }

    static func call(_ method: String, _ url: String, body: [UInt8]? = nil) async throws -> (Data, Int) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 600
        if let body { request.httpBody = Data(body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var result = other
        for (key, value) in self { result[key] = value }
        return result
    }
}
