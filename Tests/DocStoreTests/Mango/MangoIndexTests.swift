import Foundation
import LMDB
import Testing
@testable import DocStore

/// Mango JSON indexes: rows follow every write, builds run in the background, the
/// planner picks CouchDB's index, bookmarks continue exactly after the last row.
@Suite struct MangoIndexTests {
    func find(_ db: DocumentDatabase, _ body: JSON) async throws -> FindResult {
        try await db.find(try FindRequest(body.objectValue!))
    }

    func ids(_ result: FindResult) -> [String] { result.documents.compactMap { $0["_id"]?.stringValue } }

    /// Waits until no index of `db` is still building.
    func waitUntilBuilt(_ db: DocumentDatabase) async throws {
        for _ in 0..<2_000 {
            let building = try db.readQuery { txn in try MangoCatalog.load(txn, db.tables, cache: db.mangoCache) }.indexes.contains { !$0.isReady }
            if !building { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("index build did not finish")
    }

    func rows(_ db: DocumentDatabase) throws -> Int {
        try db.readQuery { txn in try txn.count(db.tables.mango) }
    }

    func index(_ db: DocumentDatabase, _ fields: [String], ddoc: String, name: String, partial: JSON? = nil) async throws {
        var def: JSONObject = ["fields": .array(fields.map { .string($0) })]
        if let partial { def["partial_filter_selector"] = partial }
        _ = try await db.createIndex(["index": .object(def), "ddoc": .string(ddoc), "name": .string(name)])
        try await waitUntilBuilt(db)
    }

    @Test func rowsFollowInsertsUpdatesDeletesAndPurges() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        try await index(db, ["n"], ddoc: "n", name: "n")
        let first = try await db.put(doc("a", ["n": 1]))
        try await db.put(doc("b", ["n": 2]))
        try await db.put(doc("c", ["other": 3]))  // lacks the field: not in the index
        #expect(try rows(db) == 2)
        #expect(ids(try await find(db, ["selector": ["n": ["$gt": 0]], "sort": ["n"]])) == ["a", "b"])
        try await db.put(doc("a", ["n": 5], rev: first))
        #expect(ids(try await find(db, ["selector": ["n": ["$gt": 0]], "sort": ["n"]])) == ["b", "a"])
        #expect(try rows(db) == 2)
        let b = try db.document("b").revision.description
        try await db.put(doc("b", [:], rev: b, deleted: true))
        #expect(ids(try await find(db, ["selector": ["n": ["$gt": 0]]])) == ["a"])
        #expect(try rows(db) == 1)
        let a = try db.document("a").revision
        _ = try await db.purge(["a": [a]])
        #expect(try rows(db) == 0)
        #expect(ids(try await find(db, ["selector": ["n": ["$gt": 0]]])).isEmpty)
        // Deleting the index removes its rows.
        try await db.put(doc("d", ["n": 7]))
        #expect(try rows(db) == 1)
        #expect(try await db.deleteIndex(designDocument: "n", type: "json", name: "n"))
        #expect(try rows(db) == 0)
    }

    @Test func partialIndexLeavesOutRejectedDocuments() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        try await index(db, ["n"], ddoc: "p", name: "p", partial: ["type": "veg"])
        try await db.put(doc("a", ["n": 1, "type": "veg"]))
        try await db.put(doc("b", ["n": 2, "type": "fruit"]))
        #expect(try rows(db) == 1)
        let named = try await find(db, ["selector": ["n": ["$gt": 0]], "use_index": "p"])
        #expect(ids(named) == ["a"])
    }

    /// The planner's choice, as CouchDB makes it: narrowest prefix overlap, then fewest columns.
    @Test(arguments: [
        (#"{"a": 1}"#, "a"), (#"{"a": 1, "b": 2}"#, "ab"), (#"{"b": {"$gt": 1}}"#, "b"),
        (#"{"c": 1}"#, "_all_docs"), (#"{"a": {"$gt": 1}, "b": 1}"#, "ab"),
    ])
    func plannerChoosesCouchDBsIndex(_ selector: String, _ expected: String) async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        try await index(db, ["a"], ddoc: "a", name: "a")
        try await index(db, ["a", "b"], ddoc: "ab", name: "ab")
        try await index(db, ["b"], ddoc: "b", name: "b")
        let request = try FindRequest(["selector": try JSON.parse(Array(selector.utf8))])
        let explained = try db.explain(request)
        #expect(explained["index"]?["name"]?.stringValue == expected)
    }

    @Test func sortWithoutIndexIsRefused() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        await #expect(throws: MangoError.noUsableSortIndex) { try await find(db, ["selector": ["a": 1], "sort": ["a"]]) }
    }

    /// Pages continue right after the last row returned, whatever was written between pages.
    @Test func bookmarksContinueAfterConcurrentWrites() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        try await index(db, ["n"], ddoc: "n", name: "n")
        let original = (0..<60).map { String(format: "d%03d", $0) }
        _ = try await db.update(original.enumerated().map { doc($1, ["n": .number(JSONNumber($0))]) })
        var seen: [String] = []
        var bookmark: String?
        var round = 0
        while true {
            var body: JSONObject = ["selector": ["n": ["$gte": 0]], "sort": ["n"], "limit": 7]
            if let bookmark { body["bookmark"] = .string(bookmark) }
            let page = try await find(db, .object(body))
            if page.documents.isEmpty { break }
            seen += ids(page)
            bookmark = page.bookmark
            round += 1
            // Before the position (never seen), after it (seen later), and the last row deleted.
            try await db.put(doc("early\(round)", ["n": -1]))
            if round <= 3 { try await db.put(doc("late\(round)", ["n": .number(JSONNumber(1000 + round))])) }
            let lastID = ids(page).last!
            try await db.put(doc(lastID, [:], rev: try db.document(lastID).revision.description, deleted: true))
        }
        let late = seen.filter { $0.hasPrefix("late") }
        #expect(seen.filter { $0.hasPrefix("d") } == original)
        #expect(!seen.contains { $0.hasPrefix("early") })
        #expect(Set(seen).count == seen.count)
        #expect(late == ["late1", "late2", "late3"])
    }

    /// CouchDB plans with an index as soon as its design document exists and waits for it:
    /// a sorted query right after `_index` is answered from the index, complete.
    @Test func queryWaitsForTheIndexBeingBuilt() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        for chunk in 0..<5 {
            _ = try await db.update((0..<1_000).map { i in doc("doc\(chunk)-\(i)", ["n": .number(JSONNumber(chunk * 1_000 + i))]) })
        }
        _ = try await db.createIndex(["index": ["fields": ["n"]], "ddoc": "n", "name": "n"])
        let early = try await find(db, ["selector": ["n": ["$gte": 4_990]], "sort": ["n"], "limit": 100])
        #expect(ids(early) == (990..<1_000).map { "doc4-\($0)" })
        #expect(!early.warnings.contains { $0.hasPrefix("No matching index") })
        #expect(try !db.isBuildingMangoIndexes())
        let built = try await find(db, ["selector": ["n": ["$gte": 0]], "limit": 10_000, "execution_stats": true])
        #expect(built.documents.count == 5_000)
        #expect(!built.warnings.contains { $0.hasPrefix("No matching index") })
        #expect(try rows(db) == 5_000)
    }

    @Test func buildResumesAfterReopen() async throws {
        let directory = NSTemporaryDirectory() + "docstore-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 8 << 20
        weak var first: DocumentDatabase?
        do {
            let store = try DocumentStore(configuration: configuration)
            let db = try store.createDatabase("db")
            first = db
            _ = try await db.update((0..<3_000).map { i in doc("doc\(i)", ["n": .number(JSONNumber(i))]) })
            _ = try await db.createIndex(["index": ["fields": ["n"]], "ddoc": "n", "name": "n"])
        }
        // LMDB must not have one file open twice in a process: wait until the first
        // handle is gone (a build step holds it until the step ends).
        while first != nil { try await Task.sleep(for: .milliseconds(1)) }
        let reopened = try DocumentStore(configuration: configuration)
        let db = try reopened.database("db")
        try await waitUntilBuilt(db)
        let result = try await find(db, ["selector": ["n": ["$gte": 0]], "limit": 5_000])
        #expect(result.documents.count == 3_000)
    }

    @Test func indexArrivingByReplicationIsUsable() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        try await db.put(doc("a", ["n": 1]))
        let view: JSON = ["map": ["fields": ["n": "asc"], "partial_filter_selector": [:]], "reduce": "_count", "options": ["def": ["fields": ["n"]]]]
        var update = try DocumentUpdate(json: ["_id": "_design/rep", "_rev": "1-abcdef0123456789abcdef0123456789", "language": "query", "views": ["by-n": view]])
        update.revisions = RevisionPath(start: 1, ids: ["abcdef0123456789abcdef0123456789"])
        _ = try await db.update([update], newEdits: false)
        try await waitUntilBuilt(db)
        let result = try await find(db, ["selector": ["n": 1], "use_index": ["rep", "by-n"]])
        #expect(ids(result) == ["a"])
        #expect(result.warnings.isEmpty)
    }
}
