import LMDB

/// The named LMDB databases inside one database's environment.
struct Tables: Sendable {
    /// id → `DocumentRecord`.
    let documents: Database
    /// sequence (8 bytes, big-endian) → `SequenceEntry`: exactly one entry per document, its latest change.
    let sequences: Database
    /// `_local/` id → `LocalDocument`.
    let local: Database
    /// blob id (8 bytes) → blob header; blob id + chunk index (12 bytes) → chunk.
    let attachments: Database
    /// Settings and counters (see `MetaKey`).
    let meta: Database
    /// Bucket bound → live documents in the bucket (see `LiveCounts`).
    let counts: Database
    /// Mango JSON index rows: `IndexKey` → empty, in CouchDB's view collation.
    let mango: Database
    /// Mango index number (4 bytes) → its definition and build state (`MangoCatalog`).
    let mangoCatalog: Database
    /// JavaScript view rows: `ViewRowKey` → `[key, value]` JSON, in CouchDB's view collation.
    let views: Database
    /// View group number (4 bytes) + document id → the row keys the document emitted.
    let viewDocuments: Database
    /// View group signature → its record (`ViewCatalog`).
    let viewCatalog: Database

    static let count = 11

    init(environment: Environment) throws {
        (documents, sequences, local, attachments, meta, counts, mango, mangoCatalog) = try environment.write { txn in
            let mango = try txn.openDatabase("mango")
            // Before any access, in every process that opens the file (LMDB does not store it).
            try txn.setKeyOrder(mango, IndexKey.order)
            return (
                try txn.openDatabase("docs"), try txn.openDatabase("seq"), try txn.openDatabase("local"),
                try txn.openDatabase("attachments"), try txn.openDatabase("meta"), try txn.openDatabase("counts"),
                mango, try txn.openDatabase("mango_catalog")
            )
        }
        (views, viewDocuments, viewCatalog) = try environment.write { txn in
            let views = try txn.openDatabase("views")
            // The same order as Mango's rows: one collation implementation.
            try txn.setKeyOrder(views, IndexKey.order)
            return (views, try txn.openDatabase("view_docs"), try txn.openDatabase("view_catalog"))
        }
    }
}

/// Keys of the `meta` table.
enum MetaKey {
    static let updateSequence = Array("update_seq".utf8)
    static let purgeSequence = Array("purge_seq".utf8)
    static let documentCount = Array("doc_count".utf8)
    static let deletedCount = Array("doc_del_count".utf8)
    static let externalSize = Array("external_size".utf8)
    static let nextBlob = Array("next_blob".utf8)
    static let revsLimit = Array("revs_limit".utf8)
    static let purgedInfosLimit = Array("purged_infos_limit".utf8)
    static let security = Array("security".utf8)
    /// Present (`[1]`) in a partitioned database; set at creation.
    static let partitioned = Array("partitioned".utf8)
    static let uuid = Array("uuid".utf8)
    /// Present once the `counts` table matches the documents (files from before it get
    /// it built at open).
    static let liveCounts = Array("live_counts".utf8)
    /// Changes with every write of the Mango catalog (readers cache the parsed catalog).
    static let mangoVersion = Array("mango_version".utf8)
    /// The last Mango index number handed out.
    static let mangoNextIndex = Array("mango_next_index".utf8)
    /// The last view number handed out (view rows are keyed by it; never reused).
    static let viewNextNumber = Array("view_next_number".utf8)
}

extension Transaction {
    func readCounter(_ table: Database, _ key: [UInt8]) throws -> UInt64 {
        try withValue(table, key: key) { value in
            guard let value else { return 0 }
            var reader = ByteReader(value)
            return try reader.varint()
        }
    }

    func writeCounter(_ table: Database, _ key: [UInt8], _ value: UInt64) throws {
        var writer = ByteWriter(capacity: 10)
        writer.varint(value)
        try put(table, key: key, value: writer.bytes)
    }
}

/// The counters one write batch reads at its start and saves before its commit.
struct BatchState: Sendable {
    var updateSequence: UInt64
    /// The update sequence when the batch began: sequences above it are this batch's.
    let firstSequence: UInt64
    var purgeSequence: UInt64
    var documentCount: UInt64
    var deletedCount: UInt64
    var externalSize: UInt64
    var nextBlob: UInt64
    var revsLimit: Int
    /// The Mango indexes this batch maintains (changed by design document writes).
    var mango: MangoCatalog = .empty
    /// Index builds to start after the commit.
    var mangoBuildsPending = false

    init(loading txn: Transaction, tables: Tables, mangoCache: MangoCatalogCache) throws {
        mango = try MangoCatalog.load(txn, tables, cache: mangoCache)
        updateSequence = try txn.readCounter(tables.meta, MetaKey.updateSequence)
        firstSequence = updateSequence
        purgeSequence = try txn.readCounter(tables.meta, MetaKey.purgeSequence)
        documentCount = try txn.readCounter(tables.meta, MetaKey.documentCount)
        deletedCount = try txn.readCounter(tables.meta, MetaKey.deletedCount)
        externalSize = try txn.readCounter(tables.meta, MetaKey.externalSize)
        nextBlob = max(1, try txn.readCounter(tables.meta, MetaKey.nextBlob))
        let limit = try txn.readCounter(tables.meta, MetaKey.revsLimit)
        revsLimit = limit == 0 ? DocumentStore.Configuration.defaultRevsLimit : Int(limit)
    }

    func save(_ txn: Transaction, tables: Tables) throws {
        try txn.writeCounter(tables.meta, MetaKey.updateSequence, updateSequence)
        try txn.writeCounter(tables.meta, MetaKey.purgeSequence, purgeSequence)
        try txn.writeCounter(tables.meta, MetaKey.documentCount, documentCount)
        try txn.writeCounter(tables.meta, MetaKey.deletedCount, deletedCount)
        try txn.writeCounter(tables.meta, MetaKey.externalSize, externalSize)
        try txn.writeCounter(tables.meta, MetaKey.nextBlob, nextBlob)
    }

    /// Takes the next update sequence for a changed document.
    mutating func nextSequence() -> UInt64 {
        updateSequence += 1
        return updateSequence
    }
}
