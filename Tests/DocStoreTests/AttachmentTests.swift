import Gzip
import Testing
@testable import DocStore

/// An async sequence of generated chunks: test input that is never whole in memory.
struct GeneratedBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let total: Int
    let chunk: Int
    let compressible: Bool

    struct AsyncIterator: AsyncIteratorProtocol {
        var produced = 0
        let total: Int
        let chunk: Int
        let compressible: Bool
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15

        mutating func next() async -> [UInt8]? {
            guard produced < total else { return nil }
            let count = Swift.min(chunk, total - produced)
            var bytes = [UInt8](repeating: 0, count: count)
            for i in 0..<count {
                if compressible {
                    bytes[i] = UInt8(truncatingIfNeeded: (produced + i) % 251)
                } else {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
                }
            }
            produced += count
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(total: total, chunk: chunk, compressible: compressible) }
}

/// An attachment's bytes: decoded when whole, as stored for a range.
func collect(_ db: DocumentDatabase, _ info: AttachmentInfo, range: Range<Int>? = nil) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    if let range {
        try await db.readAttachment(info, range: range) { bytes += $0 }
    } else {
        try await db.readDecodedAttachment(info) { bytes += $0 }
    }
    return bytes
}

@Suite struct AttachmentTests {
    @Test func inlineAttachmentsStubsAndDigests() async throws {
        let db = try TemporaryStore().database()
        let data = Array("hello, attachment".utf8)
        let update = try DocumentUpdate(json: [
            "_id": "a", "_attachments": ["note.txt": ["content_type": "text/plain", "data": .string(Base64.encode(data))]],
        ])
        let rev1 = try await db.put(update)
        let info = try db.attachment("a", name: "note.txt")
        #expect(info.length == data.count && info.revpos == 1 && info.contentType == "text/plain")
        // text/plain is stored gzip-encoded, as CouchDB stores it; the digest is of the stored bytes.
        let gzip = GzipEncoder.compress(data)
        #expect(info.encoding == .gzip && info.encodedLength == gzip.count)
        #expect(info.digest == RevisionHash.attachmentDigest(gzip))
        #expect(try await collect(db, info) == data)
        #expect(try await collect(db, info, range: 0..<info.encodedLength) == gzip)
        // A stub keeps the attachment in the next revision.
        let rev2 = try await db.put(try DocumentUpdate(json: [
            "_id": "a", "_rev": .string(rev1), "x": 1, "_attachments": ["note.txt": ["stub": true]],
        ]))
        let kept = try db.attachment("a", name: "note.txt")
        #expect(kept.revpos == 1 && kept.digest == info.digest)
        #expect(try await collect(db, kept) == data)
        let json = try db.document("a").json()
        #expect(json["_attachments"]?["note.txt"]?["stub"] == true)
        // A stub naming an unknown attachment is missing_stub.
        await #expect { try await db.put(try DocumentUpdate(json: [
            "_id": "a", "_rev": .string(rev2), "_attachments": ["other": ["stub": true]],
        ])) } throws: { ($0 as? DocStoreError)?.code == .missingStub }
        // Dropping the attachment from the next revision frees its bytes.
        try await db.put(try DocumentUpdate(json: ["_id": "a", "_rev": .string(rev2)]))
        await #expect(throws: DocStoreError.self) { try await collect(db, kept) }
    }

    @Test func attachmentEntriesThatAreNotObjectsAreDropped() async throws {
        // CouchDB 3.4.3 stores {"_attachments": {"x": "notanobject", "y": {...}}} with y
        // only, and refuses an `_attachments` that is not an object as doc_validation.
        let db = try TemporaryStore().database()
        try await db.put(try DocumentUpdate(json: [
            "_id": "a", "_attachments": ["x": "notanobject", "y": ["data": .string(Base64.encode([1]))]],
        ]))
        #expect(try db.document("a").attachments.map(\.name) == ["y"])
        #expect { try DocumentUpdate(json: ["_id": "b", "_attachments": 5]) } throws: {
            ($0 as? DocStoreError)?.code == .documentValidation
                && ($0 as? DocStoreError)?.reason == "Bad special document member: _attachments"
        }
    }

    @Test func attachmentsInlineOnRequest() async throws {
        let db = try TemporaryStore().database()
        let data: [UInt8] = [0, 1, 2, 255]
        let rev1 = try await db.put(try DocumentUpdate(json: [
            "_id": "a", "_attachments": ["bin": ["content_type": "application/octet-stream", "data": .string(Base64.encode(data))]],
        ]))
        var options = DocumentReadOptions()
        options.attachments = true
        let read = try db.document("a", options: options)
        #expect(read.attachmentData["bin"] == data)
        #expect(read.json()["_attachments"]?["bin"]?["data"] == .string(Base64.encode(data)))
        options = DocumentReadOptions()
        options.attachmentsSince = [rev(rev1)]
        #expect(try db.document("a", options: options).attachmentData.isEmpty)
    }

    @Test(arguments: [true, false])
    func largeStreamedAttachmentsAndRanges(compressible: Bool) async throws {
        let temp = try TemporaryStore { $0.attachmentChunkSize = 64 << 10 }
        let db = try temp.database()
        let size = 5 << 20 + 12345
        let staged = try await db.stageAttachment(GeneratedBytes(total: size, chunk: 100_000, compressible: compressible), flushSize: 1 << 20)
        #expect(staged.length == size)
        try await db.put(DocumentUpdate(id: "big", attachments: [("blob", .staged(contentType: "application/x-test", staged))]))
        let info = try db.attachment("big", name: "blob")
        var expected: [UInt8] = []
        var iterator = GeneratedBytes(total: size, chunk: 100_000, compressible: compressible).makeAsyncIterator()
        while let piece = await iterator.next() { expected += piece }
        #expect(try await collect(db, info) == expected)
        #expect(info.digest == RevisionHash.attachmentDigest(expected))
        for range in [0..<1, 65535..<65537, 1_000_000..<2_500_000, (size - 10)..<size] {
            #expect(try await collect(db, info, range: range) == Array(expected[range]))
        }
        if compressible { #expect(try db.info().fileSize < size / 2) }
    }

    @Test func unusedStagedBytesAreRemoved() async throws {
        let db = try TemporaryStore().database()
        let rev1 = try await db.put(doc("a"))
        try await db.put(doc("a", rev: rev1))
        let staged = try await db.stageAttachment(GeneratedBytes(total: 1000, chunk: 100, compressible: true))
        // The update conflicts, so nothing takes the staged bytes.
        let results = try await db.update([
            DocumentUpdate(id: "a", revision: rev(rev1), attachments: [("x", .staged(contentType: "a/b", staged))]),
        ])
        #expect(results[0].error == .updateConflict)
        let info = AttachmentInfo(name: "x", contentType: "a/b", digest: staged.digest, length: 1000, revpos: 1, blob: staged.blob)
        await #expect(throws: DocStoreError.self) { try await collect(db, info) }
    }

    @Test func replicatedAttachmentsKeepTheirRevpos() async throws {
        let db = try TemporaryStore().database()
        let json: JSONObject = [
            "_id": "r", "_rev": "3-c", "_revisions": ["start": 3, "ids": ["c", "b", "a"]],
            "_attachments": ["old.txt": ["content_type": "text/plain", "data": "aGk=", "revpos": 2]],
        ]
        _ = try await db.update([try DocumentUpdate(json: json)], newEdits: false)
        #expect(try db.attachment("r", name: "old.txt").revpos == 2)
        // An interactive edit sets revpos to its own position, whatever it is sent with.
        var edit = try DocumentUpdate(json: ["_id": "e", "_attachments": ["n.txt": ["content_type": "text/plain", "data": "aGk=", "revpos": 9]]])
        edit.attachmentRevpos["n.txt"] = 9
        try await db.put(edit)
        #expect(try db.attachment("e", name: "n.txt").revpos == 1)
    }
}
