import Testing
@testable import DocStore

@Suite struct ChangesTests {
    func seed(_ db: DocumentDatabase) async throws -> [String: String] {
        var revs: [String: String] = [:]
        for id in ["a", "b", "c"] { revs[id] = try await db.put(doc(id)) }
        revs["a"] = try await db.put(doc("a", ["v": 2], rev: revs["a"]))  // seq 4; a leaves seq 1
        revs["b"] = try await db.put(doc("b", rev: revs["b"], deleted: true))  // seq 5
        return revs
    }

    @Test func oneEntryPerDocumentInSequenceOrder() async throws {
        let db = try TemporaryStore().database()
        _ = try await seed(db)
        let (changes, last) = try db.changes(ChangesOptions())
        #expect(changes.map(\.id) == ["c", "a", "b"])
        #expect(changes.map(\.sequence) == [3, 4, 5])
        #expect(changes[2].deleted)
        #expect(last == 5)
    }

    @Test func sinceLimitDescending() async throws {
        let db = try TemporaryStore().database()
        _ = try await seed(db)
        var options = ChangesOptions()
        options.since = 3
        #expect(try db.changes(options).changes.map(\.id) == ["a", "b"])
        options = ChangesOptions()
        options.limit = 1
        let limited = try db.changes(options)
        #expect(limited.changes.map(\.id) == ["c"] && limited.lastSequence == 3)
        options = ChangesOptions()
        options.descending = true
        #expect(try db.changes(options).changes.map(\.id) == ["b", "a", "c"])
        options.limit = 2
        let descending = try db.changes(options)
        #expect(descending.changes.map(\.sequence) == [5, 4] && descending.lastSequence == 4)
        #expect(try db.pendingChanges(after: 3) == 2)
    }

    @Test func documentIDFilterAndBodies() async throws {
        let db = try TemporaryStore().database()
        _ = try await seed(db)
        var options = ChangesOptions()
        options.documentIDs = ["a", "zzz"]
        options.includeDocuments = true
        let changes = try db.changes(options).changes
        #expect(changes.map(\.id) == ["a"])
        #expect(changes[0].document?.fields()["v"] == 2)
    }

    @Test func allLeavesStyle() async throws {
        let db = try TemporaryStore().database()
        _ = try await db.update(
            [
                DocumentUpdate(id: "x", revisions: RevisionPath(start: 2, ids: ["a", "r"])),
                DocumentUpdate(id: "x", revisions: RevisionPath(start: 2, ids: ["b", "r"])),
            ], newEdits: false)
        var options = ChangesOptions()
        #expect(try db.changes(options).changes[0].revisions == [rev("2-b")])
        options.allLeaves = true
        #expect(try db.changes(options).changes[0].revisions == [rev("2-b"), rev("2-a")])
    }

    @Test func notificationsWakeWaitingReaders() async throws {
        let db = try TemporaryStore().database()
        let stream = db.commitNotifications()
        let waiter = Task { () -> UInt64? in
            for await sequence in stream where sequence >= 2 { return sequence }
            return nil
        }
        try await db.put(doc("a"))
        try await db.put(doc("b"))
        #expect(await waiter.value == 2)
    }
}

@Suite struct AllDocumentsTests {
    func seeded() async throws -> DocumentDatabase {
        let db = try TemporaryStore().database()
        for id in ["a", "b", "c", "d", "_design/x"] { try await db.put(doc(id, ["id": .string(id)])) }
        let rev = try await db.put(doc("gone"))
        try await db.put(doc("gone", rev: rev, deleted: true))
        try await db.put(doc("_local/hidden"))
        return db
    }

    func ids(_ db: DocumentDatabase, _ configure: (inout AllDocumentsOptions) -> Void = { _ in }) throws -> [String] {
        var options = AllDocumentsOptions()
        configure(&options)
        return try db.allDocuments(options).rows.map(\.id)
    }

    @Test func rangesInByteOrderWithoutDeletedOrLocal() async throws {
        let db = try await seeded()
        #expect(try ids(db) == ["_design/x", "a", "b", "c", "d"])
        #expect(try ids(db) { $0.startKey = "b"; $0.endKey = "c" } == ["b", "c"])
        #expect(try ids(db) { $0.startKey = "b"; $0.endKey = "c"; $0.inclusiveEnd = false } == ["b"])
        #expect(try ids(db) { $0.descending = true; $0.limit = 2 } == ["d", "c"])
        #expect(try ids(db) { $0.startKey = "c"; $0.endKey = "a"; $0.descending = true } == ["c", "b", "a"])
        #expect(try ids(db) { $0.skip = 1; $0.limit = 2 } == ["a", "b"])
        #expect(try ids(db) { $0.prefix = "_design/" } == ["_design/x"])
        // An empty prefix restricts nothing (it once crashed the server).
        #expect(try ids(db) { $0.prefix = "" } == ["_design/x", "a", "b", "c", "d"])
        #expect(try db.allDocuments({ var o = AllDocumentsOptions(); o.prefix = ""; return o }()).totalRows == 5)
        // An empty key sorts before every id (LMDB itself refuses empty keys).
        #expect(try ids(db) { $0.startKey = "" } == ["_design/x", "a", "b", "c", "d"])
        #expect(try ids(db) { $0.startKey = ""; $0.descending = true }.isEmpty)
        #expect(try ids(db) { $0.endKey = "" }.isEmpty)
        var options = AllDocumentsOptions()
        options.startKey = "b"
        let result = try db.allDocuments(options)
        #expect(result.totalRows == 5 && result.offset == 2)
    }

    @Test func keysReportMissingAndDeleted() async throws {
        let db = try await seeded()
        var options = AllDocumentsOptions()
        options.keys = ["c", "nope", "gone", "a"]
        options.includeDocuments = true
        let rows = try db.allDocuments(options).rows
        #expect(rows.map(\.id) == ["c", "nope", "gone", "a"])
        if case .notFound = rows[1].value {} else { Issue.record("nope should be not_found") }
        if case .deleted(let r) = rows[2].value { #expect(r.position == 2) } else { Issue.record("gone should be deleted") }
        #expect(rows[0].document?.fields()["id"] == "c")
        #expect(rows[2].document == nil)
    }

    @Test func descendingReversesKeysBeforeSkipAndLimit() async throws {
        // CouchDB 3.4.3: keys=["e","a"]&descending=true answers a, then e.
        let db = try await seeded()
        #expect(try ids(db) { $0.keys = ["c", "nope", "a"]; $0.descending = true } == ["a", "nope", "c"])
        #expect(try ids(db) { $0.keys = ["c", "nope", "a"]; $0.descending = true; $0.skip = 1; $0.limit = 1 } == ["nope"])
    }

    @Test func prefixCountsItsOwnRowsAndCapsTheOffset() async throws {
        // CouchDB 3.4.3's _design_docs: total_rows is the number of design documents;
        // offset counts every live document before the range, but at most total_rows.
        let db = try await seeded()
        try await db.put(doc("_design/y"))
        try await db.put(doc("0"))
        var options = AllDocumentsOptions()
        options.prefix = "_design/"
        let forward = try db.allDocuments(options)
        #expect(forward.totalRows == 2 && forward.offset == 1)
        options.descending = true
        let backward = try db.allDocuments(options)
        #expect(backward.rows.map(\.id) == ["_design/y", "_design/x"])
        #expect(backward.totalRows == 2 && backward.offset == 2)
    }
}
