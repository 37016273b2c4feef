import Crypto
import Foundation
import Testing
@testable import ObjectStore

@Suite struct MultipartTests {
    /// The multipart ETag computed here from the parts' bytes, independently of the store.
    static func multipartETag(_ parts: [[UInt8]]) -> String {
        var concatenated = Data()
        for part in parts { concatenated.append(contentsOf: Insecure.MD5.hash(data: part)) }
        return "\"" + md5Hex(Array(concatenated)) + "-\(parts.count)\""
    }

    @Test func uploadCompleteAndRead() async throws {
        let store = try TemporaryStore(chunkSize: 1000) { $0.minimumPartSize = 1500 }
        try await store.store.createBucket("mpu")
        let metadata = ObjectMetadata(contentType: "video/mp4", userMetadata: [MetadataEntry(name: "m", value: "v")])
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "movie", metadata: metadata)
        #expect(UploadID(upload.description) == upload)
        let parts = [randomBytes(2500, seed: 1), jsonBytes(1500, seed: 2), randomBytes(300, seed: 3)]
        // Upload out of order, and part 2 twice (the second replaces the first).
        try await store.store.uploadPart(bucket: "mpu", key: "movie", uploadID: upload, partNumber: 2, body: Pieces(randomBytes(1700, seed: 99)))
        for (index, part) in parts.enumerated().reversed() {
            let result = try await store.store.uploadPart(
                bucket: "mpu", key: "movie", uploadID: upload, partNumber: index + 1, body: Pieces(part), contentLength: part.count)
            #expect(result.etag == "\"\(md5Hex(part))\"")
            #expect(result.size == part.count)
        }
        // Not visible before completion.
        await expectError(.noSuchKey) { try store.store.headObject(bucket: "mpu", key: "movie") }
        let listed = try store.store.listParts(bucket: "mpu", key: "movie", uploadID: upload)
        #expect(listed.parts.map(\.partNumber) == [1, 2, 3])
        #expect(listed.parts.map(\.size) == parts.map(\.count))
        #expect(listed.upload.metadata == metadata)
        let filesBefore = store.chunkFiles.count
        let completion = parts.enumerated().map { index, part in
            // Quotes are optional, and so is letter case.
            CompletedPart(partNumber: index + 1, etag: index == 0 ? md5Hex(part).uppercased() : "\"\(md5Hex(part))\"")
        }
        let result = try await store.store.completeMultipartUpload(bucket: "mpu", key: "movie", uploadID: upload, parts: completion)
        #expect(result.etag == Self.multipartETag(parts))
        #expect(result.size == 4300)
        #expect(store.chunkFiles.count == filesBefore)  // the parts' chunks became the object's
        let info = try store.store.headObject(bucket: "mpu", key: "movie")
        #expect(info.etag == result.etag)
        #expect(info.partCount == 3)
        #expect(info.metadata == metadata)
        #expect(try await store.get("mpu", "movie") == parts.flatMap { $0 })
        #expect(try await store.get("mpu", "movie", range: .bounded(first: 2400, last: 4100)) == Array(parts.flatMap { $0 }[2400...4100]))
        #expect(try store.store.listMultipartUploads(bucket: "mpu").uploads.isEmpty)
        await expectError(.noSuchUpload) { try store.store.listParts(bucket: "mpu", key: "movie", uploadID: upload) }
        try store.expectConsistent()

        // Completing again answers as the first time (AWS keeps the result for a while).
        let again = try await store.store.completeMultipartUpload(bucket: "mpu", key: "movie", uploadID: upload, parts: completion)
        #expect(again == result)
        await expectError(.noSuchUpload) {
            try await store.store.completeMultipartUpload(bucket: "mpu", key: "other", uploadID: upload, parts: completion)
        }
        // ... until the retention has passed.
        _ = try await store.store.expireObjects(now: Date(timeIntervalSinceNow: 2 * 86_400))
        await expectError(.noSuchUpload) {
            try await store.store.completeMultipartUpload(bucket: "mpu", key: "movie", uploadID: upload, parts: completion)
        }
    }

    @Test func completionErrors() async throws {
        let store = try TemporaryStore(chunkSize: 100) { $0.minimumPartSize = 200 }
        try await store.store.createBucket("mpu")
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "k")
        let parts = [randomBytes(250, seed: 1), randomBytes(150, seed: 2), randomBytes(250, seed: 3)]
        for (index, part) in parts.enumerated() {
            try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: index + 1, body: Pieces(part))
        }
        let etags = parts.map(md5Hex)
        func complete(_ list: [(Int, String)]) async throws -> CompleteMultipartUploadResult {
            try await store.store.completeMultipartUpload(
                bucket: "mpu", key: "k", uploadID: upload, parts: list.map { CompletedPart(partNumber: $0.0, etag: $0.1) })
        }
        await expectError(.malformedXML) { try await complete([]) }
        await expectError(.invalidPartOrder) { try await complete([(2, etags[1]), (1, etags[0])]) }
        await expectError(.invalidPartOrder) { try await complete([(1, etags[0]), (1, etags[0])]) }
        await expectError(.invalidPart) { try await complete([(1, etags[0]), (4, etags[0])]) }
        await expectError(.invalidPart) { try await complete([(1, etags[1])]) }
        await expectError(.entityTooSmall) { try await complete([(1, etags[0]), (2, etags[1]), (3, etags[2])]) }
        await expectError(.invalidArgument) {
            try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: 0, body: Pieces([1]))
        }
        await expectError(.invalidArgument) {
            try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: 10_001, body: Pieces([1]))
        }
        await expectError(.noSuchUpload) {
            try await store.store.uploadPart(bucket: "mpu", key: "other", uploadID: upload, partNumber: 1, body: Pieces([1]))
        }
        await expectError(.noSuchUpload) { try UploadID.parse("not-an-upload") }
        // The failures changed nothing: skipping the small part completes.
        let result = try await complete([(1, etags[0]), (3, etags[2])])
        #expect(result.etag == Self.multipartETag([parts[0], parts[2]]))
        #expect(try await store.get("mpu", "k") == parts[0] + parts[2])
        try store.expectConsistent()  // part 2's chunks were released
    }

    @Test func abortRemovesPartsAndUnknownUploadsAreNoSuchUpload() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("mpu")
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "k")
        try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: 1, body: Pieces(randomBytes(3000, seed: 1)))
        #expect(!store.chunkFiles.isEmpty)
        try await store.store.abortMultipartUpload(bucket: "mpu", key: "k", uploadID: upload)
        #expect(store.chunkFiles.isEmpty)
        await expectError(.noSuchUpload) { try await store.store.abortMultipartUpload(bucket: "mpu", key: "k", uploadID: upload) }
        await expectError(.noSuchUpload) {
            try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: 1, body: Pieces([1]))
        }
        await expectError(.noSuchUpload) {
            try await store.store.completeMultipartUpload(bucket: "mpu", key: "k", uploadID: upload, parts: [CompletedPart(partNumber: 1, etag: "x")])
        }
        #expect(store.chunkFiles.isEmpty)
        try store.expectConsistent()
    }

    @Test func listPartsPaginates() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("mpu")
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "k")
        for number in [1, 2, 5, 9, 10, 300, 10_000] {
            try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: number, body: Pieces([UInt8(number % 256)]))
        }
        var marker = 0
        var seen: [Int] = []
        while true {
            let page = try store.store.listParts(bucket: "mpu", key: "k", uploadID: upload, partNumberMarker: marker, maxParts: 3)
            seen += page.parts.map(\.partNumber)
            guard page.isTruncated, let next = page.nextPartNumberMarker else { break }
            marker = next
        }
        #expect(seen == [1, 2, 5, 9, 10, 300, 10_000])
        let tail = try store.store.listParts(bucket: "mpu", key: "k", uploadID: upload, partNumberMarker: 10)
        #expect(tail.parts.map(\.partNumber) == [300, 10_000])
        #expect(!tail.isTruncated && tail.nextPartNumberMarker == nil)
    }

    @Test func listUploadsWithMarkersAndDelimiter() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("mpu")
        try await store.store.createBucket("mp2")
        _ = try await store.store.createMultipartUpload(bucket: "mp2", key: "a")
        var made: [(String, UploadID)] = []
        for key in ["b", "a", "dir/x", "dir/y", "a", "c"] {
            made.append((key, try await store.store.createMultipartUpload(bucket: "mpu", key: key)))
            try await Task.sleep(for: .milliseconds(2))  // ids of one key sort by creation time
        }
        let expected = made.sorted { $0.0 == $1.0 ? $0.1.description < $1.1.description : $0.0 < $1.0 }
        let all = try store.store.listMultipartUploads(bucket: "mpu")
        #expect(all.uploads.map(\.key) == ["a", "a", "b", "c", "dir/x", "dir/y"])
        #expect(all.uploads.map(\.uploadID) == expected.map(\.1))
        #expect(all.uploads[0].uploadID == made[1].1)  // the older "a" first

        var pages: [String] = []
        var keyMarker: String?
        var idMarker: String?
        while true {
            let page = try store.store.listMultipartUploads(
                bucket: "mpu", delimiter: "/", keyMarker: keyMarker, uploadIDMarker: idMarker, maxUploads: 2)
            pages += page.uploads.map { "\($0.key)#\($0.uploadID)" } + page.commonPrefixes
            guard page.isTruncated else { break }
            (keyMarker, idMarker) = (page.nextKeyMarker, page.nextUploadIDMarker)
        }
        let uploads = expected.filter { !$0.0.hasPrefix("dir/") }.map { "\($0.0)#\($0.1)" }
        #expect(pages == uploads + ["dir/"])
        let prefixed = try store.store.listMultipartUploads(bucket: "mpu", prefix: "dir/")
        #expect(prefixed.uploads.map(\.key) == ["dir/x", "dir/y"])
        let afterA = try store.store.listMultipartUploads(bucket: "mpu", keyMarker: "a")
        #expect(afterA.uploads.map(\.key) == ["b", "c", "dir/x", "dir/y"])
    }

    @Test func partCopySharesWholeChunksAndCopiesTheEdges() async throws {
        let store = try TemporaryStore(chunkSize: 1000) { $0.minimumPartSize = 1 }
        try await store.store.createBucket("mpu")
        let source = randomBytes(5000, seed: 5)
        try await store.put("mpu", "src", source)
        let files = store.chunkFiles.count  // 5
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "dst")
        // Whole object: shares all 5 chunks, writes nothing.
        let whole = try await store.store.uploadPartCopy(
            bucket: "mpu", key: "dst", uploadID: upload, partNumber: 1, sourceBucket: "mpu", sourceKey: "src")
        #expect(whole.etag == "\"\(md5Hex(source))\"")
        #expect(store.chunkFiles.count == files)
        // 500...3499: chunks 1 and 2 shared, the two half chunks at the ends copied.
        let middle = try await store.store.uploadPartCopy(
            bucket: "mpu", key: "dst", uploadID: upload, partNumber: 2, sourceBucket: "mpu", sourceKey: "src",
            range: .bounded(first: 500, last: 3499))
        #expect(middle.etag == "\"\(md5Hex(Array(source[500...3499])))\"")
        #expect(store.chunkFiles.count == files + 2)
        await expectError(.invalidRange) {
            try await store.store.uploadPartCopy(
                bucket: "mpu", key: "dst", uploadID: upload, partNumber: 3, sourceBucket: "mpu", sourceKey: "src", range: .from(5000))
        }
        await expectError(.noSuchKey) {
            try await store.store.uploadPartCopy(bucket: "mpu", key: "dst", uploadID: upload, partNumber: 3, sourceBucket: "mpu", sourceKey: "none")
        }
        // The source may go; the parts keep their chunks.
        try await store.store.deleteObject(bucket: "mpu", key: "src")
        try store.expectConsistent()
        let result = try await store.store.completeMultipartUpload(
            bucket: "mpu", key: "dst", uploadID: upload,
            parts: [CompletedPart(partNumber: 1, etag: whole.etag), CompletedPart(partNumber: 2, etag: middle.etag)])
        #expect(result.etag == Self.multipartETag([source, Array(source[500...3499])]))
        #expect(try await store.get("mpu", "dst") == source + Array(source[500...3499]))
        try store.expectConsistent()
        try await store.store.deleteObject(bucket: "mpu", key: "dst")
        #expect(store.chunkFiles.isEmpty)
    }

    @Test func compositeChecksumsOfParts() async throws {
        let store = try TemporaryStore(chunkSize: 100)
        try await store.store.createBucket("mpu")
        let upload = try await store.store.createMultipartUpload(bucket: "mpu", key: "k", checksumAlgorithm: .crc32)
        let parts = [randomBytes(300, seed: 1), randomBytes(120, seed: 2)]
        var partSums: [String] = []
        for (index, part) in parts.enumerated() {
            let result = try await store.store.uploadPart(bucket: "mpu", key: "k", uploadID: upload, partNumber: index + 1, body: Pieces(part))
            var crc = CRC32(.ieee)
            crc.update(part)
            #expect(result.checksums.crc32 == crc.bytes.base64)
            partSums.append(result.checksums.crc32!)
        }
        await expectError(.invalidPart) {
            try await store.store.completeMultipartUpload(
                bucket: "mpu", key: "k", uploadID: upload,
                parts: [CompletedPart(partNumber: 1, etag: md5Hex(parts[0]), checksums: Checksums(crc32: "AAAAAA=="))])
        }
        let result = try await store.store.completeMultipartUpload(
            bucket: "mpu", key: "k", uploadID: upload,
            parts: parts.enumerated().map { CompletedPart(partNumber: $0 + 1, etag: md5Hex($1), checksums: Checksums(crc32: partSums[$0])) })
        var composite = CRC32(.ieee)
        for sum in partSums { composite.update(Array(Data(base64Encoded: sum)!)) }
        #expect(result.checksums.crc32 == composite.bytes.base64 + "-2")
        #expect(result.checksums.type == .composite)
    }
}
