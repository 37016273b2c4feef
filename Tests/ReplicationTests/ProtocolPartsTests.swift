import DocStore
import Testing
@testable import Replication

/// The pure parts of the protocol: where a session resumes, batch ordering, ids,
/// request parsing.
@Suite struct ProtocolPartsTests {
    @Test func identicalSessionsResumeFromSourceLastSeq() {
        let log: JSONObject = ["session_id": "s2", "source_last_seq": "90-x", "history": [["session_id": "s2", "recorded_seq": "90-x"]]]
        let (sequence, history) = ReplicationLog.startingPoint(source: log, target: log)
        #expect(sequence == PeerSequence("90-x"))
        #expect(history.count == 1)
    }

    @Test func differingSessionsResumeFromTheNewestCommonOne() {
        // Session B reached the source's checkpoint but not the target's.
        let source: JSONObject = ["session_id": "B", "source_last_seq": 90, "history": [
            ["session_id": "B", "recorded_seq": 90], ["session_id": "A", "recorded_seq": 40],
        ]]
        let target: JSONObject = ["session_id": "A", "source_last_seq": 40, "history": [["session_id": "A", "recorded_seq": 40]]]
        let (sequence, history) = ReplicationLog.startingPoint(source: source, target: target)
        #expect(sequence == PeerSequence(40))
        #expect(history.isEmpty)
    }

    @Test func noCommonSessionStartsOver() {
        let source: JSONObject = ["session_id": "B", "history": [["session_id": "B", "recorded_seq": 9]]]
        let target: JSONObject = ["session_id": "C", "history": [["session_id": "C", "recorded_seq": 7]]]
        #expect(ReplicationLog.startingPoint(source: source, target: target).sequence == nil)
        #expect(ReplicationLog.startingPoint(source: nil, target: target).sequence == nil)
        #expect(ReplicationLog.startingPoint(source: nil, target: nil).sequence == nil)
    }

    @Test func checkpointsNeverSkipAnUnfinishedBatch() {
        var ordering = BatchOrdering()
        let a = ordering.add(PeerSequence(10))
        let b = ordering.add(PeerSequence(20))
        let c = ordering.add(PeerSequence(30))
        #expect(ordering.complete(b) == nil)
        #expect(ordering.complete(a) == PeerSequence(20))
        #expect(ordering.complete(c) == PeerSequence(30))
    }

    @Test func replicationIDsAreStableAndDependOnWhatMatters() throws {
        let temp = try TemporaryStore()
        let spec = ReplicationSpecification(source: .local("a"), target: .local("b"))
        let one = ReplicationID(nodeUUID: "n", source: temp.peer("a"), target: temp.peer("b"), specification: spec)
        let two = ReplicationID(nodeUUID: "n", source: temp.peer("a"), target: temp.peer("b"), specification: spec)
        #expect(one == two && one.base.count == 32 && one.suffix.isEmpty)
        var continuous = spec
        continuous.continuous = true
        continuous.createTarget = true
        let three = ReplicationID(nodeUUID: "n", source: temp.peer("a"), target: temp.peer("b"), specification: continuous)
        #expect(three.base == one.base && three.description == one.base + "+continuous+create_target")
        var filtered = spec
        filtered.filter = .documentIDs(["x"])
        #expect(ReplicationID(nodeUUID: "n", source: temp.peer("a"), target: temp.peer("b"), specification: filtered).base != one.base)
        #expect(ReplicationID(nodeUUID: "m", source: temp.peer("a"), target: temp.peer("b"), specification: spec).base != one.base)
    }

    @Test func remoteIdentitiesLeaveSecretsOut() throws {
        let withPassword = try HTTPPeer(url: "http://bob:secret@example.com:5984/db")
        let otherPassword = try HTTPPeer(url: "http://bob:other@example.com/db/")
        #expect(withPassword.identity == otherPassword.identity)
        #expect(!withPassword.identity.serializedString.contains("secret"))
        #expect(withPassword.displayName == "http://example.com:5984/db/")
        #expect(HTTPPeer.stripCredentials("https://u:p@h/x") == "https://h/x")
        #expect(HTTPPeer.encode(id: "_design/a b") == "_design/a%20b")
        #expect(HTTPPeer.encode(id: "a/b?c") == "a%2Fb%3Fc")
        // CouchDB reads `+` in a path as a space: a plus must travel as %2B.
        #expect(HTTPPeer.encode(id: "a+b") == "a%2Bb")
        #expect(HTTPPeer.encode(attachmentName: "dir/x+y z") == "dir/x%2By%20z")
    }

    /// Inline attachment data is decoded, while a gzip-stored attachment's digest is of
    /// its encoded bytes: such an attachment is fetched in its stored form instead, with
    /// its decoded length. Plain inline data gets the length CouchDB leaves out.
    @Test func inlineAttachmentsOfGzipStoredBytesAreFetchedStored() throws {
        let gzipped = try #require(AttachmentStub(name: "b.txt", json: [
            "content_type": "text/plain", "revpos": 4, "digest": "md5-x", "data": "ZG9sb3Igc2l0", "encoding": "gzip", "encoded_length": 30,
        ]))
        #expect(gzipped.data == nil && gzipped.encoding == .gzip && gzipped.length == 9 && gzipped.storedLength == 30)
        let plain = try #require(AttachmentStub(name: "a.bin", json: ["content_type": "application/octet-stream", "revpos": 1, "data": "AAEC"]))
        #expect(plain.data == [0, 1, 2] && plain.length == 3)
        #expect(plain.json(follows: true)["length"] == 3)
    }

    @Test func requestsParseAsCouchDBDefinesThem() throws {
        let spec = try ReplicationSpecification(json: [
            "source": "http://h/a", "target": ["url": "b", "headers": ["X-Y": "z"]], "continuous": true,
            "create_target": true, "doc_ids": ["x"], "worker_batch_size": 50, "since_seq": "12-abc",
        ])
        #expect(spec.source == .remote(url: "http://h/a", headers: [:]))
        #expect(spec.target == .local("b"))
        #expect(spec.continuous && spec.createTarget && spec.batchSize == 50)
        #expect(spec.filter == .documentIDs(["x"]))
        #expect(spec.sinceSequence == PeerSequence("12-abc"))
        #expect(throws: ReplicationError.self) { try ReplicationSpecification(json: ["source": "a", "target": "b", "filter": "nofilter"]) }
        #expect(throws: ReplicationError.self) {
            try ReplicationSpecification(json: ["source": "a", "target": "b", "filter": "d/f", "doc_ids": ["x"]])
        }
        let filtered = try ReplicationSpecification(json: ["source": "a", "target": "b", "filter": "d/f", "query_params": ["k": "v"]])
        #expect(filtered.filter == .function(name: "d/f", queryParameters: ["k": "v"]))
        #expect(throws: ReplicationError.self) { try ReplicationSpecification(json: ["source": "a"]) }
        #expect(throws: ReplicationError.self) {
            try ReplicationSpecification(json: ["source": "a", "target": "b", "selector": ["$bad": 1]])
        }
        let cancel = try ReplicationSpecification(json: ["replication_id": "abc+continuous", "cancel": true])
        #expect(cancel.cancel && cancel.cancelID == "abc+continuous")
    }
}
