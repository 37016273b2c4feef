import Foundation
import LMDB

/// What a successful PUT (or copy) stored.
public struct PutObjectResult: Sendable, Hashable {
    /// Quoted, as S3 sends it.
    public let etag: String
    public let size: Int
    public let lastModified: Date
    public let checksums: Checksums
}

extension ObjectStore {
    var chunkWriter: ChunkWriter {
        ChunkWriter(files: files, chunkSize: configuration.chunkSize, level: configuration.compressionLevel)
    }

    /// Stores an object, streaming `body` into chunk files, and replaces any object at
    /// `key` atomically: readers see the old object or the new one, whole, and of
    /// concurrent PUTs to one key exactly one remains. Returns once data and metadata
    /// are durable.
    ///
    /// Memory: about two chunks, whatever the size. The ETag is the hex MD5 of the body.
    ///
    /// - Parameters:
    ///   - body: the bytes, in pieces of any size (e.g. `request.body.map(\.readableBytesView)`).
    ///   - contentLength: the size the client announced, if any; a body of another
    ///     length fails with `IncompleteBody`.
    ///   - expectedMD5: the decoded `Content-MD5` (16 bytes).
    ///   - expectedSHA256: the decoded `x-amz-content-sha256` when it names a hash.
    ///   - checksums: checksums to compute, store and verify (`x-amz-checksum-*`).
    /// - Throws: `NoSuchBucket`, `KeyTooLongError`, `EntityTooLarge` (beyond
    ///   `maximumPartSize`), `InvalidDigest`, `BadDigest`, `XAmzContentSHA256Mismatch`,
    ///   `InvalidRequest`, `IncompleteBody`, or the body's own error. On any error the previous object is
    ///   untouched and no chunk file remains.
    @discardableResult
    public func putObject<Body: AsyncSequence>(
        bucket: String, key: String, body: Body, contentLength: Int? = nil,
        metadata: ObjectMetadata = ObjectMetadata(),
        expectedMD5: [UInt8]? = nil, expectedSHA256: [UInt8]? = nil,
        checksums: ChecksumRequest = ChecksumRequest()
    ) async throws -> PutObjectResult where Body.Element: Collection<UInt8> {
        try ObjectIndex.validate(key)
        guard try bucketExists(bucket) else { throw ObjectStoreError.noSuchBucket(bucket) }
        let limit = configuration.maximumPartSize
        if let contentLength, contentLength > limit {
            throw ObjectStoreError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size (\(limit) bytes).")
        }
        let stored = try await receive(
            body, limit: limit, contentLength: contentLength, expectedMD5: expectedMD5,
            expectedSHA256: expectedSHA256, checksums: checksums, also: [])
        let record = ObjectRecord(
            key: Array(key.utf8), size: stored.size, etag: Hex.encode(stored.digest.md5), lastModified: Milliseconds.now,
            metadata: metadata, checksums: stored.digest.stored(checksums.computed), chunks: stored.chunks)
        let tables = tables
        do {
            try await writer.submit { txn, effects in
                _ = try self.requireBucket(txn, bucket)
                try ChunkLedger.add(txn, tables, record.chunks)
                try self.replaceObject(txn, bucket: bucket, with: record, &effects)
            }
        } catch {
            await chunkWriter.discard(stored.chunks)
            throw error
        }
        return PutObjectResult(
            etag: record.etag.quoted, size: record.size, lastModified: Milliseconds.date(record.lastModified),
            checksums: record.checksums)
    }

    /// A body written to chunk files and verified; its chunks are not yet named.
    struct ReceivedBody {
        let chunks: [ChunkReference]
        let size: Int
        let digest: BodyDigest.Result
    }

    /// Streams a body into chunks, then checks its length and digests; on any failure
    /// removes the chunks. `also` adds checksums to compute (an upload's algorithm).
    func receive<Body: AsyncSequence>(
        _ body: Body, limit: Int, contentLength: Int?, expectedMD5: [UInt8]?, expectedSHA256: [UInt8]?,
        checksums: ChecksumRequest, also: Set<ChecksumAlgorithm>
    ) async throws -> ReceivedBody where Body.Element: Collection<UInt8> {
        if let expectedMD5, expectedMD5.count != 16 {
            throw ObjectStoreError(.invalidDigest, "The Content-MD5 you specified was invalid.")
        }
        for (algorithm, value) in checksums.expected { _ = try algorithm.decode(value) }
        var digest = BodyDigest(checksums: checksums.computed.union(also), contentSHA256: expectedSHA256 != nil)
        let (chunks, size) = try await chunkWriter.write(body, limit: limit, digest: &digest)
        do {
            if let contentLength, contentLength != size {
                throw ObjectStoreError(
                    .incompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
            }
            var expected = checksums.expected
            if let trailing = checksums.trailing {
                expected.merge(try await trailing()) { _, trailer in trailer }
            }
            let result = digest.finalize()
            try result.verify(expectedMD5: expectedMD5, expectedSHA256: expectedSHA256, checksums: expected)
            return ReceivedBody(chunks: chunks, size: size, digest: result)
        } catch {
            await chunkWriter.discard(chunks)
            throw error
        }
    }

    /// Puts `record` at its key, releasing the chunks of the object it replaces and
    /// updating the totals. The caller has accounted for the new record's chunks.
    func replaceObject(_ txn: Transaction, bucket: String, with record: ObjectRecord, _ effects: inout CommitEffects) throws {
        let storageKey = ObjectIndex.storageKey(bucket: bucket, key: record.key)
        let old = try txn.withValue(tables.objects, key: storageKey) { value in
            try value.map { buffer throws(ObjectStoreError) in try ObjectRecord(decoding: buffer) }
        }
        if let old { try ChunkLedger.release(txn, tables, old.chunks, &effects) }
        try txn.put(tables.objects, key: storageKey, value: record.encoded())
        try StorageTotals.update(txn, tables) { totals in
            if old == nil { totals.objectCount += 1 }
            totals.logicalBytes += record.size - (old?.size ?? 0)
        }
    }

    /// Removes the object at `key`, if any; returns whether there was one.
    @discardableResult
    func removeObject(_ txn: Transaction, bucket: String, key: [UInt8], _ effects: inout CommitEffects) throws -> Bool {
        let storageKey = ObjectIndex.storageKey(bucket: bucket, key: key)
        let old = try txn.withValue(tables.objects, key: storageKey) { value in
            try value.map { buffer throws(ObjectStoreError) in try ObjectRecord(decoding: buffer) }
        }
        guard let old else { return false }
        try ChunkLedger.release(txn, tables, old.chunks, &effects)
        try txn.delete(tables.objects, key: storageKey)
        try StorageTotals.update(txn, tables) { totals in
            totals.objectCount -= 1
            totals.logicalBytes -= old.size
        }
        return true
    }
}
