import Foundation
import LMDB

/// A multipart upload in progress.
public struct UploadInfo: Sendable, Hashable {
    public let key: String
    public let uploadID: UploadID
    public let initiated: Date
    public let metadata: ObjectMetadata
    /// The checksum algorithm named at creation (`x-amz-checksum-algorithm`), if any.
    public let checksumAlgorithm: ChecksumAlgorithm?
}

/// What UploadPart and UploadPartCopy stored.
public struct PartResult: Sendable, Hashable {
    /// Quoted hex MD5 of the part's bytes.
    public let etag: String
    public let size: Int
    public let lastModified: Date
    public let checksums: Checksums
}

extension ObjectStore {
    /// The valid part numbers (S3: 1 to 10,000).
    public static let partNumbers = 1...10_000

    /// Starts a multipart upload (CreateMultipartUpload). The object will get `metadata`.
    /// With a `checksumAlgorithm`, every part computes it and the object gets the
    /// composite checksum. Returns once durable.
    /// - Throws: `NoSuchBucket`, `KeyTooLongError`.
    public func createMultipartUpload(
        bucket: String, key: String, metadata: ObjectMetadata = ObjectMetadata(),
        checksumAlgorithm: ChecksumAlgorithm? = nil
    ) async throws -> UploadID {
        try ObjectIndex.validate(key)
        let initiated = Milliseconds.now
        let upload = UploadID.make(at: initiated)
        let record = UploadRecord(key: Array(key.utf8), initiated: initiated, metadata: metadata, checksumAlgorithm: checksumAlgorithm)
        let tables = tables
        try await writer.submit { txn, _ in
            _ = try self.requireBucket(txn, bucket)
            try txn.put(tables.uploads, key: Tables.uploadKey(bucket: bucket, upload: upload), value: record.encoded())
        }
        return upload
    }

    /// Stores one part (UploadPart), streamed like `putObject`; uploading a part number
    /// again replaces the earlier part. Returns once durable.
    /// - Throws: `NoSuchBucket`, `NoSuchUpload` (also when the upload is completed or
    ///   aborted while the part streams), `InvalidArgument` (part number outside
    ///   1...10000), `EntityTooLarge` (beyond `maximumPartSize`), and the digest errors
    ///   of `putObject`. On error no chunk file remains.
    @discardableResult
    public func uploadPart<Body: AsyncSequence>(
        bucket: String, key: String, uploadID: UploadID, partNumber: Int, body: Body, contentLength: Int? = nil,
        expectedMD5: [UInt8]? = nil, expectedSHA256: [UInt8]? = nil, checksums: ChecksumRequest = ChecksumRequest()
    ) async throws -> PartResult where Body.Element: Collection<UInt8> {
        try Self.validatePartNumber(partNumber)
        try ObjectIndex.validate(key)
        let upload = try environment.read { txn in try requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID) }
        let limit = configuration.maximumPartSize
        if let contentLength, contentLength > limit {
            throw ObjectStoreError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size (\(limit) bytes).")
        }
        let also: Set<ChecksumAlgorithm> = upload.checksumAlgorithm.map { [$0] } ?? []
        let stored = try await receive(
            body, limit: limit, contentLength: contentLength, expectedMD5: expectedMD5,
            expectedSHA256: expectedSHA256, checksums: checksums, also: also)
        let part = PartRecord(
            size: stored.size, md5: stored.digest.md5, lastModified: Milliseconds.now,
            checksums: stored.digest.stored(checksums.computed.union(also)), chunks: stored.chunks)
        do {
            try await commitPart(part, newChunks: part.chunks, sharedChunks: [], bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber)
        } catch {
            await chunkWriter.discard(stored.chunks)
            throw error
        }
        return part.result
    }

    /// Commits a part: records `newChunks`, retains `sharedChunks` (which may throw
    /// `StaleSnapshot`) and releases the part it replaces.
    func commitPart(
        _ part: PartRecord, newChunks: [ChunkReference], sharedChunks: [ChunkReference],
        bucket: String, key: String, uploadID: UploadID, partNumber: Int
    ) async throws {
        let tables = tables
        try await writer.submit { txn, effects in
            _ = try self.requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID)
            try ChunkLedger.retain(txn, tables, sharedChunks)
            try ChunkLedger.add(txn, tables, newChunks)
            let partKey = Tables.partKey(upload: uploadID, partNumber: partNumber)
            if let old = try txn.withValue(tables.parts, key: partKey, { value in
                try value.map { buffer throws(ObjectStoreError) in try PartRecord(decoding: buffer) }
            }) {
                try ChunkLedger.release(txn, tables, old.chunks, &effects)
            }
            try txn.put(tables.parts, key: partKey, value: part.encoded())
        }
    }

    /// Abandons an upload (AbortMultipartUpload): its parts' chunk files go after the
    /// commit. Returns once durable. O(parts · chunks).
    /// - Throws: `NoSuchBucket`, `NoSuchUpload`.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: UploadID) async throws {
        try await writer.submit { txn, effects in
            _ = try self.requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID)
            try self.removeUpload(txn, bucket: bucket, uploadID: uploadID, keeping: [], &effects)
        }
    }

    /// Deletes an upload and its parts, releasing the chunks of every part whose number
    /// is not in `keeping` (those references move to the completed object).
    func removeUpload(
        _ txn: Transaction, bucket: String, uploadID: UploadID, keeping: Set<Int>, _ effects: inout CommitEffects
    ) throws {
        var doomed: [(key: [UInt8], chunks: [ChunkReference]?)] = []
        try txn.scan(tables.parts, from: uploadID.bytes) { entry in
            guard entry.key.hasPrefix(uploadID.bytes), entry.key.count == 20 else { return false }
            let number = entry.key[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let chunks = keeping.contains(number) ? nil : try PartRecord(decoding: entry.value).chunks
            doomed.append((Array(entry.key), chunks))
            return true
        }
        for part in doomed {
            if let chunks = part.chunks { try ChunkLedger.release(txn, tables, chunks, &effects) }
            try txn.delete(tables.parts, key: part.key)
        }
        try txn.delete(tables.uploads, key: Tables.uploadKey(bucket: bucket, upload: uploadID))
    }

    /// The record of an upload in progress for `key` in `bucket`.
    /// - Throws: `NoSuchBucket`, `NoSuchUpload` (also when the id belongs to another key).
    func requireUpload(_ txn: Transaction, bucket: String, key: String, uploadID: UploadID) throws -> UploadRecord {
        let record = try txn.withValue(tables.uploads, key: Tables.uploadKey(bucket: bucket, upload: uploadID)) { value in
            try value.map { buffer throws(ObjectStoreError) in try UploadRecord(decoding: buffer) }
        }
        guard let record else {
            _ = try requireBucket(txn, bucket)
            throw ObjectStoreError.noSuchUpload
        }
        guard key.utf8.elementsEqual(record.key) else { throw ObjectStoreError.noSuchUpload }
        return record
    }

    static func validatePartNumber(_ number: Int) throws(ObjectStoreError) {
        guard partNumbers.contains(number) else {
            throw ObjectStoreError(.invalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
        }
    }
}

extension PartRecord {
    var result: PartResult {
        PartResult(etag: etag.quoted, size: size, lastModified: Milliseconds.date(lastModified), checksums: checksums)
    }
}
