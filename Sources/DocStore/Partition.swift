import LMDB

/// Partitioned databases (CouchDB 3's `PUT /db?partitioned=true`): every document id but
/// `_design/` and `_local/` ones reads `partition:rest`, and a partition's documents are
/// exactly the ids from `partition:` up to `partition;` (`;` follows `:` in byte order),
/// so partition-scoped reads take that one id range. CouchDB's rules are
/// couch_partition's; the flag is set when the database is created and never changes.
public enum Partition {
    /// The partition of an id: what precedes its first colon (couch_partition:extract/1);
    /// nil for ids without one.
    public static func of(_ id: String) -> Substring? {
        guard let colon = id.firstIndex(of: ":") else { return nil }
        return id[..<colon]
    }

    /// The first id of a partition and the first id past it.
    public static func idRange(_ partition: some StringProtocol) -> (start: String, end: String) {
        (partition + ":", partition + ";")
    }

    /// CouchDB's rules for a partition name (couch_partition:validate_partition/1).
    public static func validate(_ partition: some StringProtocol) throws(DocStoreError) {
        if partition.isEmpty { throw DocStoreError(.illegalPartition, "Partition must not be empty") }
        if partition.hasPrefix("_") { throw DocStoreError(.illegalPartition, "Partition must not start with an underscore") }
        if partition.contains(":") { throw DocStoreError(.illegalPartition, "Partition must not contain a colon") }
    }

    /// CouchDB's rules for an id in a partitioned database (couch_partition:validate_docid/1):
    /// a valid partition, a colon, and a valid id after it.
    public static func validate(documentID id: String) throws(DocStoreError) {
        if id.hasPrefix("_design/") || id.hasPrefix(LocalDocument.prefix) { return }
        guard let partition = of(id) else { throw DocStoreError(.illegalDocumentID, "Doc id must be of form partition:id") }
        try validate(partition)
        try DocumentUpdate.validate(id: String(id[id.index(after: partition.endIndex)...]))
    }

    /// A design document's `options.partitioned` (couch_mrview:validate/2): a boolean,
    /// and never true in a database that is not partitioned.
    static func validateDesignOptions(_ body: JSONObject, partitionedDatabase: Bool) throws(DocStoreError) {
        guard let value = body["options"]?.objectValue?["partitioned"] else { return }
        guard let partitioned = value.boolValue else {
            throw DocStoreError(.invalidDesignDocument, "`options.partitioned` field must have boolean type")
        }
        if partitioned && !partitionedDatabase {
            throw DocStoreError(.invalidDesignDocument, "partitioned option cannot be true in a non-partitioned database.")
        }
    }

    /// Whether a database of this name may be partitioned: system databases may not
    /// (couch_partition:validate_dbname/2: the system names and any `…/_replicator` or
    /// `…/_users`).
    static func allowed(databaseName name: String) -> Bool {
        let base = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        return !DatabaseName.systemNames.contains(name) && !["_replicator", "_users"].contains(base)
    }
}

/// What `GET /db/_partition/{partition}` reports: the partition's live and deleted
/// documents and the bytes of their bodies (CouchDB's `sizes.external`; its
/// `max_partition_size` is checked against this).
public struct PartitionInfo: Sendable, Equatable {
    public var documentCount: Int64 = 0
    public var deletedCount: Int64 = 0
    public var externalSize: Int64 = 0

    /// Counters kept in the `meta` table under `partition:` + name, 24 bytes big-endian;
    /// the write that changes a document changes them in the same transaction.
    static func key(_ partition: some StringProtocol) -> [UInt8] { Array("partition:".utf8) + Array(partition.utf8) }

    static func load(_ partition: some StringProtocol, _ txn: Transaction, _ tables: Tables) throws -> PartitionInfo {
        guard let bytes = try txn.get(tables.meta, key: key(partition)), bytes.count == 24 else { return PartitionInfo() }
        func field(_ at: Int) -> Int64 { Int64(bitPattern: bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) }) }
        return PartitionInfo(documentCount: field(0), deletedCount: field(8), externalSize: field(16))
    }

    private func save(_ partition: some StringProtocol, _ txn: Transaction, _ tables: Tables) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        for value in [documentCount, deletedCount, externalSize] {
            let bits = UInt64(bitPattern: max(value, 0))
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        try txn.put(tables.meta, key: Self.key(partition), value: bytes)
    }

    /// What one document contributes: a live or a deleted document, and its leaves' bodies.
    static func contribution(of record: DocumentRecord?) -> PartitionInfo {
        guard let record, !record.tree.isEmpty else { return PartitionInfo() }
        let size = record.leaves.values.reduce(0) { $0 + Int64($1.bodySize) }
        return PartitionInfo(documentCount: record.isDeleted ? 0 : 1, deletedCount: record.isDeleted ? 1 : 0, externalSize: size)
    }

    /// Moves a partition's counters by the change of one document from `before` to `after`.
    static func record(id: String, before: DocumentRecord?, after: DocumentRecord?, _ txn: Transaction, _ tables: Tables) throws {
        guard let partition = Partition.of(id), !id.hasPrefix("_") else { return }
        let old = contribution(of: before), new = contribution(of: after)
        guard old != new else { return }
        var info = try load(partition, txn, tables)
        info.documentCount += new.documentCount - old.documentCount
        info.deletedCount += new.deletedCount - old.deletedCount
        info.externalSize += new.externalSize - old.externalSize
        try info.save(partition, txn, tables)
    }
}

extension DocumentDatabase {
    /// A partition's counts and size. - Throws: `illegal_partition` for a bad name,
    /// `bad_request` when the database is not partitioned (CouchDB's order).
    public func partitionInfo(_ partition: String) throws(DocStoreError) -> PartitionInfo {
        try Partition.validate(partition)
        guard isPartitioned else { throw DocStoreError(.badRequest, "database is not partitioned") }
        return try read { txn in try PartitionInfo.load(partition, txn, tables) }
    }
}
