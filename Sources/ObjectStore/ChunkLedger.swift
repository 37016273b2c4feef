import LMDB

/// The reference counts of chunk files, kept in the `chunks` table inside the same
/// transactions that change object and part records.
///
/// A chunk's count is the number of chunk-list entries (objects and parts) that name it:
/// CopyObject and UploadPartCopy share chunks instead of copying bytes, and completing
/// a multipart upload moves the parts' references to the object unchanged. When a count
/// reaches zero the entry goes and the chunk is added to `CommitEffects.deadChunks`; its
/// file is deleted after the commit (see `ChunkPins`). A file with no entry is an orphan
/// that the sweep at open removes.
///
/// Every function runs inside a write transaction; each is O(chunks · log n).
enum ChunkLedger {
    private struct Entry {
        var references: Int
        var storedSize: Int

        var encoded: [UInt8] {
            var writer = ByteWriter(capacity: 8)
            writer.varint(references)
            writer.varint(storedSize)
            return writer.bytes
        }

        static func decoded(_ buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) -> Entry {
            var reader = ByteReader(buffer)
            return Entry(references: try reader.int(), storedSize: try reader.int())
        }
    }

    private static func entry(_ txn: Transaction, _ tables: Tables, _ key: [UInt8]) throws -> Entry? {
        try txn.withValue(tables.chunks, key: key) { value in try value.map { buffer throws(ObjectStoreError) in try Entry.decoded(buffer) } }
    }

    /// Records chunks just written to disk, each with one reference.
    static func add(_ txn: Transaction, _ tables: Tables, _ chunks: [ChunkReference]) throws {
        var stored = 0
        for chunk in chunks {
            try txn.put(tables.chunks, key: chunk.id.bytes, value: Entry(references: 1, storedSize: chunk.storedSize).encoded, noOverwrite: true)
            stored += chunk.storedSize
        }
        try StorageTotals.update(txn, tables) { totals in
            totals.chunkCount += chunks.count
            totals.storedBytes += stored
        }
    }

    /// Adds a reference to each chunk (sharing them with a new object or part).
    /// - Throws: `StaleSnapshot` when some chunk has no entry any more: its last
    ///   reference went in a commit after the caller's snapshot and its file is dead.
    ///   The job is undone and the caller starts over.
    static func retain(_ txn: Transaction, _ tables: Tables, _ chunks: [ChunkReference]) throws {
        var counts: [ChunkID: Int] = [:]
        for chunk in chunks { counts[chunk.id, default: 0] += 1 }
        for (id, extra) in counts {
            let key = id.bytes
            guard var entry = try entry(txn, tables, key) else { throw StaleSnapshot() }
            entry.references += extra
            try txn.put(tables.chunks, key: key, value: entry.encoded)
        }
    }

    /// Drops one reference per listed chunk; chunks left with none go to
    /// `effects.deadChunks`.
    static func release(_ txn: Transaction, _ tables: Tables, _ chunks: [ChunkReference], _ effects: inout CommitEffects) throws {
        guard !chunks.isEmpty else { return }
        var counts: [ChunkID: Int] = [:]
        for chunk in chunks { counts[chunk.id, default: 0] += 1 }
        var removedCount = 0
        var removedBytes = 0
        for (id, fewer) in counts {
            let key = id.bytes
            guard var entry = try entry(txn, tables, key) else { throw ObjectStoreError.corrupt("chunk \(id) has no entry") }
            entry.references -= fewer
            if entry.references > 0 {
                try txn.put(tables.chunks, key: key, value: entry.encoded)
            } else {
                try txn.delete(tables.chunks, key: key)
                effects.deadChunks.append(id)
                removedCount += 1
                removedBytes += entry.storedSize
            }
        }
        if removedCount > 0 {
            try StorageTotals.update(txn, tables) { totals in
                totals.chunkCount -= removedCount
                totals.storedBytes -= removedBytes
            }
        }
    }

    /// Whether a chunk file is named by metadata (the sweep's test).
    static func exists(_ txn: Transaction, _ tables: Tables, _ id: ChunkID) throws -> Bool {
        try txn.withValue(tables.chunks, key: id.bytes) { $0 != nil }
    }

    /// Every chunk with its reference count (consistency checks in tests). O(n).
    static func all(_ txn: Transaction, _ tables: Tables) throws -> [ChunkID: Int] {
        var result: [ChunkID: Int] = [:]
        try txn.scan(tables.chunks) { item in
            result[try ChunkID(bytes: item.key)] = try Entry.decoded(item.value).references
            return true
        }
        return result
    }
}

/// A write based on a snapshot found that the snapshot's chunks died since; retry.
struct StaleSnapshot: Error {}

/// What a committed write leaves to do outside the transaction.
struct CommitEffects {
    /// Chunks whose last reference the commit removed: their files are to be deleted.
    var deadChunks: [ChunkID] = []
}
