import Foundation
import LMDB

/// What one run of `expireObjects(now:)` did.
public struct ExpirationReport: Sendable, Hashable {
    public var objectsDeleted = 0
    public var uploadsAborted = 0
}

extension ObjectStore {
    /// Stores a bucket's lifecycle configuration, replacing any earlier one.
    /// - Throws: `NoSuchBucket`, `InvalidArgument` (duplicate ids, days not positive,
    ///   more than 1000 rules).
    public func putBucketLifecycle(_ bucket: String, _ configuration: LifecycleConfiguration) async throws {
        try configuration.validate()
        let tables = tables
        try await writer.submit { txn, _ in
            _ = try self.requireBucket(txn, bucket)
            try txn.put(tables.lifecycle, key: Array(bucket.utf8), value: configuration.encoded())
        }
    }

    /// The bucket's lifecycle configuration, or `nil` when it has none (S3's
    /// NoSuchLifecycleConfiguration). - Throws: `NoSuchBucket`.
    public func bucketLifecycle(_ bucket: String) throws -> LifecycleConfiguration? {
        try environment.read { txn in
            _ = try requireBucket(txn, bucket)
            return try txn.withValue(tables.lifecycle, key: Array(bucket.utf8)) { value in
                try value.map { buffer throws(ObjectStoreError) in try LifecycleConfiguration(decoding: buffer) }
            }
        }
    }

    /// Removes the bucket's lifecycle configuration (succeeds when there is none).
    /// - Throws: `NoSuchBucket`.
    public func deleteBucketLifecycle(_ bucket: String) async throws {
        let tables = tables
        try await writer.submit { txn, _ in
            _ = try self.requireBucket(txn, bucket)
            try txn.delete(tables.lifecycle, key: Array(bucket.utf8))
        }
    }

    /// Applies every bucket's enabled lifecycle rules at `now`: deletes expired objects
    /// and aborts incomplete uploads past their days, in commits of at most 1000 each
    /// (each re-checks its objects, so a concurrent overwrite is never deleted). Also
    /// forgets completed uploads older than `completedUploadRetention`. The S3 layer
    /// runs it periodically. O(objects under the rules' prefixes).
    public func expireObjects(now: Date = Date()) async throws -> ExpirationReport {
        let now = Milliseconds.from(now)
        var report = ExpirationReport()
        let configurations: [(String, LifecycleConfiguration)] = try environment.read { txn in
            var result: [(String, LifecycleConfiguration)] = []
            try txn.scan(tables.lifecycle) { entry in
                result.append((String(decoding: entry.key, as: UTF8.self), try LifecycleConfiguration(decoding: entry.value)))
                return true
            }
            return result
        }
        for (bucket, configuration) in configurations {
            for rule in configuration.rules where rule.status == .enabled {
                if rule.expiration != nil { report.objectsDeleted += try await expire(bucket: bucket, rule: rule, now: now) }
                if let days = rule.abortIncompleteUploadsAfterDays {
                    report.uploadsAborted += try await abortStale(bucket: bucket, prefix: rule.prefix, days: days, now: now)
                }
            }
        }
        try await forgetCompletedUploads(before: now - Int64(configuration.completedUploadRetention * 1000))
        return report
    }

    private func expire(bucket: String, rule: LifecycleRule, now: Int64) async throws -> Int {
        let prefix = Array(rule.prefix.utf8)
        var start = prefix
        var inclusive = true
        var deleted = 0
        while true {
            var due: [[UInt8]] = []
            var finished = true
            try environment.read { txn in
                try ObjectIndex.walk(txn, self.tables, bucket: bucket, from: start, inclusive: inclusive) { key, value in
                    guard key.hasPrefix(prefix) else { return .stop }
                    if try rule.expires(lastModified: ObjectRecord.Summary(decoding: value).lastModified, now: now) {
                        due.append(key)
                    }
                    (start, inclusive) = (key, false)
                    guard due.count < 1000 else {
                        finished = false
                        return .stop
                    }
                    return .next
                }
            }
            if !due.isEmpty { deleted += try await deleteExpired(bucket: bucket, keys: due, rule: rule, now: now) }
            if finished { return deleted }
        }
    }

    /// Deletes the objects at `keys` that are still due: each is checked again in the
    /// transaction, so an object overwritten since the scan survives.
    private func deleteExpired(bucket: String, keys: [[UInt8]], rule: LifecycleRule, now: Int64) async throws -> Int {
        let tables = tables
        return try await writer.submit { txn, effects in
            var count = 0
            for key in keys {
                let storageKey = ObjectIndex.storageKey(bucket: bucket, key: key)
                let lastModified = try txn.withValue(tables.objects, key: storageKey) { value in
                    try value.map { buffer throws(ObjectStoreError) in try ObjectRecord.Summary(decoding: buffer).lastModified }
                }
                guard let lastModified, rule.expires(lastModified: lastModified, now: now) else { continue }
                if try self.removeObject(txn, bucket: bucket, key: key, &effects) { count += 1 }
            }
            return count
        }
    }

    private func abortStale(bucket: String, prefix: String, days: Int, now: Int64) async throws -> Int {
        let prefix = Array(prefix.utf8)
        let bucketPrefix = Tables.bucketPrefix(bucket)
        let stale: [UploadID] = try environment.read { txn in
            var stale: [UploadID] = []
            try txn.scan(self.tables.uploads, from: bucketPrefix) { entry in
                guard entry.key.hasPrefix(bucketPrefix) else { return false }
                let record = try UploadRecord(decoding: entry.value)
                if record.key.hasPrefix(prefix), LifecycleRule.isDue(record.initiated, days: days, now: now) {
                    stale.append(try UploadID(bytes: UnsafeRawBufferPointer(rebasing: entry.key[bucketPrefix.count...])))
                }
                return true
            }
            return stale
        }
        guard !stale.isEmpty else { return 0 }
        let tables = tables
        return try await writer.submit { txn, effects in
            var count = 0
            for upload in stale where try txn.withValue(tables.uploads, key: Tables.uploadKey(bucket: bucket, upload: upload), { $0 != nil }) {
                try self.removeUpload(txn, bucket: bucket, uploadID: upload, keeping: [], &effects)
                count += 1
            }
            return count
        }
    }

    private func forgetCompletedUploads(before cutoff: Int64) async throws {
        let old: [[UInt8]] = try environment.read { txn in
            var old: [[UInt8]] = []
            try txn.scan(self.tables.completed) { entry in
                if try CompletedUploadRecord(decoding: entry.value).completed < cutoff { old.append(Array(entry.key)) }
                return true
            }
            return old
        }
        guard !old.isEmpty else { return }
        let tables = tables
        try await writer.submit { txn, _ in
            for key in old { try txn.delete(tables.completed, key: key) }
        }
    }
}
