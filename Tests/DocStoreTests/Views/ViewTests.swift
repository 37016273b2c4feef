import Foundation
import Testing
@testable import DocStore

/// Map/reduce views: builds, incremental updates, reduces, parameters, bad input.
@Suite struct ViewTests {
    static let design: JSONObject = [
        "views": [
            "by_n": ["map": "function(doc){ if (doc.n !== undefined) emit(doc.n, doc.n * 2); }"],
            "parity": ["map": "function(doc){ if (doc.n !== undefined) emit([doc.n % 2, doc.n], doc.n); }", "reduce": "_sum"],
            "count": [
                "map": "function(doc){ if (doc.n !== undefined) emit(doc.n % 3, 1); }",
                "reduce": "function(keys, values, rereduce){ return rereduce ? sum(values) : values.length; }",
            ],
        ]
    ]

    func seeded(_ count: Int = 10) async throws -> (TemporaryStore, DocumentDatabase) {
        let temporary = try TemporaryStore()
        let db = try temporary.database()
        try await db.put(doc("_design/d", Self.design))
        _ = try await db.update((1...count).map { doc(String(format: "d%03d", $0), ["n": .number(JSONNumber($0))]) })
        return (temporary, db)
    }

    func query(_ configure: (inout ViewQuery) -> Void = { _ in }) -> ViewQuery {
        var query = ViewQuery()
        configure(&query)
        return query
    }

    func keys(_ result: ViewResult) -> [JSON] { result.rows.map(\.key) }

    @Test func mapRowsComeInCollationOrderWithTotalsAndOffsets() async throws {
        let (_, db) = try await seeded()
        let all = try await db.queryView(designDocument: "_design/d", view: "by_n", query())
        #expect(all.totalRows == 10)
        #expect(all.offset == 0)
        #expect(keys(all) == (1...10).map { .number(JSONNumber($0)) })
        #expect(all.rows[2].id == "d003")
        #expect(all.rows[2].value == .number(JSONNumber(6)))
        let page = try await db.queryView(designDocument: "_design/d", view: "by_n", query { $0.skip = 2; $0.limit = 3 })
        #expect(keys(page) == [3, 4, 5])
        #expect(page.offset == 2)
    }

    @Test func rangesKeysAndDirection() async throws {
        let (_, db) = try await seeded()
        func run(_ configure: (inout ViewQuery) -> Void) async throws -> [JSON] {
            keys(try await db.queryView(designDocument: "_design/d", view: "by_n", query(configure)))
        }
        #expect(try await run { $0.startKey = 3; $0.endKey = 5 } == [3, 4, 5])
        #expect(try await run { $0.startKey = 3; $0.endKey = 5; $0.inclusiveEnd = false } == [3, 4])
        #expect(try await run { $0.startKey = 5; $0.endKey = 3; $0.descending = true } == [5, 4, 3])
        #expect(try await run { $0.startKey = 5; $0.endKey = 3; $0.descending = true; $0.inclusiveEnd = false } == [5, 4])
        #expect(try await run { $0.startKey = 4; $0.endKey = 4 } == [4])
        #expect(try await run { $0.keys = [7, 2, 99, 7] } == [7, 2, 7])
        #expect(try await run { $0.startKey = "a" } == [])
        #expect(try await run { $0.limit = 0 } == [])
        // Document ids narrow a key's rows.
        try await db.put(doc("e004", ["n": 4]))
        #expect(try await run { $0.startKey = 4; $0.startDocumentID = "e"; $0.endKey = 5 } == [4, 5])
        #expect(try await run { $0.startKey = 4; $0.endKey = 4; $0.endDocumentID = "d004" }.count == 1)
        #expect(try await run { $0.startKey = 4; $0.endKey = 4 }.count == 2)
    }

    @Test func includeDocsAndLinkedDocuments() async throws {
        let (_, db) = try await seeded(3)
        try await db.put(doc("_design/link", ["views": ["l": ["map": "function(doc){ if (doc.n) emit(doc.n, {_id: 'd001'}); }"]]]))
        let result = try await db.queryView(designDocument: "_design/d", view: "by_n", query { $0.includeDocuments = true; $0.limit = 1 })
        #expect(result.rows[0].document?["n"] == 1)
        #expect(result.rows[0].document?["_id"] == "d001")
        let linked = try await db.queryView(designDocument: "_design/link", view: "l", query { $0.includeDocuments = true })
        #expect(linked.rows.map { $0.document?["_id"] } == ["d001", "d001", "d001"])
    }

    @Test func updatesReplaceRowsIncrementally() async throws {
        let (_, db) = try await seeded(5)
        _ = try await db.queryView(designDocument: "_design/d", view: "by_n", query())
        let rev = try #require(db.winner("d002"))
        try await db.put(doc("d002", ["n": 20], rev: rev))
        try await db.put(doc("d003", rev: try #require(db.winner("d003")), deleted: true))
        try await db.put(doc("d006", ["other": true]))
        let stale = try await db.queryView(designDocument: "_design/d", view: "by_n", query { $0.update = .never })
        // Background catch-up may already have run; it never shows a half-applied change.
        #expect(stale.totalRows == 5 || stale.totalRows == 4)
        let fresh = try await db.queryView(designDocument: "_design/d", view: "by_n", query())
        #expect(keys(fresh) == [1, 4, 5, 20])
        #expect(fresh.totalRows == 4)
        #expect(fresh.updateSequence == (try db.updateSequence()))
    }

    @Test func builtInAndJavaScriptReducesWithRereduceAndGroupLevels() async throws {
        let (_, db) = try await seeded(1_234)
        let total = try await db.queryView(designDocument: "_design/d", view: "count", query())
        // 1,234 rows reduce in chunks of 500 and then rereduce: 1,234 only if both ran right.
        #expect(total.rows.map(\.value) == [1_234])
        #expect(total.totalRows == nil)
        let grouped = try await db.queryView(designDocument: "_design/d", view: "count", query { $0.group = true })
        #expect(grouped.rows.map(\.key) == [0, 1, 2])
        #expect(grouped.rows.map(\.value) == [411, 412, 411])
        let byParity = try await db.queryView(designDocument: "_design/d", view: "parity", query { $0.groupLevel = 1 })
        #expect(byParity.rows.map(\.key) == [[0], [1]])
        #expect(byParity.rows.map(\.value) == [.number(JSONNumber(381_306)), .number(JSONNumber(380_689))])
        let exact = try await db.queryView(designDocument: "_design/d", view: "parity", query { $0.group = true; $0.limit = 2 })
        #expect(exact.rows.map(\.key) == [[0, 2], [0, 4]])
        let keyed = try await db.queryView(designDocument: "_design/d", view: "parity", query { $0.group = true; $0.keys = [[1, 1], [0, 2]] })
        #expect(keyed.rows.map(\.value) == [1, 2])
        let unreduced = try await db.queryView(designDocument: "_design/d", view: "parity", query { $0.reduce = false; $0.limit = 1 })
        #expect(unreduced.totalRows == 1_234)
    }

    @Test func builtInReducesFollowCouchDB() {
        #expect(BuiltInReduce.reduce("_count", keys: [1, 2], values: [5, 5]) == 2)
        #expect(BuiltInReduce.reduce("_sum", keys: [], values: [1, 2.5]) == .number(JSONNumber(3.5)!))
        #expect(BuiltInReduce.reduce("_sum", keys: [], values: [[1, 2], [3], 4]) == [8, 2])
        #expect(BuiltInReduce.reduce("_sum", keys: [], values: [["a": 1], ["a": 2, "b": ["c": 1]]]) == ["a": 3, "b": ["c": 1]])
        #expect(BuiltInReduce.reduce("_sum", keys: [], values: [1, "x"])["error"] == "builtin_reduce_error")
        #expect(BuiltInReduce.reduce("_stats", keys: [], values: [1, 2, 3]) == ["sum": 6, "count": 3, "min": 1, "max": 3, "sumsqr": 14])
        #expect(BuiltInReduce.reduce("_approx_count_distinct", keys: [1, 2, 1, "a"], values: []) == 3)
    }

    @Test func invalidParametersAreQueryParseErrors() async throws {
        let (_, db) = try await seeded(2)
        func reason(_ view: String, _ configure: (inout ViewQuery) -> Void) async -> String? {
            do {
                _ = try await db.queryView(designDocument: "_design/d", view: view, query(configure))
                return nil
            } catch {
                #expect(error.code == .queryParseError)
                return error.reason
            }
        }
        #expect(await reason("by_n") { $0.reduce = true } == "Reduce is invalid for map-only views.")
        #expect(await reason("by_n") { $0.group = true } == "Invalid use of grouping on a map view.")
        #expect(await reason("parity") { $0.includeDocuments = true } == "`include_docs` is invalid for reduce")
        #expect(await reason("parity") { $0.keys = [1, 2] } == "Multi-key fetches for reduce views must use `group=true`")
        #expect(await reason("parity") { $0.group = false; $0.groupLevel = 1 } == "Can't specify group=false and group_level>0 at the same time")
        await #expect(throws: DocStoreError(.notFound, "missing_named_view")) {
            _ = try await db.queryView(designDocument: "_design/d", view: "nope", query())
        }
    }

    @Test func designDocumentsThatDoNotCompileAreRefused() async throws {
        let temporary = try TemporaryStore()
        let db = try temporary.database()
        await #expect(throws: DocStoreError.self) { try await db.put(doc("_design/bad", ["views": ["v": ["map": "function(doc){ emit("]]])) }
        do {
            try await db.put(doc("_design/bad", ["views": ["v": ["map": "function(doc){}", "reduce": "function(k, v) {"]]]))
        } catch {
            #expect(error.code == .compilationError)
            #expect(error.reason.hasPrefix("Compilation of the reduce function in the 'v' view failed: "))
        }
        await #expect(throws: DocStoreError(.invalidDesignDocument, "`_median` is not a supported reduce function.")) {
            try await db.put(doc("_design/bad", ["views": ["v": ["map": "function(doc){}", "reduce": "_median"]]]))
        }
        await #expect(throws: DocStoreError(.invalidDesignDocument, "View `v` must contain map function")) {
            try await db.put(doc("_design/bad", ["views": ["v": ["reduce": "_count"]]]))
        }
    }

    @Test func aThrowingMapSkipsTheDocumentAndLogs() async throws {
        let lines = LockedLines()
        let temporary = try TemporaryStore { $0.viewLog = { lines.append($0) } }
        let db = try temporary.database()
        try await db.put(doc("_design/t", ["views": ["v": ["map": "function(doc){ if (doc.n == 2) throw new Error('two'); log('saw ' + doc._id); emit(doc.n, null); }"]]]))
        _ = try await db.update([doc("a", ["n": 1]), doc("b", ["n": 2]), doc("c", ["n": 3])])
        let result = try await db.queryView(designDocument: "_design/t", view: "v", query())
        #expect(keys(result) == [1, 3])
        #expect(lines.all.contains { $0.contains("function raised exception Error: two with doc._id b") })
        #expect(lines.all.contains { $0.contains("saw a") })
    }

    @Test func aRunawayMapIsStoppedWithAClearError() async throws {
        let temporary = try TemporaryStore { $0.javaScriptTimeLimit = 0.2 }
        let db = try temporary.database()
        try await db.put(doc("_design/spin", ["views": ["v": ["map": "function(doc){ while(true){} }"]]]))
        try await db.put(doc("a", ["n": 1]))
        do {
            _ = try await db.queryView(designDocument: "_design/spin", view: "v", query())
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .javaScriptFailure)
            #expect(error.reason.contains("timeout"))
        }
        // The database still answers.
        #expect(try db.document("a").id == "a")
    }

    @Test func designDocumentsShareNoGlobals() async throws {
        let temporary = try TemporaryStore()
        let db = try temporary.database()
        try await db.put(doc("_design/a", ["views": ["v": ["map": "function(doc){ leaked = 'from a'; Array.prototype.evil = 1; emit(1, 1); }"]]]))
        try await db.put(doc("_design/b", ["views": ["v": ["map": "function(doc){ emit(typeof leaked, typeof [].evil); }"]]]))
        try await db.put(doc("x", ["n": 1]))
        _ = try await db.queryView(designDocument: "_design/a", view: "v", query())
        let b = try await db.queryView(designDocument: "_design/b", view: "v", query())
        #expect(b.rows.map(\.key) == ["undefined"])
        #expect(b.rows.map(\.value) == ["undefined"])
    }

    @Test func requireLoadsModulesFromViewsLib() async throws {
        let temporary = try TemporaryStore()
        let db = try temporary.database()
        try await db.put(doc("_design/r", ["views": [
            "lib": ["math": "var h = require('./helper'); exports.triple = function(x){ return h.add(x, 2 * x); };", "helper": "exports.add = function(a, b){ return a + b; };"],
            "v": ["map": "function(doc){ emit(doc._id, require('views/lib/math').triple(doc.n)); }"],
        ]]))
        try await db.put(doc("x", ["n": 5]))
        let result = try await db.queryView(designDocument: "_design/r", view: "v", query())
        #expect(result.rows.map(\.value) == [15])
    }

    @Test func editingOtherFieldsKeepsTheIndexAndCleanupDropsUnusedOnes() async throws {
        let (_, db) = try await seeded(3)
        _ = try await db.queryView(designDocument: "_design/d", view: "by_n", query())
        let before = try db.viewGroupInfo(designDocument: "_design/d")
        var edited = Self.design
        edited["comment"] = "only a comment changed"
        try await db.put(doc("_design/d", edited, rev: try #require(db.winner("_design/d"))))
        let after = try db.viewGroupInfo(designDocument: "_design/d")
        #expect(after.signature == before.signature)
        // The same index, never reset (the background updater may index the edit itself).
        #expect(after.updateSequence >= before.updateSequence)
        // A new map function is a new index; cleanup then drops the old one.
        try await db.put(doc("_design/d", ["views": ["by_n": ["map": "function(doc){ emit(doc._id, 1); }"]]], rev: try #require(db.winner("_design/d"))))
        let changed = try db.viewGroupInfo(designDocument: "_design/d")
        #expect(changed.signature != before.signature)
        try await db.cleanUpViews()
        let groups = try db.read { txn in try ViewGroupRecord.all(txn, db.tables) }
        #expect(groups.allSatisfy { $0.signature != before.signature })
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
