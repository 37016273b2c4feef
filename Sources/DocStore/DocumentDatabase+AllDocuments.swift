import LMDB

/// Options of `_all_docs` (and `_design_docs`, `_local_docs`).
public struct AllDocumentsOptions: Sendable {
    public var startKey: String?
    public var endKey: String?
    public var inclusiveEnd = true
    public var descending = false
    public var limit: Int?
    public var skip = 0
    /// Look up exactly these ids, in this order (`keys`), reporting missing and deleted ones.
    public var keys: [String]?
    public var includeDocuments = false
    public var conflicts = false
    public var documentOptions = DocumentReadOptions()
    /// Restrict a range read to ids with this prefix (`_design/` for `_design_docs`).
    public var prefix: String?
    /// Restrict a range read to one partition's ids; unlike `prefix`, `total_rows` still
    /// counts the whole database, as CouchDB's does.
    public var partition: String?

    public init() {}

    /// The scan's start and end keys, narrowed to `prefix` (and to the given `prefix`
    /// argument when the table holds only such ids).
    func scanBounds(prefix extra: String? = nil) -> (start: [UInt8]?, end: [UInt8]?) {
        var start = startKey.map { Array($0.utf8) }
        var end = endKey.map { Array($0.utf8) }
        if let prefix = prefix ?? partition.map({ Partition.idRange($0).start }) ?? extra, let bounds = Self.range(of: prefix) {
            let (first, last) = descending ? (bounds.high, bounds.low) : (bounds.low, bounds.high)
            if start == nil || (descending ? compare(start!, first) > 0 : compare(start!, first) < 0) { start = first }
            if end == nil || (descending ? compare(end!, last) < 0 : compare(end!, last) > 0) { end = last }
        }
        return (start, end)
    }

    /// The keys from the first id with `prefix` to just past the last one
    /// (`_design/` → `_design0`); nil for the empty prefix, which bounds nothing.
    static func range(of prefix: String) -> (low: [UInt8], high: [UInt8])? {
        guard !prefix.isEmpty else { return nil }
        let low = Array(prefix.utf8)
        var high = low
        high[high.count - 1] += 1
        return (low, high)
    }

    private func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareBytes(x, y) } }
    }
}

/// One row of `_all_docs`.
public struct AllDocumentsRow: Sendable {
    public enum Value: Sendable {
        /// A live document: its winning revision.
        case revision(Revision)
        /// A deleted document named in `keys`.
        case deleted(Revision)
        /// An id in `keys` that does not exist (`"error": "not_found"`).
        case notFound
    }

    public let id: String
    public let value: Value
    public let document: Document?
}

/// `_all_docs`' answer.
public struct AllDocumentsResult: Sendable {
    /// Live documents in the database, or with the options' `prefix` (`total_rows`).
    public let totalRows: Int
    /// Live documents before the first row (`offset`).
    public let offset: Int
    public let rows: [AllDocumentsRow]
    public let updateSequence: UInt64
}

extension DocumentDatabase {
    /// Reads `_all_docs` in one snapshot: a range of live documents in id (byte)
    /// order, or the rows for `options.keys`. O(log n + rows + skip), plus O(√n) for
    /// `offset` (see `LiveCounts`).
    public func allDocuments(_ options: AllDocumentsOptions) throws(DocStoreError) -> AllDocumentsResult {
        try read { txn in
            var total = Int(try txn.readCounter(tables.meta, MetaKey.documentCount))
            if let prefix = options.prefix, let bounds = AllDocumentsOptions.range(of: prefix) {
                // CouchDB's `_design_docs` counts the design documents only.
                total = try LiveCounts.countBefore(bounds.high, txn, tables) - LiveCounts.countBefore(bounds.low, txn, tables)
            }
            let sequence = try txn.readCounter(tables.meta, MetaKey.updateSequence)
            var rows: [AllDocumentsRow] = []
            if let keys = options.keys {
                // CouchDB still reverses `keys` for descending=true (a compatibility hack
                // of its mrview), then skips and limits.
                let ordered = options.descending ? Array(keys.reversed()) : keys
                for key in ordered.dropFirst(options.skip) {
                    if let limit = options.limit, rows.count >= limit { break }
                    rows.append(try keyedRow(key, options, txn))
                }
                return AllDocumentsResult(totalRows: total, offset: 0, rows: rows, updateSequence: sequence)
            }
            let (start, end) = options.scanBounds()
            // The offset counts every live document before the range, so it can exceed a
            // prefix's total; CouchDB 3.4.3 answers no more than `total_rows` then.
            let offset = try countLive(before: start, descending: options.descending, txn)
            var skipped = 0
            if options.limit == 0 {
                return AllDocumentsResult(totalRows: total, offset: min(offset, total), rows: [], updateSequence: sequence)
            }
            try txn.scan(tables.documents, from: start, to: end, inclusiveEnd: options.inclusiveEnd, descending: options.descending) { entry in
                if DocumentRecord.isDeleted(encoded: entry.value) { return true }
                if skipped < options.skip {
                    skipped += 1
                    return true
                }
                let record = try DocumentRecord(decoding: entry.value)
                let id = String(decoding: entry.key, as: UTF8.self)
                rows.append(try liveRow(id, record, options, txn))
                return options.limit.map { rows.count < $0 } ?? true
            }
            return AllDocumentsResult(totalRows: total, offset: min(offset + skipped, total), rows: rows, updateSequence: sequence)
        }
    }

    private func keyedRow(_ id: String, _ options: AllDocumentsOptions, _ txn: Transaction) throws -> AllDocumentsRow {
        guard let record = try loadRecord(id, txn), let winner = record.tree.winner else {
            return AllDocumentsRow(id: id, value: .notFound, document: nil)
        }
        if winner.deleted { return AllDocumentsRow(id: id, value: .deleted(winner.revision), document: nil) }
        return try liveRow(id, record, options, txn)
    }

    private func liveRow(_ id: String, _ record: DocumentRecord, _ options: AllDocumentsOptions, _ txn: Transaction) throws -> AllDocumentsRow {
        let winner = record.tree.winner!.revision
        var document: Document?
        if options.includeDocuments {
            var documentOptions = options.documentOptions
            documentOptions.conflicts = documentOptions.conflicts || options.conflicts
            document = try makeDocument(id, winner, record, documentOptions, txn)
        }
        return AllDocumentsRow(id: id, value: .revision(winner), document: document)
    }

    /// Live documents whose id comes before `key` in scan order.
    private func countLive(before key: [UInt8]?, descending: Bool, _ txn: Transaction) throws -> Int {
        guard let key else { return 0 }
        let before = try LiveCounts.countBefore(key, txn, tables)
        guard descending else { return before }
        let total = Int(try txn.readCounter(tables.meta, MetaKey.documentCount))
        let live = try txn.withValue(tables.documents, key: key) { value in
            value.map { !DocumentRecord.isDeleted(encoded: $0) } ?? false
        }
        return total - before - (live ? 1 : 0)
    }
}
