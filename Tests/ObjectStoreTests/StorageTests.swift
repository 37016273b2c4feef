import Foundation
import Synchronization
import Testing
@testable import ObjectStore

@Suite struct StorageTests {
    @Test func orphansAreSweptAtOpen() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let bytes = randomBytes(2500, seed: 1)
        try await store.put("bkt", "kept", bytes)
        let kept = Set(store.chunkFiles)
        #expect(kept.count == 3)
        let chunks = store.directory + "/chunks/"
        let strays = [
            "ab/" + String(repeating: "ab", count: 16),  // a chunk no metadata names
            "00/" + String(repeating: "00", count: 16) + ".tmp",  // a write cut short
            "ff/junk",
        ]
        for stray in strays { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: chunks + stray)) }
        #expect(Set(store.chunkFiles) == kept.union(strays))
        let reopened = try store.reopen()
        #expect(reopened.orphansRemoved == 3)
        #expect(Set(store.chunkFiles) == kept)
        #expect(try await store.get("bkt", "kept") == bytes)
        try store.expectConsistent()
    }

    @Test func aSecondStoreOnTheSameDirectoryIsRefused() throws {
        let store = try TemporaryStore()
        #expect(throws: ObjectStoreError.self) { try ObjectStore(root: store.directory, configuration: store.configuration) }
    }

    /// Large chunks are judged on samples of their start, middle and end before a full
    /// compression attempt: random bytes in one region do not hide compressible data.
    @Test func samplingJudgesLargeChunks() throws {
        let size = 1 << 20
        let random = randomBytes(size, seed: 9)
        var mixed = jsonBytes(size)
        mixed.replaceSubrange(0..<size / 3, with: random[0..<size / 3])
        random.withUnsafeBytes { #expect(!ChunkWriter.samplesCompress($0, level: 1)) }
        mixed.withUnsafeBytes { #expect(ChunkWriter.samplesCompress($0, level: 1)) }
        jsonBytes(size).withUnsafeBytes { #expect(ChunkWriter.samplesCompress($0, level: 1)) }
        // Small chunks are always tried whole.
        random.withUnsafeBytes {
            #expect(ChunkWriter.samplesCompress(UnsafeRawBufferPointer(rebasing: $0[0..<ChunkWriter.smallestSampled - 1]), level: 1))
        }
    }

    @Test func compressibleDataShrinksAndRandomDataIsStoredRaw() async throws {
        let store = try TemporaryStore(chunkSize: 64 << 10)
        try await store.store.createBucket("bkt")
        let json = jsonBytes(1 << 20)
        try await store.put("bkt", "json", json, pieceSize: 10_000)
        let afterJSON = try store.store.storageStatistics()
        #expect(afterJSON.logicalBytes == 1 << 20)
        #expect(afterJSON.chunkBytes < (1 << 20) / 3, "JSON should compress well: \(afterJSON.chunkBytes)")
        let random = randomBytes(1 << 20, seed: 5)
        try await store.put("bkt", "random", random, pieceSize: 10_000)
        let afterRandom = try store.store.storageStatistics()
        #expect(afterRandom.chunkBytes - afterJSON.chunkBytes == 1 << 20, "random data is stored raw, byte for byte")
        #expect(afterRandom.objectCount == 2)
        #expect(afterRandom.bytesOnDisk > afterRandom.chunkBytes)
        // The files on disk are what the statistics say.
        let onDisk = try store.chunkFiles.reduce(0) { total, name in
            total + (try FileManager.default.attributesOfItem(atPath: store.directory + "/chunks/" + name)[.size] as! Int)
        }
        #expect(onDisk == afterRandom.chunkBytes)
        #expect(try await store.get("bkt", "json") == json)
        #expect(try await store.get("bkt", "random") == random)
    }

    /// A body many times the chunk size, generated as it is read: the store writes chunk
    /// files as the body arrives (it never holds more than about two chunks unwritten),
    /// and reading it back yields pieces of at most one chunk.
    @Test func streamingKeepsMemoryBounded() async throws {
        let chunkSize = 256 << 10
        let store = try TemporaryStore(chunkSize: chunkSize)
        try await store.store.createBucket("bkt")
        let size = 40 * chunkSize + 12_345
        let chunksDirectory = store.directory
        let worstLag = Mutex(0)
        let body = GeneratedBody(size: size, kind: .random, seed: 77, pieceSize: 32 << 10) { offset in
            // Chunks on disk (temporary or final) at the time the body produces `offset`.
            let files = TemporaryStoreFiles.count(chunksDirectory)
            let unwritten = offset - files * chunkSize
            worstLag.withLock { $0 = max($0, unwritten) }
        }
        let result = try await store.store.putObject(bucket: "bkt", key: "big", body: body)
        #expect(result.size == size)
        #expect(worstLag.withLock { $0 } <= 3 * chunkSize, "bytes received but not on disk: \(worstLag.withLock { $0 })")
        var reference = GeneratedBody(size: size, kind: .random, seed: 77, pieceSize: chunkSize).makeAsyncIterator()
        var largest = 0
        var read = 0
        let content = try store.store.getObject(bucket: "bkt", key: "big")
        var pending: [UInt8] = []
        for try await piece in content.body {
            largest = max(largest, piece.count)
            read += piece.count
            pending += piece
            while pending.count >= chunkSize || (read == size && !pending.isEmpty) {
                let expected = try await reference.next()!
                #expect(Array(pending.prefix(expected.count)) == expected)
                pending.removeFirst(expected.count)
            }
        }
        #expect(read == size)
        #expect(largest <= chunkSize)
    }

    @Test func concurrentPutsToOneKeyEndWithOneWholeObject() async throws {
        let store = try TemporaryStore(chunkSize: 500)
        try await store.store.createBucket("bkt")
        let bodies = (0..<8).map { randomBytes(2000 + $0 * 300, seed: UInt64($0)) }
        let object = store.store!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for body in bodies {
                group.addTask { try await object.putObject(bucket: "bkt", key: "contested", body: Pieces(body, pieceSize: 97)) }
            }
            // Readers during the race see some whole version, never a mixture.
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<20 {
                        guard let content = try? object.getObject(bucket: "bkt", key: "contested") else { continue }
                        let bytes = try await content.body.collect()
                        #expect(bodies.contains(bytes))
                        #expect(content.info.etag == "\"\(md5Hex(bytes))\"")
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try await store.get("bkt", "contested")
        #expect(bodies.contains(final))
        #expect(store.chunkFiles.count == (final.count + 499) / 500)
        try store.expectConsistent()
    }

    @Test func aReaderKeepsItsVersionWhileItIsReplacedAndDeleted() async throws {
        let store = try TemporaryStore(chunkSize: 100)
        try await store.store.createBucket("bkt")
        let first = randomBytes(1000, seed: 1)
        try await store.put("bkt", "k", first)
        var content: ObjectContent? = try store.store.getObject(bucket: "bkt", key: "k")
        var iterator: ObjectBody.AsyncIterator? = content!.body.makeAsyncIterator()
        var read = try await iterator!.next()!
        try await store.put("bkt", "k", randomBytes(1000, seed: 2))  // replaces: old chunks are now dead
        try await store.store.deleteObject(bucket: "bkt", key: "k")
        #expect(store.store.pins.counts.doomed == 10)
        #expect(store.chunkFiles.count == 10)  // kept for the reader
        while let piece = try await iterator!.next() { read += piece }
        #expect(read == first)
        content = nil
        iterator = nil
        #expect(store.chunkFiles.isEmpty)  // the last reader deleted them
        #expect(store.store.pins.counts == (0, 0))
        try store.expectConsistent()
    }

    @Test func aBodyThatFailsMidwayLeavesThePreviousObjectAndNoChunks() async throws {
        let store = try TemporaryStore(chunkSize: 100)
        try await store.store.createBucket("bkt")
        let original = randomBytes(250, seed: 1)
        try await store.put("bkt", "k", original)
        let files = Set(store.chunkFiles)
        struct ConnectionReset: Error {}
        do {
            try await store.store.putObject(
                bucket: "bkt", key: "k", body: InterruptedBody(pieces: 10, pieceSize: 70) { throw ConnectionReset() })
            Issue.record("the body's error should propagate")
        } catch is ConnectionReset {}
        #expect(try await store.get("bkt", "k") == original)
        #expect(Set(store.chunkFiles) == files)
        try store.expectConsistent()
    }

    @Test func aPutWhoseBucketVanishesMidwayLeavesNoChunks() async throws {
        let store = try TemporaryStore(chunkSize: 100)
        try await store.store.createBucket("bkt")
        let object = store.store!
        await expectError(.noSuchBucket) {
            try await object.putObject(
                bucket: "bkt", key: "k", body: InterruptedBody(pieces: 10, pieceSize: 70) { try await object.deleteBucket("bkt") })
        }
        #expect(store.chunkFiles.isEmpty)
        try store.expectConsistent()
    }

    @Test func statisticsFollowEveryChange() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        try await store.put("bkt", "a", randomBytes(1500, seed: 1))
        try await store.put("bkt", "a", randomBytes(500, seed: 2))
        try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "a", bucket: "bkt", key: "c")
        let upload = try await store.store.createMultipartUpload(bucket: "bkt", key: "m")
        try await store.store.uploadPart(bucket: "bkt", key: "m", uploadID: upload, partNumber: 1, body: Pieces(randomBytes(2000, seed: 3)))
        let statistics = try store.store.storageStatistics()
        #expect(statistics.objectCount == 2)
        #expect(statistics.logicalBytes == 1000)
        #expect(statistics.chunkCount == 3)
        #expect(statistics.chunkBytes == 2500)
        try store.expectConsistent()
    }
}

enum TemporaryStoreFiles {
    /// Files under `<root>/chunks` (any state).
    static func count(_ root: String) -> Int {
        let chunks = root + "/chunks"
        let subdirectories = (try? FileManager.default.contentsOfDirectory(atPath: chunks)) ?? []
        return subdirectories.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: chunks + "/" + $1).count) ?? 0) }
    }
}
