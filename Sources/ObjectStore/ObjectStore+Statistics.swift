import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// How much the store holds and how much disk that takes.
public struct StorageStatistics: Sendable, Hashable {
    /// Objects in all buckets.
    public let objectCount: Int
    /// Sum of the objects' sizes: what clients stored.
    public let logicalBytes: Int
    /// Chunk files, shared ones once (including parts of uploads in progress).
    public let chunkCount: Int
    /// Bytes of chunk files (after compression, shared chunks once).
    public let chunkBytes: Int
    /// Bytes of the metadata file in use.
    public let metadataBytes: Int

    /// Chunk files plus metadata.
    public var bytesOnDisk: Int { chunkBytes + metadataBytes }
}

extension ObjectStore {
    /// Totals kept up to date by every write. O(1).
    public func storageStatistics() throws -> StorageStatistics {
        let totals = try environment.read { txn in try StorageTotals.read(txn, tables) }
        return StorageStatistics(
            objectCount: totals.objectCount, logicalBytes: totals.logicalBytes, chunkCount: totals.chunkCount,
            chunkBytes: totals.storedBytes, metadataBytes: environment.usedSize)
    }

    /// Checks the invariants that tie metadata and files together and returns what is
    /// wrong (nothing, in a healthy store): every reference count equals the number of
    /// chunk-list entries naming the chunk, every counted chunk has its file with the
    /// recorded size, no other file exists, and the totals match. O(everything): tests
    /// and repair tools only. Run it while nothing writes.
    func consistencyProblems() throws -> [String] {
        var problems: [String] = []
        let (ledger, named, sizes, totals, objectCount, logicalBytes) = try environment.read { txn in
            var named: [ChunkID: Int] = [:]
            var sizes: [ChunkID: Int] = [:]
            var objectCount = 0
            var logicalBytes = 0
            try txn.scan(tables.objects) { entry in
                let record = try ObjectRecord(decoding: entry.value)
                objectCount += 1
                logicalBytes += record.size
                if record.chunks.reduce(0, { $0 + $1.size }) != record.size { problems.append("object size != chunk sizes") }
                for chunk in record.chunks { named[chunk.id, default: 0] += 1; sizes[chunk.id] = chunk.storedSize }
                return true
            }
            try txn.scan(tables.parts) { entry in
                for chunk in try PartRecord(decoding: entry.value).chunks { named[chunk.id, default: 0] += 1; sizes[chunk.id] = chunk.storedSize }
                return true
            }
            return (try ChunkLedger.all(txn, tables), named, sizes, try StorageTotals.read(txn, tables), objectCount, logicalBytes)
        }
        if ledger != named { problems.append("reference counts \(ledger.count) chunks differ from chunk lists \(named.count) chunks") }
        var storedBytes = 0
        for (id, size) in sizes {
            storedBytes += size
            var status = stat()
            if stat(files.path(id), &status) != 0 {
                problems.append("chunk \(id) has no file")
            } else if Int(status.st_size) != size {
                problems.append("chunk \(id) has \(status.st_size) bytes, not \(size)")
            }
        }
        let expected = StorageTotals(objectCount: objectCount, logicalBytes: logicalBytes, chunkCount: sizes.count, storedBytes: storedBytes)
        if totals != expected { problems.append("totals \(totals) != \(expected)") }
        let strays = try files.sweep(isReferenced: { sizes[$0] != nil }, dryRun: true)
        if strays > 0 { problems.append("\(strays) files are not named by metadata") }
        return problems
    }
}
