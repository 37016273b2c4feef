import Foundation
import LMDB

/// A bucket as listings and HEAD return it.
public struct BucketInfo: Sendable, Hashable {
    public let name: String
    public let creationDate: Date
}

extension ObjectStore {
    /// Creates a bucket. Returns once it is durable.
    /// - Throws: `InvalidBucketName`, `BucketAlreadyOwnedByYou` (one owner: every
    ///   existing bucket is the caller's).
    @discardableResult
    public func createBucket(_ name: String) async throws -> BucketInfo {
        try BucketName.validate(name)
        let tables = tables
        let created = Milliseconds.now
        try await writer.submit { txn, _ in
            if try BucketRecord.read(txn, tables, name) != nil {
                throw ObjectStoreError(
                    .bucketAlreadyOwnedByYou,
                    "Your previous request to create the named bucket succeeded and you already own it.")
            }
            try txn.put(tables.buckets, key: Array(name.utf8), value: BucketRecord(created: created).encoded())
        }
        return BucketInfo(name: name, creationDate: Milliseconds.date(created))
    }

    /// Deletes an empty bucket and its lifecycle configuration.
    /// - Throws: `NoSuchBucket`; `BucketNotEmpty` while it holds objects or multipart
    ///   uploads in progress.
    public func deleteBucket(_ name: String) async throws {
        let tables = tables
        try await writer.submit { txn, _ in
            _ = try self.requireBucket(txn, name)
            let prefix = Tables.bucketPrefix(name)
            for table in [tables.objects, tables.uploads] {
                var occupied = false
                try txn.scan(table, from: prefix) { entry in
                    occupied = entry.key.hasPrefix(prefix)
                    return false
                }
                if occupied {
                    throw ObjectStoreError(.bucketNotEmpty, "The bucket you tried to delete is not empty.")
                }
            }
            try txn.delete(tables.buckets, key: Array(name.utf8))
            try txn.delete(tables.lifecycle, key: Array(name.utf8))
        }
    }

    /// The bucket's information (HEAD bucket). O(log n).
    /// - Throws: `NoSuchBucket`.
    public func headBucket(_ name: String) throws -> BucketInfo {
        let record = try environment.read { txn in try requireBucket(txn, name) }
        return BucketInfo(name: name, creationDate: Milliseconds.date(record.created))
    }

    /// Whether the bucket exists. O(log n).
    public func bucketExists(_ name: String) throws -> Bool {
        try environment.read { txn in try BucketRecord.read(txn, tables, name) != nil }
    }

    /// Every bucket, sorted by name. O(n).
    public func listBuckets() throws -> [BucketInfo] {
        try environment.read { txn in
            var buckets: [BucketInfo] = []
            try txn.scan(tables.buckets) { entry in
                let record = try BucketRecord(decoding: entry.value)
                buckets.append(BucketInfo(name: String(decoding: entry.key, as: UTF8.self), creationDate: Milliseconds.date(record.created)))
                return true
            }
            return buckets
        }
    }
}
