import Testing
@testable import DocStore

@Suite struct BulkAndReplicationTests {
    @Test func bulkResultsArePerDocument() async throws {
        let db = try TemporaryStore().database()
        let rev = try await db.put(doc("exists"))
        let results = try await db.update([
            doc("new"), doc("exists"), doc("exists", ["v": 2], rev: rev), doc("_bad"),
        ])
        #expect(results.map(\.id) == ["new", "exists", "exists", "_bad"])
        #expect(results[0].isSuccess)
        #expect(results[1].error == .updateConflict)
        #expect(results[2].isSuccess)
        #expect(results[3].error?.code == .illegalDocumentID)
        #expect(try db.info().documentCount == 2)
    }

    /// CouchDB's updater sorts a batch by id (UTF-8 byte order) before it assigns update
    /// sequences (couch_db:group_alike_docs/1); results stay in request order.
    @Test func aBatchTakesSequencesInIDOrderAndAnswersInRequestOrder() async throws {
        let db = try TemporaryStore().database()
        // "é" (C3 A9) sorts after "z" by bytes, before it in Unicode collation.
        let results = try await db.update([doc("z"), doc("m"), doc("é"), doc("a"), doc("m"), doc("B")])
        #expect(results.map(\.id) == ["z", "m", "é", "a", "m", "B"])
        #expect(results[4].error == .updateConflict)
        #expect(results.filter(\.isSuccess).count == 5)
        var changes = try db.changes(ChangesOptions()).changes
        #expect(changes.map(\.id) == ["B", "a", "m", "z", "é"])
        #expect(changes.map(\.sequence) == [1, 2, 3, 4, 5])
        // Replicated writes too.
        let replicated = try await db.update(
            [DocumentUpdate(id: "y", revision: rev("1-x")), DocumentUpdate(id: "b", revision: rev("1-x")),
             DocumentUpdate(id: "a", revision: rev("1-x"))], newEdits: false)
        #expect(replicated.map(\.id) == ["y", "b", "a"])
        changes = try db.changes(ChangesOptions()).changes
        #expect(changes.map(\.id) == ["B", "m", "z", "é", "a", "b", "y"])
    }

    @Test func replicatedWritesMergeAndNeverConflict() async throws {
        let db = try TemporaryStore().database()
        let path = RevisionPath(start: 3, ids: ["c", "b", "a"])
        let first = try await db.update([DocumentUpdate(id: "d", revisions: path, body: ["v": 3])], newEdits: false)
        #expect(first[0].revision == "3-c")
        // The same history again changes nothing and is no error.
        let again = try await db.update([DocumentUpdate(id: "d", revisions: path, body: ["v": 3])], newEdits: false)
        #expect(again[0].isSuccess)
        #expect(try db.info().updateSequence == 1)
        // A sibling branch becomes a conflict, not an error.
        let sibling = RevisionPath(start: 3, ids: ["z", "b", "a"])
        _ = try await db.update([DocumentUpdate(id: "d", revisions: sibling, body: ["v": "z"])], newEdits: false)
        var options = DocumentReadOptions()
        options.conflicts = true
        let read = try db.document("d", options: options)
        #expect(read.revision == rev("3-z"))
        #expect(read.conflicts == [rev("3-c")])
        // Extending a leaf replaces it.
        _ = try await db.update(
            [DocumentUpdate(id: "d", revisions: RevisionPath(start: 4, ids: ["d", "c", "b", "a"]), body: [:])], newEdits: false)
        let all = try db.openRevisions("d", revisions: nil)
        #expect(all.count == 2)
    }

    @Test func replicatedWriteWithoutHistoryUsesRev() async throws {
        let db = try TemporaryStore().database()
        let results = try await db.update([DocumentUpdate(id: "d", revision: rev("5-abc"))], newEdits: false)
        #expect(results[0].revision == "5-abc")
        let missing = try await db.update([DocumentUpdate(id: "e")], newEdits: false)
        #expect(missing[0].error?.code == .badRequest)
    }

    @Test func revisionsDiffReportsMissingAndPossibleAncestors() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a"))
        let diff = try db.revisionsDiff(["a": [rev(rev1), rev("2-x")], "b": [rev("1-y")]])
        #expect(diff["a"]?.missing == [rev("2-x")])
        #expect(diff["a"]?.possibleAncestors == [rev(rev1)])
        #expect(diff["b"]?.missing == [rev("1-y")])
        #expect(diff["b"]?.possibleAncestors == [])
    }

    /// Ids compare as bytes, as CouchDB's do: the NFC and NFD forms of "café" are two
    /// documents (Swift's `==` would call them one).
    @Test func unicodeFormsOfAnIdAreDistinctDocuments() async throws {
        let db = try TemporaryStore().database()
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        let first = try await db.put(doc(nfc, ["form": "nfc"]))
        let second = try await db.put(doc(nfd, ["form": "nfd"]))
        #expect(try db.allDocuments(AllDocumentsOptions()).rows.count == 2)
        let diff = try db.revisionsDiff([ExactString(nfc): [rev(first), rev(second)], ExactString(nfd): [rev(first)]])
        #expect(diff.count == 2)
        #expect(diff[ExactString(nfc)]?.missing == [rev(second)])
        #expect(diff[ExactString(nfd)]?.missing == [rev(first)])
        let parsed = try JSON.parse(Array("{\"\(nfc)\": 1, \"\(nfd)\": 2}".utf8))
        #expect(parsed.objectValue?.count == 2)
        #expect(parsed.objectValue?[nfd] == 2)
    }

    @Test func revsLimitStemsTrees() async throws {
        let db = try TemporaryStore().database()
        try await db.setRevsLimit(3)
        #expect(try db.revsLimit() == 3)
        var current = try await db.put(doc("a"))
        for i in 0..<10 { current = try await db.put(doc("a", ["i": .number(JSONNumber(i))], rev: current)) }
        var options = DocumentReadOptions()
        options.revisions = true
        let read = try db.document("a", options: options)
        #expect(read.revisions?.ids.count == 3)
        #expect(read.revisions?.start == 11)
        await #expect(throws: DocStoreError.self) { try await db.setRevsLimit(0) }
    }

    /// A branch joining a stemmed tree keeps an older revision for its own sake, so the
    /// other leaf's chain to the root is longer than `_revs_limit`; CouchDB still reads
    /// each body with its ancestry cut to the limit (`revs_info` is not cut), and answers
    /// `open_revs=all` ascending by (position, id). Recorded: revs_limit_sibling_branch.
    @Test func readHistoryIsCutToRevsLimit() async throws {
        let db = try TemporaryStore().database()
        try await db.setRevsLimit(3)
        let ids = (0..<10).map { String(repeating: String($0), count: 4) }
        _ = try await db.update([DocumentUpdate(id: "s", revisions: RevisionPath(start: 10, ids: ids), body: [:])], newEdits: false)
        let branch = RevisionPath(start: 9, ids: ["ffff"] + ids[2...])
        _ = try await db.update([DocumentUpdate(id: "s", revisions: branch, body: [:])], newEdits: false)
        var options = DocumentReadOptions()
        options.revisions = true
        let winner = try db.document("s", options: options)
        #expect(winner.revisions == RevisionPath(start: 10, ids: Array(ids[0..<3])))
        options.revisions = false
        options.revisionsInfo = true
        #expect(try db.document("s", options: options).revisionsInfo?.map(\.0.id) == Array(ids[0..<4]))
        let leaves = try db.openRevisions("s", revisions: nil).compactMap { answer -> String? in
            if case .found(let document) = answer { return document.revision.description }
            return nil
        }
        #expect(leaves == ["9-ffff", "10-0000"])
    }

    /// CouchDB gives a document one update sequence per batch: two replicated branches of
    /// one document in one `_bulk_docs` move update_seq by one (recorded:
    /// changes_style_all_docs, changes_include_docs).
    @Test func oneSequencePerDocumentPerBatch() async throws {
        let db = try TemporaryStore().database()
        _ = try await db.update([
            DocumentUpdate(id: "c", revisions: RevisionPath(start: 1, ids: ["aaaa"]), body: ["branch": "a"]),
            DocumentUpdate(id: "c", revisions: RevisionPath(start: 1, ids: ["bbbb"]), body: ["branch": "b"]),
            DocumentUpdate(id: "d", revisions: RevisionPath(start: 1, ids: ["cccc"]), body: [:]),
        ], newEdits: false)
        #expect(try db.info().updateSequence == 2)
        let changes = try db.changes(ChangesOptions()).changes
        #expect(changes.map(\.id) == ["c", "d"])
        #expect(changes.map(\.sequence) == [1, 2])
        try await db.put(doc("e"))
        #expect(try db.info().updateSequence == 3)
    }

    @Test func bothSidesConvergeOnTheSameWinner() async throws {
        let temp = try TemporaryStore()
        let left = try temp.database("left")
        let right = try temp.database("right")
        let base = try await left.put(doc("x", ["v": 0]))
        _ = try await right.update([DocumentUpdate(id: "x", revision: rev(base), body: ["v": 0])], newEdits: false)
        try await left.put(doc("x", ["v": "left"], rev: base))
        try await right.put(doc("x", ["v": "right"], rev: base))
        // Replicate every leaf both ways, with its history.
        for (source, target) in [(left, right), (right, left)] {
            var options = DocumentReadOptions()
            options.revisions = true
            let leaves = try source.openRevisions("x", revisions: nil, options: options)
            let updates = leaves.compactMap { answer -> DocumentUpdate? in
                guard case .found(let d) = answer else { return nil }
                return DocumentUpdate(id: "x", revisions: d.revisions, deleted: d.deleted, body: d.fields())
            }
            _ = try await target.update(updates, newEdits: false)
        }
        var options = DocumentReadOptions()
        options.conflicts = true
        let l = try left.document("x", options: options)
        let r = try right.document("x", options: options)
        #expect(l.revision == r.revision)
        #expect(l.conflicts == r.conflicts && l.conflicts?.count == 1)
    }

    @Test func batchOpenRevisionsReadsManyDocumentsInOneSnapshot() async throws {
        let db = try TemporaryStore().database()
        let a1 = try await db.put(doc("a", ["v": 1]))
        let a2 = try await db.put(doc("a", ["v": 2], rev: a1))
        let b1 = try await db.put(doc("b"))
        var options = DocumentReadOptions()
        options.revisions = true
        let answers = try db.openRevisions(
            batch: [("a", [rev(a1)]), ("b", nil), ("missing", nil), ("b", [rev("1-nope")])], latest: true, options: options)
        #expect(answers.count == 4)
        // With latest, a replaced revision stands for the leaf that descends from it.
        guard case .found(let a) = answers[0].first else { Issue.record("a not found"); return }
        #expect(a.revision == rev(a2) && a.revisions?.ids.count == 2)
        guard case .found(let b) = answers[1].first else { Issue.record("b not found"); return }
        #expect(b.revision == rev(b1))
        #expect(answers[2].isEmpty)
        guard case .missing(let text) = answers[3].first else { Issue.record("expected missing"); return }
        #expect(text == "1-nope")
    }
}
