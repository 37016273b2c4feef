import DocStore
import Foundation
import LMDB

/// The document engine against raw LMDB doing the same byte work.
enum DocStoreBench {
    /// `DIVAN_BENCH_DOCS` scales the run down, e.g. for profiling under valgrind.
    static let documentCount = ProcessInfo.processInfo.environment["DIVAN_BENCH_DOCS"].flatMap(Int.init) ?? 100_000
    static let batchSize = ProcessInfo.processInfo.environment["DIVAN_BENCH_BATCH"].flatMap(Int.init) ?? 1_000

    /// About 1 KB of JSON with some structure, different per document.
    static func body(_ i: Int) -> JSONObject {
        [
            "type": "order", "number": .number(JSONNumber(i)), "customer": .string("customer-\(i % 977)"),
            "email": .string("user\(i)@example.com"), "total": .number(JSONNumber(Double(i % 10_000) / 100)!),
            "status": .string(["new", "paid", "shipped", "returned"][i % 4]),
            "lines": .array((0..<6).map { line in
                ["sku": .string("SKU-\((i * 7 + line) % 5000)"), "quantity": .number(JSONNumber(line + 1)),
                 "price": .number(JSONNumber(Double((i + line) % 900) / 10 + 0.99)!),
                 "description": .string("Item \(line) of order \(i), a plain line of text to pad the document")]
            }),
            "notes": .string(String(repeating: "note \(i % 13) ", count: 20)),
        ]
    }

    static func id(_ i: Int) -> String { String(format: "order-%08d", (i &* 2_654_435_761) % 100_000_000) }

    /// Runs the parts named in `parts` (all when empty): bulk, single, gets, changes.
    static func run(_ parts: Set<String> = []) async throws {
        let wanted: (String) -> Bool = { parts.isEmpty || parts.contains($0) }
        print("== document engine (\(documentCount) documents of ~1 KB) ==")
        let bodies = (0..<documentCount).map { JSON.object(body($0)).serialized() }
        let averageSize = bodies.reduce(0) { $0 + $1.count } / bodies.count
        print("average body: \(averageSize) bytes")

        // Raw LMDB: the same bodies, one transaction (one fsync) per batch.
        let rawDirectory = temporaryDirectory("raw")
        defer { try? FileManager.default.removeItem(atPath: rawDirectory) }
        var options = Environment.Options()
        options.mapSize = 1 << 30
        let env = try Environment(path: rawDirectory + "/raw.mdb", options: options)
        let table = try env.openDatabase("docs")
        let rawInsert = try await measure {
            for start in stride(from: 0, to: documentCount, by: batchSize) {
                try env.write { txn in
                    for i in start..<min(start + batchSize, documentCount) {
                        try txn.put(table, key: Array(id(i).utf8), value: bodies[i])
                    }
                }
            }
        }

        let directory = temporaryDirectory("docstore")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 1 << 30
        let store = try DocumentStore(configuration: configuration)
        let db = try store.createDatabase("bench")
        let updates = (0..<documentCount).map { DocumentUpdate(id: id($0), body: body($0)) }
        if wanted("bulk") || wanted("gets") || wanted("changes") {
        let insert = try await measure {
            for start in stride(from: 0, to: documentCount, by: batchSize) {
                _ = try await db.update(Array(updates[start..<min(start + batchSize, documentCount)]))
            }
        }
        report("bulk insert (batches of 1,000), docs/s", Double(documentCount) / insert, unit: "/s",
               baseline: Double(documentCount) / rawInsert, baselineName: "raw LMDB puts")
        }

        // Single durable writes: 64 tasks, one document per request, against one fsync per write.
        if wanted("single") {
            // One fsync per write: the rate a naive durable store gets.
            // 2,000 writes (about a second): this disk's fsync rate drifts, so a short sample misleads.
            let rawSingle = try await measure {
                for i in 0..<2000 {
                    try env.write { try $0.put(table, key: Array(String(format: "single-%08d", i).utf8), value: bodies[i]) }
                }
            }
            let fsyncRate = 2000 / rawSingle
            let singles = documentCount / 5
            // Ids the server generates (CouchDB's sequential algorithm), as POST /db gets them,
            // and random client-chosen ids, as PUT /db/<uuid4> gets them.
            for (label, makeID) in [("generated ids", { (_: Int) -> String? in nil }), ("random client ids", { (i: Int) -> String? in "r-\(UUIDs.random())" })] {
                let updates = (0..<singles).map { DocumentUpdate(id: makeID($0), body: body($0)) }
                let single = try await measure {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for task in 0..<64 {
                            group.addTask {
                                for i in stride(from: task, to: singles, by: 64) { try await db.put(updates[i]) }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                report("64-task single-doc durable writes, \(label)", Double(singles) / single, unit: "/s",
                       baseline: fsyncRate, baselineName: "1 fsync per write")
            }
            // The ceiling group commit works under: raw LMDB committing the same kind of
            // 64-document transactions (what 64 waiting writers make), keys as above.
            for (label, key) in [("sequential keys", { (i: Int) in String(format: "seq-%08d", i) }), ("random keys", { (_: Int) in "r-\(UUIDs.random())" })] {
                let raw = try await measure {
                    for start in stride(from: 0, to: singles, by: 64) {
                        try env.write { txn in
                            for i in start..<min(start + 64, singles) { try txn.put(table, key: Array(key(i).utf8), value: bodies[i]) }
                        }
                    }
                }
                report("raw LMDB, 64-document transactions, \(label)", Double(singles) / raw, unit: "/s",
                       baseline: fsyncRate, baselineName: "1 fsync per write")
            }
        }
        try await readBenchmarks(db, env, table, wanted)
    }

    static func readBenchmarks(_ db: DocumentDatabase, _ env: Environment, _ table: Database, _ wanted: (String) -> Bool) async throws {
        if wanted("gets") {
        var random = SystemRandomNumberGenerator()
        let picks = (0..<100_000).map { _ in Int.random(in: 0..<documentCount, using: &random) }
        let rawGets = try await measure {
            var total = 0
            for i in picks {
                total &+= try env.read { try $0.get(table, key: Array(id(i).utf8))?.count ?? 0 }
            }
            precondition(total > 0)
        }
        let gets = try await measure {
            var total = 0
            for i in picks { total &+= try db.document(id(i)).serialized().count }
            precondition(total > 0)
        }
        report("random gets (rendered JSON), docs/s", Double(picks.count) / gets, unit: "/s",
               baseline: Double(picks.count) / rawGets, baselineName: "raw LMDB get")
        }
        guard wanted("changes") else { return }

        // A full changes scan.
        let rawScan = try await measure {
            var count = 0
            try env.read { txn in
                try txn.scan(table) { _ in
                    count += 1
                    return true
                }
            }
            precondition(count >= documentCount)
        }
        let scan = try await measure {
            var count = 0
            try db.changes(ChangesOptions()) { _ in
                count += 1
                return true
            }
            precondition(count >= documentCount)
        }
        report("full changes scan, rows/s", Double(documentCount) / scan, unit: "/s",
               baseline: Double(documentCount) / rawScan, baselineName: "raw LMDB cursor")
        let info = try db.info()
        print("database file: \(info.fileSize >> 20) MiB for \(info.externalSize >> 20) MiB of JSON; raw LMDB file: \(env.usedSize >> 20) MiB")
    }
}
