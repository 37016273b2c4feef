import LMDB

/// The answer to a GET: the object's metadata and its bytes (or those of the range).
public struct ObjectContent: Sendable {
    public let info: ObjectInfo
    /// The bytes served: the resolved range, or `nil` for the whole object.
    public let range: ClosedRange<Int>?
    public let body: ObjectBody
}

extension ObjectStore {
    /// The object's metadata (HEAD). O(log n + record size).
    /// - Throws: `NoSuchBucket`, `NoSuchKey`, `KeyTooLongError`.
    public func headObject(bucket: String, key: String) throws -> ObjectInfo {
        try ObjectIndex.validate(key)
        return try environment.read { txn in try readObject(txn, bucket: bucket, key: Array(key.utf8), chunks: false).info }
    }

    /// The object's metadata and a stream of its bytes, or of `range` of them, from one
    /// snapshot: the stream shows this version even if it is replaced or deleted
    /// meanwhile. O(log n + record size); the bytes are read as the stream is consumed.
    /// - Throws: `NoSuchBucket`, `NoSuchKey`, `KeyTooLongError`, `InvalidRange`.
    public func getObject(bucket: String, key: String, range: ByteRange? = nil) throws -> ObjectContent {
        try ObjectIndex.validate(key)
        let ((info, resolved, slices), lease) = try pins.snapshot(environment) { txn in
            let record = try readObject(txn, bucket: bucket, key: Array(key.utf8))
            let resolved = try range?.resolved(size: record.size)
            let slices = record.size == 0 ? [] : ChunkSlice.covering(resolved ?? 0...(record.size - 1), of: record.chunks)
            return ((record.info, resolved, slices), slices.map(\.chunk.id))
        }
        return ObjectContent(info: info, range: resolved, body: ObjectBody(files: files, slices: slices, lease: lease))
    }

    /// The record of an object (without its chunk list unless `chunks`), or
    /// `NoSuchBucket` / `NoSuchKey`.
    func readObject(_ txn: Transaction, bucket: String, key: [UInt8], chunks: Bool = true) throws -> ObjectRecord {
        let record = try txn.withValue(tables.objects, key: ObjectIndex.storageKey(bucket: bucket, key: key)) { value in
            try value.map { buffer throws(ObjectStoreError) in try ObjectRecord(decoding: buffer, chunks: chunks) }
        }
        if let record, record.key == key { return record }
        _ = try requireBucket(txn, bucket)
        throw ObjectStoreError.noSuchKey
    }
}
