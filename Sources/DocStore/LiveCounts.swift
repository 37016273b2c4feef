import LMDB

/// Counts of live (not deleted) documents by id range, so that `_all_docs` reports its
/// `offset` — the live documents before its first row — without counting every id
/// before it (CouchDB reads it from its B-tree's reductions; LMDB keeps no counts).
///
/// The ids are cut into buckets of about `target` live documents. The `counts` table
/// maps each bucket's lower bound to its count: key `[1] + first id` (`[1]` alone for
/// the first bucket, which starts before every id; LMDB keys cannot be empty). A bucket
/// runs up to the next bound. Writes adjust one count when a document becomes live or
/// stops being live; a bucket past `2 × target` splits at its middle live id, and a
/// bucket whose count reaches zero joins the one before it.
///
/// `countBefore` costs one pass over the counts (n / target entries) and a scan of at
/// most `2 × target` ids: O(√n) with `target` near √n for the sizes that matter.
enum LiveCounts {
    static let target = 1024
    static let firstBound: [UInt8] = [1]

    static func bound(_ id: some Collection<UInt8>) -> [UInt8] { [1] + id }

    /// Records that `id` became live (`+1`) or stopped being live (`-1`).
    static func adjust(_ txn: Transaction, _ tables: Tables, id: [UInt8], by delta: Int) throws {
        let (key, count) = try bucket(containing: id, txn, tables)
        let updated = count + delta
        if updated <= 0 && key != firstBound {
            _ = try txn.delete(tables.counts, key: key)
        } else if updated > 2 * target {
            try split(key, count: updated, txn, tables)
        } else {
            try write(key, max(updated, 0), txn, tables)
        }
    }

    /// Live documents whose ids sort before `id`.
    static func countBefore(_ id: [UInt8], _ txn: Transaction, _ tables: Tables) throws -> Int {
        let (key, _) = try bucket(containing: id, txn, tables)
        var total = 0
        try txn.scan(tables.counts, to: key, inclusiveEnd: false) { entry in
            total += try decode(entry.value)
            return true
        }
        let start = Array(key.dropFirst())
        try txn.scan(tables.documents, from: start.isEmpty ? nil : start, to: id, inclusiveEnd: false) { entry in
            if !DocumentRecord.isDeleted(encoded: entry.value) { total += 1 }
            return true
        }
        return total
    }

    /// Rebuilds the counts from the documents (databases written before they existed).
    /// O(n).
    static func rebuild(_ txn: Transaction, _ tables: Tables) throws {
        try txn.removeAll(tables.counts)
        var key = firstBound
        var count = 0
        try txn.scan(tables.documents) { entry in
            guard !DocumentRecord.isDeleted(encoded: entry.value) else { return true }
            if count == target {
                try write(key, count, txn, tables)
                key = bound(entry.key)
                count = 0
            }
            count += 1
            return true
        }
        try write(key, count, txn, tables)
    }

    /// Every bucket's bound and count, in order (tests check them against the documents).
    static func buckets(_ txn: Transaction, _ tables: Tables) throws -> [(bound: [UInt8], count: Int)] {
        var buckets: [(bound: [UInt8], count: Int)] = []
        try txn.scan(tables.counts) { entry in
            buckets.append((Array(entry.key), try decode(entry.value)))
            return true
        }
        return buckets
    }

    /// The bucket whose range holds `id`: the greatest bound ≤ `[1] + id`.
    private static func bucket(containing id: [UInt8], _ txn: Transaction, _ tables: Tables) throws -> (key: [UInt8], count: Int) {
        let found = try txn.withCursor(tables.counts) { cursor in
            try bound(id).withUnsafeBytes { key in
                try cursor.seek(atMost: key).map { (Array($0.key), try decode($0.value)) }
            }
        }
        return found ?? (firstBound, 0)
    }

    /// Splits the bucket at `key` (holding `count` live documents) at its middle live id.
    private static func split(_ key: [UInt8], count: Int, _ txn: Transaction, _ tables: Tables) throws {
        let start = Array(key.dropFirst())
        var seen = 0
        var middle: [UInt8]?
        try txn.scan(tables.documents, from: start.isEmpty ? nil : start) { entry in
            guard !DocumentRecord.isDeleted(encoded: entry.value) else { return true }
            if seen == count / 2 {
                middle = Array(entry.key)
                return false
            }
            seen += 1
            return true
        }
        guard let middle else { return try write(key, count, txn, tables) }
        try write(key, count / 2, txn, tables)
        try write(bound(middle), count - count / 2, txn, tables)
    }

    private static func write(_ key: [UInt8], _ count: Int, _ txn: Transaction, _ tables: Tables) throws {
        var writer = ByteWriter(capacity: 10)
        writer.varint(UInt64(count))
        try txn.put(tables.counts, key: key, value: writer.bytes)
    }

    private static func decode(_ value: UnsafeRawBufferPointer) throws -> Int {
        var reader = ByteReader(value)
        return Int(try reader.varint())
    }
}
