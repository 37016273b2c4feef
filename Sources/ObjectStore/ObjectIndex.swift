import Crypto
import LMDB

/// How object keys map to keys of the `objects` table, and the ordered walk over them.
///
/// S3 keys are up to 1024 bytes but LMDB keys at most 511, so a key longer than
/// `inlineLimit` (400) bytes is stored as its first 400 bytes followed by 16 bytes of
/// its SHA-256 (the record holds the whole key). Order survives: a shortened key sorts
/// after every key that is a prefix of its first 400 bytes and before every key that
/// differs within them, exactly as the full key does. Only long keys that share their
/// first 400 bytes come out in hash order; they are adjacent in the table (a "run"), so
/// `walk` reads a run whole and sorts it by full key. A run holds keys over 400 bytes
/// with a common 400-byte prefix: rare, and memory is one key per member.
///
/// Rejected: keeping all long keys in a side table merged into every listing (every
/// listing pays for it), LMDB's DUPSORT (duplicate values are limited to 511 bytes too).
enum ObjectIndex {
    static let inlineLimit = 400
    static let maximumKeyLength = 1024

    /// - Throws: `KeyTooLongError` beyond 1024 bytes of UTF-8, `InvalidArgument` for "".
    static func validate(_ key: String) throws(ObjectStoreError) {
        let count = key.utf8.count
        guard count > 0 else { throw ObjectStoreError(.invalidArgument, "The object key must not be empty.") }
        guard count <= maximumKeyLength else { throw ObjectStoreError(.keyTooLong, "Your key is too long.") }
    }

    /// The `objects` table key of `key` in `bucket`.
    static func storageKey(bucket: String, key: [UInt8]) -> [UInt8] {
        var storage = Tables.bucketPrefix(bucket)
        guard key.count > inlineLimit else { return storage + key }
        storage.append(contentsOf: key[..<inlineLimit])
        storage.append(contentsOf: SHA256.hash(data: key).prefix(16))
        return storage
    }

    /// What the visitor of `walk` wants next.
    enum Step {
        case next
        case stop
        /// Continue at the first key ≥ the given one, which must be greater than the
        /// current key (to leave a common prefix behind in one seek).
        case skip(to: [UInt8])
    }

    /// Visits the objects of `bucket` in UTF-8 byte order of their keys, from the first
    /// key ≥ `start` (> when `!inclusive`), with each key and its record. The record
    /// buffer is valid only during the call. O(log n + visited), plus sorting of runs.
    static func walk(
        _ txn: Transaction, _ tables: Tables, bucket: String, from start: [UInt8], inclusive: Bool = true,
        _ visit: ([UInt8], UnsafeRawBufferPointer) throws -> Step
    ) throws {
        let prefix = Tables.bucketPrefix(bucket)
        var bound = start
        var boundInclusive = inclusive
        func admits(_ key: [UInt8]) -> Bool {
            boundInclusive ? !key.lexicographicallyPrecedes(bound) : bound.lexicographicallyPrecedes(key)
        }
        try txn.withCursor(tables.objects) { cursor in
            func seek(_ key: [UInt8]) throws -> Cursor.Entry? {
                try (prefix + key.prefix(inlineLimit)).withUnsafeBytes { try cursor.seek(atLeast: $0) }
            }
            var entry = try seek(bound)
            while let current = entry, current.key.hasPrefix(prefix) {
                let rest = current.key.count - prefix.count
                if rest <= inlineLimit {
                    let key = Array(current.key[prefix.count...])
                    guard admits(key) else {
                        entry = try cursor.next()
                        continue
                    }
                    switch try visit(key, current.value) {
                    case .next: entry = try cursor.next()
                    case .stop: return
                    case .skip(let target):
                        (bound, boundInclusive) = (target, true)
                        entry = try seek(target)
                    }
                    continue
                }
                // A run of shortened keys: collect it, then visit it in full-key order.
                let runPrefix = Array(current.key[..<(prefix.count + inlineLimit)])
                var run: [(key: [UInt8], storageKey: [UInt8])] = []
                while let member = entry, member.key.count > runPrefix.count, member.key.hasPrefix(runPrefix) {
                    run.append((try ObjectRecord.key(of: member.value), Array(member.key)))
                    entry = try cursor.next()
                }
                run.sort { $0.key.lexicographicallyPrecedes($1.key) }
                for member in run where admits(member.key) {
                    let step = try txn.withValue(tables.objects, key: member.storageKey) { value in
                        guard let value else { throw ObjectStoreError.corrupt("object vanished during a walk") }
                        return try visit(member.key, value)
                    }
                    switch step {
                    case .next: continue
                    case .stop: return
                    case .skip(let target):
                        (bound, boundInclusive) = (target, true)
                        entry = try seek(target)
                    }
                    break
                }
            }
        }
    }
}
