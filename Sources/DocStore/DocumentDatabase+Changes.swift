import LMDB

/// Options of a changes read (CouchDB's `_changes` parameters the engine handles).
public struct ChangesOptions: Sendable {
    /// Changes after this sequence (exclusive); ignored when descending unless set.
    public var since: UInt64 = 0
    public var descending = false
    public var limit: Int?
    /// `style=all_docs`: every leaf revision instead of the winner only.
    public var allLeaves = false
    public var includeDocuments = false
    public var conflicts = false
    /// Only these document ids (`_doc_ids` filter).
    public var documentIDs: Set<ExactString>?
    /// Only design documents (`_design` filter), looked up by id rather than folded.
    public var designDocumentsOnly = false
    public var documentOptions = DocumentReadOptions()

    public init() {}
}

/// One row of a changes feed: a document's latest change.
public struct Change: Sendable {
    public let sequence: UInt64
    public let id: String
    /// The winning revision, or every leaf (winner first) for `style=all_docs`.
    public let revisions: [Revision]
    public let deleted: Bool
    public let document: Document?
}

extension DocumentDatabase {
    /// Up to this many `_doc_ids` are looked up one by one instead of scanning the
    /// sequence index (CouchDB's `changes_doc_ids_optimization_threshold`, 100).
    package static let documentIDLookupLimit = 100

    /// Calls `visit` with each change after `options.since` in sequence order (or
    /// reversed), up to `options.limit`, in one snapshot; stops when `visit` returns
    /// false. Returns the last sequence visited (or the snapshot's update sequence when
    /// none was). O(changes visited · log n).
    @discardableResult
    public func changes(_ options: ChangesOptions, _ visit: (Change) throws -> Bool) throws(DocStoreError) -> UInt64 {
        try read { txn in
            var last = options.descending ? 0 : options.since
            var count = 0
            func emit(_ sequence: UInt64, _ id: String, _ record: DocumentRecord) throws -> Bool {
                if let limit = options.limit, count >= limit { return false }
                count += 1
                last = sequence
                return try visit(try makeChange(sequence, id, record, options, txn))
            }
            if options.designDocumentsOnly || options.documentIDs.map({ $0.count <= Self.documentIDLookupLimit }) == true {
                // A few ids, or the design documents: look them up instead of scanning the
                // whole index, as CouchDB does (couch_changes:send_lookup_changes/6), which
                // decides `pending` and, descending, the last sequence.
                var found: [(UInt64, String, DocumentRecord)] = []
                func consider(_ id: String, _ record: DocumentRecord) {
                    if record.sequence > options.since || options.descending { found.append((record.sequence, id, record)) }
                }
                if options.designDocumentsOnly {
                    try txn.scan(tables.documents, from: Array("_design/".utf8), to: Array("_design0".utf8), inclusiveEnd: false) { entry in
                        consider(String(decoding: entry.key, as: UTF8.self), try DocumentRecord(decoding: entry.value))
                        return true
                    }
                } else {
                    for id in options.documentIDs ?? [] {
                        if let record = try loadRecord(id.string, txn) { consider(id.string, record) }
                    }
                }
                found.sort { options.descending ? $0.0 > $1.0 : $0.0 < $1.0 }
                for (sequence, id, record) in found where try !emit(sequence, id, record) { break }
            } else {
                let start = options.descending ? nil : SequenceKey.encode(options.since + 1)
                try txn.scan(tables.sequences, from: start, descending: options.descending) { entry in
                    let sequence = SequenceKey.decode(entry.key)
                    let summary = try SequenceEntry(decoding: entry.value)
                    if let ids = options.documentIDs, !ids.contains(ExactString(summary.id)) { return true }
                    if let limit = options.limit, count >= limit { return false }
                    guard options.includeDocuments else {
                        count += 1
                        last = sequence
                        let revisions = options.allLeaves ? summary.leaves : Array(summary.leaves.prefix(1))
                        return try visit(Change(sequence: sequence, id: summary.id, revisions: revisions, deleted: summary.deleted, document: nil))
                    }
                    guard let record = try loadRecord(summary.id, txn) else { return true }
                    return try emit(sequence, summary.id, record)
                }
            }
            if count == 0 || !options.descending && options.limit.map({ count < $0 }) ?? true {
                // Nothing more to read: report the last change's sequence, as CouchDB
                // does (settings and purges move update_seq without a change).
                var current = options.since
                try txn.scan(tables.sequences, descending: true) { entry in
                    current = SequenceKey.decode(entry.key)
                    return false
                }
                if !options.descending { last = max(last, current) } else if count == 0 { last = current }
            }
            return last
        }
    }

    /// The changes after `options.since`, collected (for small reads and tests).
    public func changes(_ options: ChangesOptions) throws(DocStoreError) -> (changes: [Change], lastSequence: UInt64) {
        var collected: [Change] = []
        let last = try changes(options) { change in
            collected.append(change)
            return true
        }
        return (collected, last)
    }

    /// How many changes follow `sequence` (CouchDB's `pending`). O(pending).
    public func pendingChanges(after sequence: UInt64) throws(DocStoreError) -> Int {
        try read { txn in
            var count = 0
            try txn.scan(tables.sequences, from: SequenceKey.encode(sequence + 1)) { _ in
                count += 1
                return true
            }
            return count
        }
    }

    private func makeChange(
        _ sequence: UInt64, _ id: String, _ record: DocumentRecord, _ options: ChangesOptions, _ txn: Transaction
    ) throws -> Change {
        let leaves = record.tree.leaves
        let revisions = options.allLeaves ? leaves.map(\.revision) : Array(leaves.prefix(1).map(\.revision))
        var document: Document?
        if options.includeDocuments, let winner = leaves.first {
            var documentOptions = options.documentOptions
            documentOptions.conflicts = documentOptions.conflicts || options.conflicts
            document = try makeDocument(id, winner.revision, record, documentOptions, txn)
        }
        return Change(sequence: sequence, id: id, revisions: revisions, deleted: record.isDeleted, document: document)
    }
}
