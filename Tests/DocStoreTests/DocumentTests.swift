import Testing
@testable import DocStore

@Suite struct DocumentTests {
    @Test func createReadUpdateDelete() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a", ["name": "one"]))
        #expect(rev1.hasPrefix("1-") && rev1.count == 34)
        let read = try db.document("a")
        #expect(read.revision.description == rev1)
        #expect(read.fields()["name"] == "one")
        let rev2 = try await db.put(doc("a", ["name": "two"], rev: rev1))
        #expect(rev2.hasPrefix("2-"))
        #expect(try db.document("a").fields()["name"] == "two")
        let rev3 = try await db.put(doc("a", rev: rev2, deleted: true))
        #expect(rev3.hasPrefix("3-"))
        #expect(throws: DocStoreError.deleted) { try db.document("a") }
        // The tombstone itself is readable by revision.
        var options = DocumentReadOptions()
        options.revision = rev(rev3)
        #expect(try db.document("a", options: options).deleted)
    }

    @Test func staleOrMissingRevisionIsAConflict() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a"))
        try await db.put(doc("a", ["v": 2], rev: rev1))
        await #expect(throws: DocStoreError.updateConflict) { try await db.put(doc("a", ["v": 3], rev: rev1)) }
        await #expect(throws: DocStoreError.updateConflict) { try await db.put(doc("a", ["v": 3])) }
        await #expect(throws: DocStoreError.updateConflict) { try await db.put(doc("missing", rev: "1-abc")) }
    }

    @Test func revisionsAreDeterministic() async throws {
        let temp = try TemporaryStore()
        let a = try temp.database("one")
        let b = try temp.database("two")
        let revA = try await a.put(doc("x", ["k": "v", "n": 1]))
        let revB = try await b.put(doc("x", ["k": "v", "n": 1]))
        #expect(revA == revB)
        let revC = try await b.put(doc("y", ["k": "other"]))
        #expect(revC != revA)
        #expect(try await a.put(doc("x", ["k": 2], rev: revA)) == (try await b.put(doc("x", ["k": 2], rev: revB))))
    }

    @Test func recreatingADeletedDocumentExtendsItsTombstone() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a"))
        let rev2 = try await db.put(doc("a", rev: rev1, deleted: true))
        let rev3 = try await db.put(doc("a", ["back": true]))
        #expect(rev3.hasPrefix("3-"))
        var options = DocumentReadOptions()
        options.revisions = true
        let read = try db.document("a", options: options)
        #expect(read.revisions?.ids == [rev(rev3).id, rev(rev2).id, rev(rev1).id])
    }

    @Test func deletingAMissingDocumentCreatesATombstone() async throws {
        let db = try TemporaryStore().database()
        let rev = try await db.put(doc("ghost", deleted: true))
        #expect(rev.hasPrefix("1-"))
        #expect(throws: DocStoreError.deleted) { try db.document("ghost") }
        #expect(try db.info().deletedCount == 1)
    }

    @Test func generatedIDsAreUnique() async throws {
        let db = try TemporaryStore().database()
        let results = try await db.update([doc(nil), doc(nil)])
        #expect(results.allSatisfy { $0.isSuccess })
        #expect(results[0].id != results[1].id && results[0].id.count == 32)
    }

    @Test func readOptions() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a", ["v": 1]))
        let rev2 = try await db.put(doc("a", ["v": 2], rev: rev1))
        // A conflicting branch and a deleted one, as replication would bring them.
        let branch = DocumentUpdate(id: "a", revisions: RevisionPath(start: 2, ids: ["bbbb", rev(rev1).id]), body: ["v": "b"])
        let gone = DocumentUpdate(id: "a", revisions: RevisionPath(start: 2, ids: ["0000", rev(rev1).id]), deleted: true)
        _ = try await db.update([branch, gone], newEdits: false)
        var options = DocumentReadOptions()
        options.revisions = true
        options.revisionsInfo = true
        options.conflicts = true
        options.deletedConflicts = true
        options.localSequence = true
        let read = try db.document("a", options: options)
        let winner = max(rev(rev2), rev("2-bbbb"))
        #expect(read.revision == winner)
        #expect(read.conflicts == [min(rev(rev2), rev("2-bbbb"))])
        #expect(read.deletedConflicts == [rev("2-0000")])
        #expect(read.localSequence == 3)  // 1, 2, then one for the document's two branches of one batch
        #expect(read.revisions?.start == 2)
        #expect(read.revisionsInfo?.map(\.status) == [.available, .missing])
        let json = read.json()
        #expect(json.keys.prefix(2) == ["_id", "_rev"])
        #expect(json["_conflicts"] != nil && json["_deleted_conflicts"] != nil && json["_local_seq"] == 3)
        #expect(JSON.object(json).serialized() == read.serialized())
    }

    @Test func oldRevisionBodiesAreNotKept() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a", ["v": 1]))
        try await db.put(doc("a", ["v": 2], rev: rev1))
        var options = DocumentReadOptions()
        options.revision = rev(rev1)
        #expect(throws: DocStoreError.missing) { try db.document("a", options: options) }
    }

    @Test func openRevisionsAllListAndLatest() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a", ["v": 1]))
        let rev2 = try await db.put(doc("a", ["v": 2], rev: rev1))
        _ = try await db.update(
            [DocumentUpdate(id: "a", revisions: RevisionPath(start: 2, ids: ["ffff", rev(rev1).id]), deleted: true)],
            newEdits: false)
        let all = try db.openRevisions("a", revisions: nil)
        #expect(all.count == 2)
        let listed = try db.openRevisions("a", revisions: [rev(rev2), rev("9-nothere"), rev(rev1)])
        #expect(listed.count == 3)
        if case .missing(let missing) = listed[1] { #expect(missing == "9-nothere") } else { Issue.record("expected missing") }
        if case .missing = listed[2] {} else { Issue.record("rev1 has no body: missing") }
        let latest = try db.openRevisions("a", revisions: [rev(rev1)], latest: true)
        #expect(latest.count == 2)
        #expect(throws: DocStoreError.missing) { try db.openRevisions("nope", revisions: nil) }
        #expect(try db.openRevisions("nope", revisions: [rev("1-a")]).count == 1)
    }

    @Test func designDocumentsAndIDRules() async throws {
        let db = try TemporaryStore().database()
        try await db.put(doc("_design/app", ["views": [:]]))
        #expect(try db.document("_design/app").id == "_design/app")
        await #expect { try await db.put(doc("_other")) } throws: { ($0 as? DocStoreError)?.code == .illegalDocumentID }
        await #expect { try await db.put(doc("_design/")) } throws: { ($0 as? DocStoreError)?.code == .illegalDocumentID }
        await #expect { try await db.put(doc("")) } throws: { ($0 as? DocStoreError)?.code == .illegalDocumentID }
        let long = String(repeating: "x", count: 512)
        await #expect { try await db.put(doc(long)) } throws: { ($0 as? DocStoreError)?.code == .illegalDocumentID }
        try await db.put(doc(String(repeating: "y", count: 511)))
        try await db.put(doc("ünïcødé ✓ 🎉"))
        #expect(try db.document("ünïcødé ✓ 🎉").id == "ünïcødé ✓ 🎉")
    }

    @Test func specialMembersFollowCouchDBsRules() throws {
        let parsed = try DocumentUpdate(json: [
            "_id": "a", "_rev": "1-abc", "_deleted": true, "_conflicts": [], "_revs_info": [], "_local_seq": 1, "x": 1,
        ])
        #expect(parsed.id == "a" && parsed.revision == rev("1-abc") && parsed.deleted && parsed.body.keys == ["x"])
        #expect { try DocumentUpdate(json: ["_foo": 1]) } throws: {
            ($0 as? DocStoreError) == DocStoreError(.documentValidation, "Bad special document member: _foo")
        }
        #expect { try DocumentUpdate(json: ["_rev": "abc"]) } throws: { ($0 as? DocStoreError)?.code == .badRequest }
        // The replicator's marks on `_replicator` documents are fields, as in CouchDB.
        let marked = try DocumentUpdate(json: ["_replication_state": "completed", "_replication_stats": [:], "x": 1])
        #expect(marked.body.keys == ["_replication_state", "_replication_stats", "x"])
        #expect { try DocumentUpdate(json: ["_rev": 12]) } throws: { ($0 as? DocStoreError)?.code == .badRequest }
        #expect { try DocumentUpdate(json: ["_id": 12]) } throws: { ($0 as? DocStoreError)?.code == .illegalDocumentID }
        #expect { try DocumentUpdate(json: ["_revisions": ["start": 1]]) } throws: {
            ($0 as? DocStoreError) == DocStoreError(.documentValidation, "_revisions.ids isn't a array.")
        }
        #expect { try DocumentUpdate(json: ["_revisions": ["start": 0, "ids": ["a"]]]) } throws: { ($0 as? DocStoreError)?.code == .badRequest }
        #expect { try DocumentUpdate(json: ["_deleted": 1]) } throws: { ($0 as? DocStoreError)?.code == .documentValidation }
        #expect { try DocumentUpdate(json: ["_attachments": ["a": ["data": "!!!"]]]) } throws: { ($0 as? DocStoreError)?.code == .badRequest }
        // The URL's id wins over the body's.
        #expect(try DocumentUpdate(json: ["_id": "body"], id: "url").id == "url")
    }

    @Test func oversizedDocumentsAreRejected() async throws {
        let db = try TemporaryStore { $0.maxDocumentSize = 1000 }.database()
        let big: JSONObject = ["text": .string(String(repeating: "x", count: 1000))]
        await #expect { try await db.put(doc("big", big)) } throws: { ($0 as? DocStoreError)?.code == .documentTooLarge }
        let results = try await db.update([doc("big", big), doc("small")])
        #expect(results[0].error?.code == .documentTooLarge && results[1].isSuccess)
    }

    @Test func malformedJSONIsATypedError() {
        for text in ["{", "{\"a\":}", "[1,]", "nul", "{\"a\":1}x", "\"\\u12\""] {
            #expect(throws: JSONError.self) { try JSON.parse(text) }
        }
    }

    @Test func corruptRevisionStringsAreRejected() {
        for text in ["", "1", "-abc", "x-abc", "1-", "0-abc"] {
            #expect(Revision(text) == nil, "\(text)")
        }
    }
}

@Suite struct UUIDTests {
    @Test func sequentialIDsSortInOrderOfCreation() {
        let ids = (0..<5000).map { _ in UUIDs.sequential() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        // Within one prefix, later ids sort after earlier ones.
        for (a, b) in zip(ids, ids.dropFirst()) where a.prefix(26) == b.prefix(26) {
            #expect(a < b)
        }
    }
}
