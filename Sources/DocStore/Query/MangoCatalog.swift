import LMDB
import Synchronization

/// The Mango indexes of one database, as stored in its `mango_catalog` table
/// (index number → definition and build progress), with a version in `meta` that
/// changes with every catalog write so that readers can keep a parsed copy.
struct MangoCatalog: Sendable {
    var version: UInt64
    var indexes: [MangoIndex]

    static let empty = MangoCatalog(version: 0, indexes: [])

    /// Loads the catalog a transaction sees, reusing `cache` when its version matches.
    static func load(_ txn: Transaction, _ tables: Tables, cache: MangoCatalogCache) throws -> MangoCatalog {
        let version = try txn.readCounter(tables.meta, MetaKey.mangoVersion)
        if let cached = cache.current(version: version) { return cached }
        var indexes: [MangoIndex] = []
        try txn.scan(tables.mangoCatalog) { entry in
            guard entry.key.count == 4, let json = try? JSON.parse(Array(entry.value)), let record = json.objectValue,
                let ddoc = record["ddoc"]?.stringValue, let name = record["name"]?.stringValue, let map = record["map"]?.objectValue
            else { return true }
            let number = IndexKey.indexNumber(entry.key)
            let body: JSONObject = ["language": "query", "views": [name: ["map": .object(map), "options": [:]]]]
            guard var index = MangoIndex.declared(in: body, designDocument: ddoc, partitionedDatabase: false).first else { return true }
            index.number = number
            index.partitioned = record["partitioned"]?.boolValue ?? false
            index.progress = record["progress"]?.stringValue.map { Array($0.utf8) }
            indexes.append(index)
            return true
        }
        let catalog = MangoCatalog(version: version, indexes: indexes)
        cache.store(catalog)
        return catalog
    }

    /// Writes one index's record and bumps the version.
    mutating func save(_ index: MangoIndex, _ txn: Transaction, _ tables: Tables) throws {
        var record: JSONObject = ["ddoc": .string(index.designDocument), "name": .string(index.name), "map": .object(index.map)]
        if let progress = index.progress { record["progress"] = .string(String(decoding: progress, as: UTF8.self)) }
        if index.partitioned { record["partitioned"] = true }
        try txn.put(tables.mangoCatalog, key: Self.key(index.number), value: JSON.object(record).serialized())
        if let position = indexes.firstIndex(where: { $0.number == index.number }) {
            indexes[position] = index
        } else {
            indexes.append(index)
        }
        try bump(txn, tables)
    }

    /// Removes an index: its record and every entry.
    mutating func remove(_ number: UInt32, _ txn: Transaction, _ tables: Tables) throws {
        try txn.delete(tables.mangoCatalog, key: Self.key(number))
        indexes.removeAll { $0.number == number }
        let first = IndexKey.first(index: number)
        try txn.withCursor(tables.mango) { cursor in
            while let current = try first.withUnsafeBytes({ try cursor.seek(atLeast: $0) }), IndexKey.indexNumber(current.key) == number {
                try cursor.deleteCurrent()
            }
        }
        try bump(txn, tables)
    }

    /// A new index number (never reused, so stale entries can never be read as another's).
    func nextNumber(_ txn: Transaction, _ tables: Tables) throws -> UInt32 {
        let next = try txn.readCounter(tables.meta, MetaKey.mangoNextIndex)
        try txn.writeCounter(tables.meta, MetaKey.mangoNextIndex, next + 1)
        return UInt32(truncatingIfNeeded: next + 1)
    }

    private mutating func bump(_ txn: Transaction, _ tables: Tables) throws {
        version += 1
        try txn.writeCounter(tables.meta, MetaKey.mangoVersion, version)
    }

    static func key(_ number: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: number >> 24), UInt8(truncatingIfNeeded: number >> 16), UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number)]
    }
}

/// The last catalog read, shared by readers and the writer of one database.
final class MangoCatalogCache: Sendable {
    private let value = Mutex<MangoCatalog?>(nil)

    func current(version: UInt64) -> MangoCatalog? {
        value.withLock { cached in cached?.version == version ? cached : nil }
    }

    func store(_ catalog: MangoCatalog) {
        value.withLock { cached in
            // Only `load` stores, and only what a transaction read from committed pages.
            cached = catalog
        }
    }
}
