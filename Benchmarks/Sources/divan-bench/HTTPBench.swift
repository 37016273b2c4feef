import DocStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Server

/// The CouchDB API over HTTP: `divan serve`'s application in this process, loaded by
/// wrk (a separate process, sharing the machine's two cores, as a real client would).
/// With `COUCHDB_URL` (http://USER:PASSWORD@HOST:PORT) naming a running Apache CouchDB,
/// the same workloads run against it in the same run, as the baseline.
enum HTTPBench {
    static let admin = ("admin", "bench-password")
    static let readDocuments = 100_000
    /// PBKDF2 iterations of the servers the benchmarks start (below CouchDB's 600,000
    /// default, which would make the login figures about the hash alone).
    static let passwordIterations = 1000

    /// A server under load: where it listens and the admin credentials it takes.
    struct Target {
        var name: String
        var base: String
        var authorization: String
    }

    static func run() async throws {
        print("== CouchDB API over HTTP (wrk; client on the same 2 cores) ==")
        let (base, stop) = try await startServer("http")
        defer { stop() }
        let divan = try await measure(Target(name: "Divan", base: base, authorization: authorization))
        var couch: [String: Double] = [:]
        if let target = couchDBTarget() {
            if (try? await call("GET", "\(target.base)/_up", authorization: target.authorization))?.1 == 200 {
                couch = try await measure(target)
            } else {
                print("(no CouchDB answers at COUCHDB_URL: Divan's figures only)")
            }
        } else {
            print("(set COUCHDB_URL=http://admin:password@127.0.0.1:5984 to measure Apache CouchDB in the same run)")
        }
        for (name, goal) in workloads {
            let value = divan[name]!
            let baseline = couch[name].map { String(format: "CouchDB %10.0f /s   ×%.1f", $0, value / $0) } ?? ""
            print(String(format: "%-52@ %10.0f /s   %@   goal %8.0f /s %@", name as NSString, value, baseline as NSString, goal,
                         (value >= goal ? "met" : "NOT met") as NSString))
        }
    }

    /// The workloads, each with the goal its issue set.
    static let workloads: [(String, Double)] = [
        ("bulk insert (1 KB docs, batches of 1,000), docs/s", 40_000),
        ("64 connections, single durable writes, docs/s", 5_000),
        ("64 connections, random reads, docs/s", 20_000),
        ("full _changes scan, rows/s", 200_000),
    ]

    /// `COUCHDB_URL` as a target, credentials taken out of the URL.
    static func couchDBTarget() -> Target? {
        guard let text = ProcessInfo.processInfo.environment["COUCHDB_URL"], let url = URLComponents(string: text),
            let host = url.host
        else { return nil }
        let credentials = "\(url.user ?? "admin"):\(url.password ?? "password")"
        return Target(
            name: "CouchDB", base: "\(url.scheme ?? "http")://\(host):\(url.port ?? 5984)",
            authorization: "Basic " + Base64.encode(Array(credentials.utf8)))
    }

    /// Runs every workload against `target` in fresh databases (deleted afterwards).
    static func measure(_ target: Target) async throws -> [String: Double] {
        let prefix = "divan-bench-http-"
        let auth = target.authorization
        var figures: [String: Double] = [:]
        for db in ["bulk", "singles", "reads"] {
            _ = try? await call("DELETE", "\(target.base)/\(prefix)\(db)", authorization: auth)
            _ = try await call("PUT", "\(target.base)/\(prefix)\(db)", authorization: auth)
        }
        print("measuring \(target.name) at \(target.base) ...")
        let bulk = try wrk(script: "bulk.lua", url: "\(target.base)/\(prefix)bulk/_bulk_docs", connections: 4, seconds: 10, authorization: auth)
        let (info, _) = try await call("GET", "\(target.base)/\(prefix)bulk", authorization: auth)
        let stored = (try JSON.parse(Array(info)))["doc_count"]?.int64Value ?? 0
        guard Double(stored) >= bulk * 10 * 1000 * 0.99 else { throw BenchError("bulk phase stored only \(stored) documents") }
        figures[workloads[0].0] = bulk * 1000
        figures[workloads[1].0] = try wrk(
            script: "single.lua", url: "\(target.base)/\(prefix)singles", connections: 64, seconds: 10, authorization: auth)
        try await preload("\(target.base)/\(prefix)reads", authorization: auth)
        figures[workloads[2].0] = try wrk(
            script: "reads.lua", url: "\(target.base)/\(prefix)reads", connections: 64, seconds: 10, authorization: auth,
            environment: ["DIVAN_BENCH_READ_DOCS": String(readDocuments)])
        let start = ContinuousClock.now
        let (body, _) = try await call("GET", "\(target.base)/\(prefix)reads/_changes", authorization: auth)
        let elapsed = ContinuousClock.now - start
        let rows = (try JSON.parse(Array(body)))["results"]?.arrayValue?.count ?? 0
        guard rows == readDocuments else { throw BenchError("changes returned \(rows) rows") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        figures[workloads[3].0] = Double(rows) / seconds
        for db in ["bulk", "singles", "reads"] { _ = try? await call("DELETE", "\(target.base)/\(prefix)\(db)", authorization: auth) }
        return figures
    }

    /// A `divan serve` application in this process on a random loopback port.
    static func startServer(_ label: String) async throws -> (String, () -> Void) {
        let directory = temporaryDirectory("server-\(label)")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.adminUser = admin.0
        configuration.adminPassword = admin.1
        configuration.passwordIterations = passwordIterations
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

    static var authorization: String { "Basic " + Base64.encode(Array("\(admin.0):\(admin.1)".utf8)) }

    /// Runs wrk and returns its requests per second.
    /// - Parameters:
    ///   - authorization: the `Authorization` header to send, if any.
    ///   - environment: variables the script reads.
    static func wrk(
        script: String, url: String, connections: Int, threads: Int = 2, seconds: Int, authorization: String? = Self.authorization,
        environment: [String: String] = [:]
    ) throws -> Double {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../wrk").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "30s", "-s", scripts + "/" + script]
            + (authorization.map { ["-H", "Authorization: \($0)"] } ?? []) + [url]
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

    static func preload(_ database: String, authorization: String = Self.authorization) async throws {
        for batch in 0..<(readDocuments / 1000) {
            var docs: [JSON] = []
            for i in (batch * 1000)..<(batch * 1000 + 1000) {
                docs.append(.object(DocStoreBench.body(i).merging(["_id": .string(String(format: "doc-%06d", i))])))
            }
            let (_, status) = try await call(
                "POST", "\(database)/_bulk_docs", body: JSON.object(["docs": .array(docs)]).serialized(), authorization: authorization)
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

    static func call(_ method: String, _ url: String, body: [UInt8]? = nil, authorization: String = Self.authorization) async throws -> (Data, Int) {
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
