extension ObjectStore {
    /// Deletes an object; deleting a key that does not exist succeeds, as in S3. Its
    /// chunk files go after the commit, or when the last reader streaming them ends.
    /// Returns once the deletion is durable.
    /// - Throws: `NoSuchBucket`, `KeyTooLongError`.
    public func deleteObject(bucket: String, key: String) async throws {
        try ObjectIndex.validate(key)
        try await writer.submit { txn, effects in
            _ = try self.requireBucket(txn, bucket)
            try self.removeObject(txn, bucket: bucket, key: Array(key.utf8), &effects)
        }
    }

    /// The outcome for one key of `deleteObjects`.
    public enum DeleteResult: Sendable, Equatable {
        /// Deleted, or there was nothing to delete (S3 reports both as deleted).
        case deleted(key: String)
        case failed(key: String, error: ObjectStoreError)
    }

    /// Deletes several objects in one durable commit (DeleteObjects, up to 1000 keys
    /// in S3), with one result per key in the order given. O(keys · log n).
    /// - Throws: `NoSuchBucket` (for the whole request).
    public func deleteObjects(bucket: String, keys: [String]) async throws -> [DeleteResult] {
        try await writer.submit { txn, effects in
            _ = try self.requireBucket(txn, bucket)
            return try keys.map { key -> DeleteResult in
                do {
                    try ObjectIndex.validate(key)
                } catch let error as ObjectStoreError {
                    return .failed(key: key, error: error)
                }
                try self.removeObject(txn, bucket: bucket, key: Array(key.utf8), &effects)
                return .deleted(key: key)
            }
        }
    }
}
