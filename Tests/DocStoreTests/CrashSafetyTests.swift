import Foundation
import TestSupport
import Testing
@testable import DocStore

/// Kills a writing child process with SIGKILL at random moments and checks that every
/// write it acknowledged survived and that the database still opens.
@Suite(.serialized) struct CrashSafetyTests {
    static let writerPath = KilledChild.path("docstore-crash-writer")

    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        let directory = NSTemporaryDirectory() + "docstore-crash-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #require(FileManager.default.isExecutableFile(atPath: Self.writerPath), "build the crash writer first")
        var acknowledged: [String: String] = [:]
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SplitMix64(seed: seed)
        for cycle in 0..<20 {
            // Let it write for a random while, reading what it acknowledges.
            let lifetime = 0.15 + Double(random.next() % 600) / 1000
            let complete = try await KilledChild.run(Self.writerPath, arguments: [directory, "c\(cycle)"], for: lifetime)
            for line in complete {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                acknowledged[String(parts[0])] = String(parts[1])
            }
            // Reopen and check every acknowledged write so far.
            let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
            let db = try store.database("crash")
            var lost: [String] = []
            for (id, revision) in acknowledged {
                let answers = try db.openRevisions(id, revisions: [Revision(revision)!], latest: true)
                if !answers.contains(where: { if case .found = $0 { true } else { false } }) { lost.append("\(id) \(revision)") }
            }
            #expect(lost.isEmpty, "cycle \(cycle) (seed \(seed)): lost \(lost.prefix(5))")
            #expect(try db.info().documentCount >= acknowledged.count)
        }
        #expect(acknowledged.count > 100, "the writer acknowledged too little to test anything")
    }

    /// Mango rows written in the same transactions as the documents, and builds that
    /// resume: after any kill, once builds finish, each index holds exactly the rows its
    /// definition gives the documents.
    @Test func mangoIndexesExactAfterSIGKILL() async throws {
        let directory = NSTemporaryDirectory() + "docstore-crash-mango-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #require(FileManager.default.isExecutableFile(atPath: Self.writerPath), "build the crash writer first")
        var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        weak var previous: DocumentDatabase?
        for cycle in 0..<6 {
            let lifetime = 0.3 + Double(random.next() % 500) / 1000
            _ = try await KilledChild.run(Self.writerPath, arguments: [directory, "m\(cycle)", "mango"], for: lifetime)
            // The last cycle's handle must be closed first (a build step may hold it):
            // LMDB must not have one file open twice in a process.
            while previous != nil { try await Task.sleep(for: .milliseconds(1)) }
            let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
            guard store.databaseExists("crash") else { continue }
            let db = try store.database("crash")
            previous = db
            var catalog = MangoCatalog.empty
            for _ in 0..<4_000 {
                catalog = try db.readQuery { txn in try MangoCatalog.load(txn, db.tables, cache: db.mangoCache) }
                if !catalog.indexes.contains(where: { !$0.isReady }) { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(!catalog.indexes.contains { !$0.isReady }, "cycle \(cycle): builds did not finish")
            let (expected, actual) = try db.readQuery { txn -> ([UInt32: Int], [UInt32: Int]) in
                var expected: [UInt32: Int] = [:]
                var actual: [UInt32: Int] = [:]
                try txn.scan(db.tables.documents) { entry in
                    let id = String(decoding: entry.key, as: UTF8.self)
                    guard !id.hasPrefix("_design/") else { return true }
                    let record = try DocumentRecord(decoding: entry.value)
                    guard let document = try DocumentDatabase.winnerJSON(id, record, nil, nil) else { return true }
                    for index in catalog.indexes where index.values(of: document) != nil { expected[index.number, default: 0] += 1 }
                    return true
                }
                try txn.scan(db.tables.mango) { entry in
                    actual[IndexKey.indexNumber(entry.key), default: 0] += 1
                    return true
                }
                return (expected, actual)
            }
            #expect(expected == actual, "cycle \(cycle)")
        }
    }
}
