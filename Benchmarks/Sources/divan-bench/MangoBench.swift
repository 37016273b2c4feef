import DocStore
import Foundation
import LMDB

/// `divan-bench mango [find] [insert] [build]`: Mango queries and index upkeep, each next
/// to a baseline measured in the same run. `DIVAN_BENCH_MANGO_DOCS` sets N (default 20,000).
enum MangoBench {
    static let documentCount = ProcessInfo.processInfo.environment["DIVAN_BENCH_MANGO_DOCS"].flatMap(Int.init) ?? 20_000

    static func run(_ parts: Set<String>) async throws {
        let wanted: (String) -> Bool = { parts.isEmpty || parts.contains($0) }
        print("== mango (\(documentCount) documents of ~1 KB) ==")
        if wanted("insert") { try await insert() }
        if wanted("build") { try await build() }
        if wanted("find") { try await find() }
    }

    static func database(_ label: String) throws -> (DocumentDatabase, String) {
        let directory = temporaryDirectory(label)
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 1 << 30
        let store = try DocumentStore(configuration: configuration)
        return (try store.createDatabase("bench"), directory)
    }

    static func updates() -> [DocumentUpdate] {
        (0..<documentCount).map { DocumentUpdate(id: DocStoreBench.id($0), body: DocStoreBench.body($0)) }
    }

    static func load(_ db: DocumentDatabase, _ updates: [DocumentUpdate]) async throws -> Double {
        try await measure {
            for start in stride(from: 0, to: updates.count, by: 1_000) {
                _ = try await db.update(Array(updates[start..<min(start + 1_000, updates.count)]))
            }
        }
    }

    static func waitForBuilds(_ db: DocumentDatabase) async throws {
        while try db.isBuildingMangoIndexes() { try await Task.sleep(for: .milliseconds(2)) }
    }

    static func index(_ db: DocumentDatabase, _ field: String) async throws {
        _ = try await db.createIndex(["index": ["fields": [.string(field)]], "ddoc": .string(field), "name": .string(field)])
    }

    /// Bulk insert with 0, 1 and 3 JSON indexes declared beforehand.
    static func insert() async throws {
        let updates = updates()
        var seconds: [Int: Double] = [:]
        for count in [0, 1, 3] {
            let (db, directory) = try database("mango-insert-\(count)")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            for field in ["customer", "status", "total"].prefix(count) { try await index(db, field) }
            try await waitForBuilds(db)
            seconds[count] = try await load(db, updates)
        }
        let none = Double(documentCount) / seconds[0]!
        report("bulk insert, 1 JSON index, docs/s", Double(documentCount) / seconds[1]!, unit: "/s", baseline: none, baselineName: "no index")
        report("bulk insert, 3 JSON indexes, docs/s", Double(documentCount) / seconds[3]!, unit: "/s", baseline: none, baselineName: "no index")
        print(String(format: "time with 3 indexes / time with none: %.2f (goal <= 1.6)", seconds[3]! / seconds[0]!))
    }

    /// Building an index over existing documents, against reading them all, and how much
    /// the resident memory grows while it builds (it must not grow with N).
    static func build() async throws {
        let (db, directory) = try database("mango-build")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for start in stride(from: 0, to: documentCount, by: 1_000) {
            _ = try await db.update((start..<min(start + 1_000, documentCount)).map {
                DocumentUpdate(id: DocStoreBench.id($0), body: DocStoreBench.body($0))
            })
        }
        var all = AllDocumentsOptions()
        all.includeDocuments = true
        all.limit = 100_000
        let read = try await measure { _ = try db.allDocuments(all) }
        let before = residentKiB()
        let peak = PeakResident()
        let sampler = Task.detached { while !Task.isCancelled { peak.sample(); try? await Task.sleep(for: .milliseconds(10)) } }
        let building = try await measure {
            try await index(db, "customer")
            try await waitForBuilds(db)
        }
        sampler.cancel()
        peak.sample()
        report("index build over existing docs, docs/s", Double(documentCount) / building, unit: "/s",
               baseline: Double(min(documentCount, 100_000)) / read, baselineName: "_all_docs include_docs")
        print(String(format: "anonymous resident memory while building over %d docs: +%.1f MB (from %.1f MB)",
                     documentCount, Double(peak.value - before) / 1024, Double(before) / 1024))
    }

    /// Anonymous resident memory (heap, stacks) of this process, in KiB: not the LMDB
    /// pages mapped from the file, which the kernel may drop at will.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    final class PeakResident: @unchecked Sendable {
        private let lock = NSLock()
        private var peak = 0
        var value: Int { lock.withLock { peak } }
        func sample() {
            let now = MangoBench.residentKiB()
            lock.withLock { peak = max(peak, now) }
        }
    }

    /// `_find` by one indexed field, limit 25, 16 concurrent tasks; raw LMDB reading the same
    /// 25 keys and bodies; a full scan (no index) for scale.
    static func find() async throws {
        let (db, directory) = try database("mango-find")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await load(db, updates())
        try await index(db, "customer")
        try await waitForBuilds(db)
        let customers = 977
        @Sendable func query(_ k: Int, _ field: String) throws -> FindRequest {
            try FindRequest(["selector": [field: .string("customer-\(k % customers)")], "limit": 25])
        }
        let indexed = try await rate(seconds: 2) { k in _ = try await db.find(try query(k, "customer")) }

        // Raw LMDB: an index table (customer + id → id) and a body table, the same 25 rows each.
        let rawDirectory = temporaryDirectory("mango-raw")
        defer { try? FileManager.default.removeItem(atPath: rawDirectory) }
        var options = Environment.Options()
        options.mapSize = 1 << 30
        let env = try Environment(path: rawDirectory + "/raw.mdb", options: options)
        let bodies = try env.openDatabase("docs")
        let keys = try env.openDatabase("index")
        try env.write { txn in
            for i in 0..<documentCount {
                let id = Array(DocStoreBench.id(i).utf8)
                try txn.put(bodies, key: id, value: JSON.object(DocStoreBench.body(i)).serialized())
                try txn.put(keys, key: Array("customer-\(i % customers)\u{0}".utf8) + id, value: id)
            }
        }
        let raw = try await rate(seconds: 2) { k in
            let prefix = Array("customer-\(k % customers)\u{0}".utf8)
            try env.read { txn in
                var ids: [[UInt8]] = []
                try txn.scan(keys, from: prefix) { entry in
                    guard entry.key.starts(with: prefix), ids.count < 25 else { return false }
                    ids.append(Array(entry.value))
                    return true
                }
                for id in ids { _ = try JSON.parse(try txn.get(bodies, key: id) ?? []) }
            }
        }
        report("_find by indexed field, limit 25, q/s", indexed, unit: "/s", baseline: raw, baselineName: "raw LMDB range+get")
        let scan = try await rate(seconds: 2, tasks: 4) { k in _ = try await db.find(try query(k, "email")) }
        report("_find without index (full scan), q/s", scan, unit: "/s", baseline: indexed, baselineName: "indexed")
    }

    /// Calls per second of `body` from `tasks` concurrent tasks over `seconds`.
    static func rate(seconds: Double, tasks: Int = 16, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        try await body(task * 7919 + n)
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(counts) / seconds
    }
}
