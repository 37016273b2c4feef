import Foundation
import TestSupport
import Testing
@testable import DocStore

/// A child builds a view while writers go on and is killed with SIGKILL mid-build; after
/// each kill the view, brought up to date, holds exactly one row per live document, and
/// the build resumed from the sequence the last complete batch saved.
@Suite(.serialized) struct ViewCrashTests {
    @Test func viewBuildsResumeAndAreCompleteAfterSIGKILL() async throws {
        let directory = NSTemporaryDirectory() + "docstore-crash-views-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = CrashSafetyTests.writerPath
        try #require(FileManager.default.isExecutableFile(atPath: writer), "build the crash writer first")
        var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
        weak var previous: DocumentDatabase?
        var resumed = false
        for cycle in 0..<5 {
            let lifetime = 0.4 + Double(random.next() % 600) / 1000
            _ = try await KilledChild.run(writer, arguments: [directory, "v\(cycle)", "views"], for: lifetime)
            while previous != nil { try await Task.sleep(for: .milliseconds(1)) }
            let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
            guard store.databaseExists("crash") else { continue }
            let db = try store.database("crash")
            previous = db
            guard (try? db.document("_design/v")) != nil else { continue }
            let saved = try db.read { txn in try ViewGroupRecord.all(txn, db.tables) }.first?.sequence ?? 0
            let current = try db.updateSequence()
            if saved > 0 && saved < current { resumed = true }
            var query = ViewQuery()
            query.reduce = false
            let rows = try await db.queryView(designDocument: "_design/v", view: "all", query)
            let live = try db.allDocuments(AllDocumentsOptions()).rows.filter { !$0.id.hasPrefix("_design/") }.map(\.id)
            #expect(rows.totalRows == live.count, "cycle \(cycle)")
            #expect(Set(rows.rows.compactMap(\.id)) == Set(live), "cycle \(cycle)")
            #expect(rows.rows.count == live.count, "cycle \(cycle): duplicate rows")
            var counted = ViewQuery()
            counted.update = .never
            let count = try await db.queryView(designDocument: "_design/v", view: "all", counted)
            #expect(count.rows.first?.value == .number(JSONNumber(live.count)), "cycle \(cycle)")
        }
        // Not guaranteed by the timing, but expected: some kill landed between batches.
        if !resumed { print("note: no kill landed mid-build in this run") }
    }
}
