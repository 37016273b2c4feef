import Testing
@testable import DocStore

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersOnOneDatabase() async throws {
        let db = try TemporaryStore().database()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var rev: String?
                    for round in 0..<10 {
                        rev = try await db.put(doc("doc-\(task)", ["round": .number(JSONNumber(round))], rev: rev))
                    }
                }
            }
            try await group.waitForAll()
        }
        let info = try db.info()
        #expect(info.documentCount == 64)
        #expect(info.updateSequence == 640)
        #expect(try db.changes(ChangesOptions()).changes.count == 64)
        for task in 0..<64 { #expect(try db.document("doc-\(task)").revision.position == 10) }
    }

    @Test func concurrentEditsOfOneDocumentHaveOneWinnerPerRevision() async throws {
        let db = try TemporaryStore().database()
        let base = try await db.put(doc("hot"))
        let results = try await withThrowingTaskGroup(of: UpdateResult.self) { group in
            for i in 0..<20 {
                group.addTask { try await db.update([doc("hot", ["i": .number(JSONNumber(i))], rev: base)])[0] }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.isSuccess).count == 1)
        #expect(results.filter { $0.error == .updateConflict }.count == 19)
    }

    @Test func readersSeeOnlyWholeBatches() async throws {
        let db = try TemporaryStore().database()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<50 {
                    let batch = (0..<20).map { doc("r\(round)-\($0)") }
                    _ = try await db.update(batch)
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    for _ in 0..<200 {
                        let count = try db.info().documentCount
                        #expect(count % 20 == 0, "saw \(count) documents: half a batch")
                        let listed = try db.allDocuments(AllDocumentsOptions()).rows.count
                        #expect(listed % 20 == 0)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

@Suite struct PurgeAndSecurityTests {
    @Test func purgeRemovesRevisionsEntirely() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a"))
        try await db.put(doc("keep"))
        let purged = try await db.purge(["a": [rev(rev1)], "nope": [rev("1-x")]])
        #expect(purged["a"] == [rev(rev1)])
        #expect(purged["nope"] == [])
        #expect(throws: DocStoreError.missing) { try db.document("a") }
        let info = try db.info()
        // CouchDB counts every id of a purge request, purged or not, and the request as an update.
        #expect(info.purgeSequence == 2 && info.documentCount == 1 && info.deletedCount == 0)
        #expect(info.updateSequence == 3)
        #expect(try db.changes(ChangesOptions()).changes.map(\.id) == ["keep"])
        // The id can be used afresh.
        #expect(try await db.put(doc("a")).hasPrefix("1-"))
    }

    @Test func purgingOneConflictLeavesTheOther() async throws {
        let db = try TemporaryStore().database()
        _ = try await db.update(
            [
                DocumentUpdate(id: "x", revisions: RevisionPath(start: 2, ids: ["a", "r"])),
                DocumentUpdate(id: "x", revisions: RevisionPath(start: 2, ids: ["b", "r"])),
            ], newEdits: false)
        _ = try await db.purge(["x": [rev("2-b")]])
        #expect(try db.document("x").revision == rev("2-a"))
    }

    @Test func securityObjectRoundTrips() async throws {
        let db = try TemporaryStore().database()
        #expect(try db.security().isEmpty)
        let security: JSONObject = ["admins": ["names": ["bob"], "roles": []], "members": ["names": [], "roles": ["dev"]]]
        try await db.setSecurity(security)
        #expect(try db.security() == security)
    }

    @Test func backupIsAWorkingCopy() async throws {
        let temp = try TemporaryStore()
        let db = try temp.database("source")
        for i in 0..<100 { try await db.put(doc("d\(i)")) }
        try db.backup(to: temp.directory + "/databases/" + "copy.couch.mdb")
        #expect(try temp.store.database("copy").info().documentCount == 100)
    }
}
