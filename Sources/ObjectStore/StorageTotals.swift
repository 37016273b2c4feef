import LMDB

/// Running totals kept in the `statistics` table, updated in the transactions that
/// change what they count, so that `storageStatistics()` is O(1).
struct StorageTotals: Sendable, Equatable {
    /// Objects in all buckets.
    var objectCount = 0
    /// Sum of the objects' sizes.
    var logicalBytes = 0
    /// Chunk files (shared chunks once), including those of uploads in progress.
    var chunkCount = 0
    /// Sum of the chunk files' sizes.
    var storedBytes = 0

    private static let key = Array("totals".utf8)

    static func read(_ txn: Transaction, _ tables: Tables) throws -> StorageTotals {
        try txn.withValue(tables.statistics, key: key) { value throws(ObjectStoreError) in
            guard let value else { return StorageTotals() }
            var reader = ByteReader(value)
            return StorageTotals(
                objectCount: try reader.int(), logicalBytes: try reader.int(),
                chunkCount: try reader.int(), storedBytes: try reader.int())
        }
    }

    static func update(_ txn: Transaction, _ tables: Tables, _ change: (inout StorageTotals) -> Void) throws {
        var totals = try read(txn, tables)
        change(&totals)
        var writer = ByteWriter(capacity: 24)
        writer.varint(max(totals.objectCount, 0))
        writer.varint(max(totals.logicalBytes, 0))
        writer.varint(max(totals.chunkCount, 0))
        writer.varint(max(totals.storedBytes, 0))
        try txn.put(tables.statistics, key: key, value: writer.bytes)
    }
}
