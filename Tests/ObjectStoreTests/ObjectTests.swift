import Foundation
import Testing
@testable import ObjectStore

@Suite struct ObjectTests {
    static let metadata = ObjectMetadata(
        contentType: "application/json", contentEncoding: "gzip", contentDisposition: "attachment; filename=\"a.json\"",
        contentLanguage: "en", cacheControl: "max-age=60", expires: "Thu, 01 Dec 2094 16:00:00 GMT",
        userMetadata: [MetadataEntry(name: "zeta", value: "1"), MetadataEntry(name: "alpha", value: "two words")])

    @Test func putHeadGetRoundTrip() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let bytes = jsonBytes(5500)
        let before = Date(timeIntervalSinceNow: -1)
        let result = try await store.put("bkt", "dir/file.json", bytes, metadata: Self.metadata)
        #expect(result.etag == "\"\(md5Hex(bytes))\"")
        #expect(result.size == 5500)
        let info = try store.store.headObject(bucket: "bkt", key: "dir/file.json")
        #expect(info.etag == result.etag)
        #expect(info.size == 5500)
        #expect(info.metadata == Self.metadata)
        #expect(info.partCount == nil)
        #expect(info.lastModified >= before && info.lastModified <= Date(timeIntervalSinceNow: 1))
        let content = try store.store.getObject(bucket: "bkt", key: "dir/file.json")
        #expect(content.info == info)
        #expect(content.range == nil)
        #expect(content.body.count == 5500)
        #expect(try await content.body.collect() == bytes)
        try store.reopen()
        #expect(try await store.get("bkt", "dir/file.json") == bytes)
        #expect(try store.store.headObject(bucket: "bkt", key: "dir/file.json") == info)
    }

    @Test func emptyObject() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let result = try await store.put("bkt", "empty", [])
        #expect(result.etag == "\"d41d8cd98f00b204e9800998ecf8427e\"")
        #expect(try await store.get("bkt", "empty") == [])
        await expectError(.invalidRange) { try store.store.getObject(bucket: "bkt", key: "empty", range: .from(0)) }
        #expect(store.chunkFiles.isEmpty)
    }

    @Test func overwriteReplacesAndFreesTheOldChunks() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        try await store.put("bkt", "k", randomBytes(3500, seed: 1))
        #expect(store.chunkFiles.count == 4)
        let second = randomBytes(1200, seed: 2)
        try await store.put("bkt", "k", second)
        #expect(try await store.get("bkt", "k") == second)
        #expect(store.chunkFiles.count == 2)
        try store.expectConsistent()
    }

    @Test func deleteIsIdempotentAndMissingKeysAreNoSuchKey() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        try await store.put("bkt", "k", [1, 2, 3])
        try await store.store.deleteObject(bucket: "bkt", key: "k")
        try await store.store.deleteObject(bucket: "bkt", key: "k")
        try await store.store.deleteObject(bucket: "bkt", key: "never")
        await expectError(.noSuchKey) { try store.store.headObject(bucket: "bkt", key: "k") }
        await expectError(.noSuchKey) { try store.store.getObject(bucket: "bkt", key: "k") }
        #expect(store.chunkFiles.isEmpty)
        #expect(try store.store.storageStatistics().objectCount == 0)
    }

    @Test func keysUpTo1024BytesAndLongKeysSortCorrectly() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let base = String(repeating: "k", count: 600)
        let keys = [
            base + "b", base + "a", base, base + "a" + String(repeating: "z", count: 423), String(repeating: "é", count: 512),
            String(repeating: "k", count: 400), String(repeating: "k", count: 399) + "l", String(repeating: "k", count: 401),
        ]
        for (index, key) in keys.enumerated() { try await store.put("bkt", key, [UInt8(index)]) }
        for (index, key) in keys.enumerated() { #expect(try await store.get("bkt", key) == [UInt8(index)]) }
        let listed = try store.store.listObjects(bucket: "bkt").objects.map(\.key)
        #expect(listed == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        await expectError(.keyTooLong) { try await store.put("bkt", String(repeating: "x", count: 1025), [1]) }
        await expectError(.keyTooLong) { try store.store.headObject(bucket: "bkt", key: String(repeating: "é", count: 513)) }
        await expectError(.invalidArgument) { try await store.put("bkt", "", [1]) }
    }

    @Test func keysAreBytesNotCanonicalStrings() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let composed = "caf\u{E9}"  // é as one scalar
        let decomposed = "cafe\u{301}"  // e + combining acute: equal as Swift Strings
        try await store.put("bkt", composed, [1])
        try await store.put("bkt", decomposed, [2])
        #expect(try await store.get("bkt", composed) == [1])
        #expect(try await store.get("bkt", decomposed) == [2])
        #expect(try store.store.listObjects(bucket: "bkt").objects.count == 2)
    }

    @Test func deleteObjectsReportsEachKey() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        for key in ["a", "b", "c"] { try await store.put("bkt", key, Array(key.utf8)) }
        let tooLong = String(repeating: "x", count: 1025)
        let results = try await store.store.deleteObjects(bucket: "bkt", keys: ["a", "missing", tooLong, "c"])
        #expect(results.count == 4)
        #expect(results[0] == .deleted(key: "a"))
        #expect(results[1] == .deleted(key: "missing"))
        if case .failed(let key, let error) = results[2] {
            #expect(key == tooLong && error.code == .keyTooLong)
        } else {
            Issue.record("expected a failure for the long key")
        }
        #expect(results[3] == .deleted(key: "c"))
        #expect(try store.store.listObjects(bucket: "bkt").objects.map(\.key) == ["b"])
        await expectError(.noSuchBucket) { try await store.store.deleteObjects(bucket: "nope", keys: ["a"]) }
        try store.expectConsistent()
    }

    @Test func copySharesChunksAndOutlivesItsSource() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("src")
        try await store.store.createBucket("dst")
        let bytes = randomBytes(4500, seed: 3)
        let original = try await store.put("src", "a", bytes, metadata: Self.metadata)
        let files = store.chunkFiles.count
        let copy = try await store.store.copyObject(sourceBucket: "src", sourceKey: "a", bucket: "dst", key: "b")
        #expect(copy.etag == original.etag)
        #expect(store.chunkFiles.count == files)
        #expect(try store.store.headObject(bucket: "dst", key: "b").metadata == Self.metadata)
        let statistics = try store.store.storageStatistics()
        #expect(statistics.logicalBytes == 9000)
        #expect(statistics.chunkCount == files)
        try await store.store.deleteObject(bucket: "src", key: "a")
        #expect(store.chunkFiles.count == files)
        #expect(try await store.get("dst", "b") == bytes)
        try store.expectConsistent()
        try await store.store.deleteObject(bucket: "dst", key: "b")
        #expect(store.chunkFiles.isEmpty)
    }

    @Test func copyMetadataDirectiveAndCopyOntoItself() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        let bytes = randomBytes(2500, seed: 4)
        try await store.put("bkt", "a", bytes, metadata: Self.metadata)
        await expectError(.invalidRequest) {
            try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "a", bucket: "bkt", key: "a")
        }
        let replaced = ObjectMetadata(contentType: "text/plain", userMetadata: [MetadataEntry(name: "new", value: "yes")])
        try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "a", bucket: "bkt", key: "a", metadataDirective: .replace(replaced))
        #expect(try store.store.headObject(bucket: "bkt", key: "a").metadata == replaced)
        #expect(try await store.get("bkt", "a") == bytes)
        try store.expectConsistent()
        await expectError(.noSuchKey) { try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "zz", bucket: "bkt", key: "c") }
        await expectError(.noSuchBucket) { try await store.store.copyObject(sourceBucket: "nope", sourceKey: "a", bucket: "bkt", key: "c") }
        await expectError(.noSuchBucket) { try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "a", bucket: "nope", key: "c") }
        struct PreconditionFailed: Error {}
        do {
            try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "a", bucket: "bkt", key: "c") { info in
                if info.etag != "\"nothing\"" { throw PreconditionFailed() }
            }
            Issue.record("the precondition should have failed")
        } catch is PreconditionFailed {}
        await expectError(.noSuchKey) { try store.store.headObject(bucket: "bkt", key: "c") }
    }

    @Test func copyLargerThanTheCopyLimitIsRefused() async throws {
        let store = try TemporaryStore { $0.maximumPartSize = 100 }
        try await store.store.createBucket("bkt")
        await expectError(.entityTooLarge) { try await store.put("bkt", "big", randomBytes(101, seed: 1)) }
        #expect(store.chunkFiles.isEmpty)
        let upload = try await store.store.createMultipartUpload(bucket: "bkt", key: "big")
        for part in 1...2 {
            try await store.store.uploadPart(bucket: "bkt", key: "big", uploadID: upload, partNumber: part, body: Pieces(randomBytes(80, seed: 2)))
        }
        _ = try await store.store.completeMultipartUpload(
            bucket: "bkt", key: "big", uploadID: upload,
            parts: [CompletedPart(partNumber: 1, etag: md5Hex(randomBytes(80, seed: 2))), CompletedPart(partNumber: 2, etag: md5Hex(randomBytes(80, seed: 2)))])
        await expectError(.invalidRequest) { try await store.store.copyObject(sourceBucket: "bkt", sourceKey: "big", bucket: "bkt", key: "copy") }
    }
}
