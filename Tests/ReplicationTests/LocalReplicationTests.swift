import DocStore
import Testing
@testable import Replication

/// Replication between two databases of one store, through `LocalPeer`.
@Suite struct LocalReplicationTests {
    @Test func pushCopiesEveryDocumentAndCheckpointsBothSides() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        try await fill(source, count: 1_250)
        let (job, result) = try await replicate(temp.peer("source"), temp.peer("target")) { $0.createTarget = true }
        let target = try temp.database("target")
        #expect(try leaves(target) == leaves(source))
        let statistics = job.progress.sessionStatistics
        #expect(statistics.documentsWritten == 1_250)
        #expect(statistics.documentsRead == 1_250)
        #expect(statistics.revisionsChecked == 1_250)
        #expect(statistics.missingRevisionsFound == 1_250)
        #expect(statistics.documentWriteFailures == 0)
        // CouchDB's answer: the checkpoint, with this session first in the history.
        #expect(result["session_id"] != nil)
        #expect(result["history"]?.arrayValue?.first?["docs_written"] == 1250)
        let checkpointID = job.id.checkpointDocumentID
        let onSource = try source.localDocument(checkpointID).json()
        let onTarget = try target.localDocument(checkpointID).json()
        #expect(onSource["session_id"] == onTarget["session_id"])
        #expect(onSource["source_last_seq"] == .number(JSONNumber(UInt64(1_250))))
    }

    @Test func aSecondRunResumesFromTheCheckpoint() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        _ = try temp.database("target")
        try await fill(source, count: 300)
        try await replicate(temp.peer("source"), temp.peer("target"))
        let (idle, idleResult) = try await replicate(temp.peer("source"), temp.peer("target"))
        #expect(idle.progress.sessionStatistics.revisionsChecked == 0)
        #expect(idleResult["no_changes"] == true)
        try await fill(source, count: 7, prefix: "more")
        let (again, result) = try await replicate(temp.peer("source"), temp.peer("target"))
        #expect(again.progress.sessionStatistics.revisionsChecked == 7)
        #expect(again.progress.sessionStatistics.documentsWritten == 7)
        #expect(result["history"]?.arrayValue?.count == 2)
        #expect(try leaves(temp.database("target")) == leaves(source))
    }

    @Test func conflictsMadeOnBothSidesConvergeBothWays() async throws {
        let temp = try TemporaryStore()
        let left = try temp.database("left")
        let right = try temp.database("right")
        for i in 0..<20 { try await left.put(DocumentUpdate(id: "d\(i)", body: ["v": 0])) }
        try await replicate(temp.peer("left"), temp.peer("right"))
        for i in 0..<20 {
            let base = try left.document("d\(i)").revision
            try await left.put(DocumentUpdate(id: "d\(i)", revision: base, body: ["side": "left"]))
            if i % 3 == 0 {
                try await right.put(DocumentUpdate(id: "d\(i)", revision: base, deleted: true))
            } else {
                let middle = try await right.put(DocumentUpdate(id: "d\(i)", revision: base, body: ["side": "right"]))
                if i % 2 == 0 { try await right.put(DocumentUpdate(id: "d\(i)", revision: Revision(middle), body: ["side": "right again"])) }
            }
        }
        try await replicate(temp.peer("left"), temp.peer("right"))
        try await replicate(temp.peer("right"), temp.peer("left"))
        #expect(try leaves(left) == leaves(right))
        var options = DocumentReadOptions()
        options.conflicts = true
        options.deletedConflicts = true
        for i in 0..<20 {
            let l = try left.document("d\(i)", options: options)
            let r = try right.document("d\(i)", options: options)
            #expect(l.revision == r.revision)
            #expect(l.conflicts == r.conflicts)
            #expect(l.deletedConflicts == r.deletedConflicts)
            #expect((l.conflicts?.count ?? 0) + (l.deletedConflicts?.count ?? 0) == 1)
        }
    }

    @Test func deletionsReplicateAsTombstones() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        _ = try temp.database("target")
        let first = try await source.put(DocumentUpdate(id: "gone", body: ["v": 1]))
        try await source.put(DocumentUpdate(id: "kept", body: ["v": 1]))
        try await replicate(temp.peer("source"), temp.peer("target"))
        try await source.put(DocumentUpdate(id: "gone", revision: Revision(first), deleted: true))
        try await replicate(temp.peer("source"), temp.peer("target"))
        let target = try temp.database("target")
        #expect(throws: DocStoreError.self) { try target.document("gone") }
        #expect(try target.info().deletedCount == 1)
        #expect(try leaves(target) == leaves(source))
    }

    @Test func docIDsAndSelectorFiltersCarryOnlyWhatTheyName() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        for i in 0..<30 { try await source.put(DocumentUpdate(id: "d\(i)", body: ["kind": i % 2 == 0 ? "even" : "odd"])) }
        try await replicate(temp.peer("source"), temp.peer("ids")) { spec in
            spec.createTarget = true
            spec.filter = .documentIDs(["d1", "d2", "d29", "absent"])
        }
        #expect(try leaves(temp.database("ids")).keys.sorted() == ["d1", "d2", "d29"])
        try await replicate(temp.peer("source"), temp.peer("evens")) { spec in
            spec.createTarget = true
            spec.filter = .selector(["kind": "even"])
        }
        #expect(try temp.database("evens").info().documentCount == 15)
        #expect(try leaves(temp.database("evens")).keys.allSatisfy { Int($0.dropFirst())! % 2 == 0 })
        // Selectors see the document as CouchDB's changes filter does, `_id` and `_deleted` included.
        try await replicate(temp.peer("source"), temp.peer("by-id")) { spec in
            spec.createTarget = true
            spec.filter = .selector(["_id": ["$regex": "^d2"]])
        }
        #expect(try leaves(temp.database("by-id")).keys.sorted() == ["d2", "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28", "d29"])
        let d3 = try source.document("d3")
        try await source.put(DocumentUpdate(id: "d3", revision: d3.revision, deleted: true))
        try await replicate(temp.peer("source"), temp.peer("deletions")) { spec in
            spec.createTarget = true
            spec.filter = .selector(["_deleted": true])
        }
        #expect(try leaves(temp.database("deletions")).keys.sorted() == ["d3"])
    }

    @Test func attachmentsTravelAndUnchangedOnesGoAsStubs() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        _ = try temp.database("target")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let first = try await source.put(DocumentUpdate(
            id: "a", body: ["v": 1], attachments: [("big.bin", .inline(contentType: "application/octet-stream", data: bytes))]))
        try await replicate(temp.peer("source"), temp.peer("target"))
        let target = try temp.database("target")
        let copied = try target.attachment("a", name: "big.bin")
        #expect(copied.length == bytes.count)
        #expect(copied.digest == (try source.attachment("a", name: "big.bin")).digest)
        var read: [UInt8] = []
        try await target.readAttachment(copied) { read += $0 }
        #expect(read == bytes)
        // A new revision keeps the attachment: it travels as a stub this time.
        try await source.put(DocumentUpdate(
            id: "a", revision: Revision(first), body: ["v": 2], attachments: [("big.bin", .stub(digest: copied.digest))]))
        try await replicate(temp.peer("source"), temp.peer("target"))
        #expect(try target.document("a").fields()["v"] == 2)
        #expect(try target.attachment("a", name: "big.bin").digest == copied.digest)
        // Both replicas agree on when the attachment last changed.
        #expect(try target.attachment("a", name: "big.bin").revpos == 1)
        #expect(copied.revpos == 1)
        #expect(try leaves(target) == leaves(source))
    }

    @Test func winningRevsOnlySinceSeqAndNoCheckpoints() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        for i in 0..<10 { try await source.put(DocumentUpdate(id: "d\(i)", body: ["i": .number(JSONNumber(i))])) }
        _ = try await source.update([
            DocumentUpdate(id: "twin", revision: rev("1-aaaa")), DocumentUpdate(id: "twin", revision: rev("1-bbbb")),
        ], newEdits: false)
        try await replicate(temp.peer("source"), temp.peer("winners")) { spec in
            spec.createTarget = true
            spec.winningRevisionsOnly = true
        }
        #expect(try leaves(temp.database("winners"))["twin"] == ["1-bbbb"])
        let (_, result) = try await replicate(temp.peer("source"), temp.peer("later")) { spec in
            spec.createTarget = true
            spec.sinceSequence = PeerSequence(7)
            spec.useCheckpoints = false
            spec.workers = 1
            spec.batchSize = 2
        }
        #expect(try leaves(temp.database("later")).keys.sorted() == ["d7", "d8", "d9", "twin"])
        #expect(result == ["use_checkpoints": false])
        #expect(try temp.database("later").localDocuments(AllDocumentsOptions()).isEmpty)
    }

    @Test func aMissingSourceFailsWithDatabaseNotFound() async throws {
        let temp = try TemporaryStore()
        await #expect(throws: ReplicationError(.databaseNotFound, "could not open nowhere")) {
            try await replicate(temp.peer("nowhere"), temp.peer("target")) { $0.createTarget = true }
        }
    }
}
