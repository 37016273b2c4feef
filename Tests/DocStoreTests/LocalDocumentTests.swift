import Testing
@testable import DocStore

@Suite struct LocalDocumentTests {
    @Test func localDocumentsHaveTheirOwnNamespace() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("_local/checkpoint", ["seq": 1]))
        #expect(rev1 == "0-1")
        var update = try DocumentUpdate(json: ["_rev": "0-1", "seq": 2], id: "_local/checkpoint")
        #expect(try await db.put(update) == "0-2")
        #expect(try db.localDocument("_local/checkpoint").json()["seq"] == 2)
        // CouchDB 3 checks no revision: the new one is the given one plus one.
        update = try DocumentUpdate(json: ["_rev": "0-7", "seq": 3], id: "_local/checkpoint")
        #expect(try await db.put(update) == "0-8")
        #expect(try await db.put(try DocumentUpdate(json: ["seq": 4], id: "_local/checkpoint")) == "0-1")
        // Never in changes, all-docs or the counts.
        #expect(try db.changes(ChangesOptions()).changes.isEmpty)
        #expect(try db.allDocuments(AllDocumentsOptions()).rows.isEmpty)
        #expect(try db.info().documentCount == 0)
        #expect(try db.localDocuments(AllDocumentsOptions()).map(\.id) == ["_local/checkpoint"])
        // Delete.
        update = try DocumentUpdate(json: ["_rev": "0-9", "_deleted": true], id: "_local/checkpoint")
        try await db.put(update)
        #expect(throws: DocStoreError.missing) { try db.localDocument("_local/checkpoint") }
    }

    @Test func badLocalRevisionIsRejected() throws {
        #expect { try DocumentUpdate(json: ["_rev": "1-abc"], id: "_local/x") } throws: {
            ($0 as? DocStoreError)?.code == .badRequest
        }
    }
}
