import DocStore
import Foundation
import Logging
import Replication
import Server

/// Replication throughput: 100,000 documents of about 1 KB from one `divan serve` to
/// another over HTTP (both in this process, on loopback), and between two databases of
/// one store. The baseline measured in the same run is loading the same documents with
/// `_bulk_docs` (the target's write path without the protocol around it).
enum ReplicationBench {
    static let documents = 100_000
    static let admin = HTTPBench.admin

    static func run(_ parts: Set<String>) async throws {
        print("== Replication (\(documents) documents of ~\(JSON.object(DocStoreBench.body(1)).serialized().count) bytes) ==")
        if parts.isEmpty || parts.contains("http") { try await http() }
        if parts.isEmpty || parts.contains("local") { try await local() }
    }

    /// Two servers; B pulls from A with `POST /_replicate`, then a job in this process
    /// copies A to B with both ends over HTTP.
    static func http() async throws {
        let (a, stopA) = try await HTTPBench.startServer("a")
        let (b, stopB) = try await HTTPBench.startServer("b")
        defer {
            stopA()
            stopB()
        }
        _ = try await HTTPBench.call("PUT", "\(a)/source")
        var loadSeconds = 0.0
        for batch in 0..<(documents / 1000) {
            var docs: [JSON] = []
            for i in (batch * 1000)..<(batch * 1000 + 1000) {
                docs.append(.object(DocStoreBench.body(i).merging(["_id": .string(String(format: "doc-%06d", i))])))
            }
            let body = JSON.object(["docs": .array(docs)]).serialized()
            loadSeconds += try await measure {
                let (_, status) = try await HTTPBench.call("POST", "\(a)/source/_bulk_docs", body: body)
                guard status == 201 else { throw BenchError("load failed with \(status)") }
            }
        }
        let bulkRate = Double(documents) / loadSeconds

        let pullBody: JSON = ["source": .string(credentialed(a) + "/source"), "target": "pulled", "create_target": true]
        var answer = Data()
        let pull = try await measure {
            (answer, _) = try await HTTPBench.call("POST", "\(b)/_replicate", body: pullBody.serialized())
        }
        let written = (try JSON.parse(Array(answer)))["history"]?[0]?["docs_written"]?.int64Value ?? 0
        guard written == documents else { throw BenchError("the pull wrote \(written) documents: \(String(decoding: answer, as: UTF8.self))") }
        report("HTTP: divan B pulls from divan A (_replicate), docs/s", Double(documents) / pull, bulkRate)

        var specification = ReplicationSpecification(source: .remote(url: a + "/source", headers: [:]), target: .remote(url: b + "/copied", headers: [:]))
        specification.createTarget = true
        let job = ReplicationJob(
            specification: specification, source: try HTTPPeer(url: credentialed(a) + "/source"),
            target: try HTTPPeer(url: credentialed(b) + "/copied"), nodeUUID: "bench", logger: quiet)
        let remote = try await measure { _ = try await job.run() }
        guard job.progress.sessionStatistics.documentsWritten == documents else { throw BenchError("remote-to-remote wrote too little") }
        report("HTTP: both ends remote (job in the client), docs/s", Double(documents) / remote, bulkRate)
    }

    /// Two databases of one store, through `LocalPeer`.
    static func local() async throws {
        let directory = temporaryDirectory("replication")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
        let source = try store.createDatabase("source")
        var loadSeconds = 0.0
        for batch in 0..<(documents / 1000) {
            let updates = (batch * 1000..<batch * 1000 + 1000).map { i in
                DocumentUpdate(id: String(format: "doc-%06d", i), body: DocStoreBench.body(i))
            }
            loadSeconds += try await measure { _ = try await source.update(updates) }
        }
        var specification = ReplicationSpecification(source: .local("source"), target: .local("target"))
        specification.createTarget = true
        let job = ReplicationJob(
            specification: specification, source: LocalPeer(store: store, name: "source"),
            target: LocalPeer(store: store, name: "target"), nodeUUID: "bench", logger: quiet)
        let seconds = try await measure { _ = try await job.run() }
        guard job.progress.sessionStatistics.documentsWritten == documents else { throw BenchError("local replication wrote too little") }
        report("local: two databases of one store, docs/s", Double(documents) / seconds, Double(documents) / loadSeconds)
    }

    static func report(_ name: String, _ rate: Double, _ bulkRate: Double) {
        print(String(
            format: "%-52@ %10.0f /s   bulk load (same run) %8.0f /s   CouchDB 3.4.3 (reference) %6.0f /s   goal %6.0f /s   %@",
            name as NSString, rate, bulkRate, 600.0, 10_000.0, (rate >= 10_000 ? "met" : "NOT met") as NSString))
    }

    static var quiet: Logger {
        var logger = Logger(label: "bench.replication")
        logger.logLevel = .error
        return logger
    }

    static func credentialed(_ base: String) -> String {
        base.replacingOccurrences(of: "http://", with: "http://\(admin.0):\(admin.1)@")
    }
}
