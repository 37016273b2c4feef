import LMDB

/// What to include when reading a document (CouchDB's GET query parameters).
public struct DocumentReadOptions: Sendable {
    /// A specific revision instead of the winner.
    public var revision: Revision?
    public var revisions = false
    public var revisionsInfo = false
    public var conflicts = false
    public var deletedConflicts = false
    public var localSequence = false
    /// Include every attachment's bytes inline.
    public var attachments = false
    /// Include bytes only for attachments changed after these revisions (`atts_since`).
    public var attachmentsSince: [Revision]?
    /// List the attachments whose bytes are wanted in `Document.followingAttachments`
    /// instead of reading them (the caller streams them after the JSON, encoded as
    /// stored: their entries show `encoding` and `encoded_length` whatever
    /// `attachmentEncodingInfo` says, as CouchDB's multipart answers do).
    public var attachmentsFollow = false
    /// Show `encoding` and `encoded_length` in attachment entries (`att_encoding_info`).
    public var attachmentEncodingInfo = false

    public init() {}
}

/// One answer of `open_revs`: a revision found, or one the database lacks.
public enum OpenRevision: Sendable {
    case found(Document)
    case missing(String)
}

/// How `openRevisions` lists all of a document's leaves; CouchDB's two readers differ.
public enum LeafOrder: Sendable {
    /// Ascending by (position, id bytes), as `GET /db/doc?open_revs=all` answers.
    case ascending
    /// `RevisionTree.leavesInKeyTreeOrder`, as `_bulk_get` answers an entry without `rev`.
    case keyTree
}

extension DocumentDatabase {
    /// Reads the winning revision, or `options.revision`.
    /// - Throws: `not_found` with reason `missing` (no such document or revision) or
    ///   `deleted` (the winner is a deletion and no revision was asked for).
    public func document(_ id: String, options: DocumentReadOptions = DocumentReadOptions()) throws(DocStoreError) -> Document {
        try read { txn in
            guard let record = try loadRecord(id, txn) else { throw DocStoreError.missing }
            let revision: Revision
            if let requested = options.revision {
                revision = requested
            } else {
                guard let winner = record.tree.winner else { throw DocStoreError.missing }
                if winner.deleted { throw DocStoreError.deleted }
                revision = winner.revision
            }
            guard let document = try makeDocument(id, revision, record, options, txn) else { throw DocStoreError.missing }
            return document
        }
    }

    /// CouchDB's `open_revs`: every leaf (`revisions == nil`), or the listed revisions,
    /// each found or reported missing. With `latest`, a listed revision that is not a
    /// leaf stands for the leaves that descend from it.
    /// `order` says how all leaves are listed.
    /// - Throws: `not_found` when the document does not exist and all leaves were asked for.
    public func openRevisions(
        _ id: String, revisions: [Revision]?, latest: Bool = false, options: DocumentReadOptions = DocumentReadOptions(),
        order: LeafOrder = .ascending
    ) throws(DocStoreError) -> [OpenRevision] {
        try read { txn in
            guard let answers = try openRevisions(id, revisions, latest, options, order, txn) else { throw DocStoreError.missing }
            return answers
        }
    }

    /// `openRevisions` for many documents in one snapshot (the replicator's batch read):
    /// one answer list per request, in order; a missing document asked for all its
    /// leaves (`nil`) answers an empty list instead of throwing.
    /// O(total revisions read + body sizes).
    public func openRevisions(
        batch requests: [(id: String, revisions: [Revision]?)], latest: Bool = false,
        options: DocumentReadOptions = DocumentReadOptions()
    ) throws(DocStoreError) -> [[OpenRevision]] {
        try read { txn in
            try requests.map { request in try openRevisions(request.id, request.revisions, latest, options, .ascending, txn) ?? [] }
        }
    }

    /// The answers of one `open_revs` request in `txn`; nil when the document does not
    /// exist and all its leaves were asked for.
    ///
    /// Order, as CouchDB's fabric answers: for `all`, as `order` says; for `latest`, the
    /// found leaves ascending by (position, id bytes), then the missing ones in the same
    /// order; for a plain list, the order asked.
    private func openRevisions(
        _ id: String, _ revisions: [Revision]?, _ latest: Bool, _ options: DocumentReadOptions, _ order: LeafOrder,
        _ txn: Transaction
    ) throws -> [OpenRevision]? {
        let record = try loadRecord(id, txn)
        guard let revisions else {
            guard let record else { return nil }
            let leaves = switch order {
            case .ascending: record.tree.leaves.map(\.revision).sorted()
            case .keyTree: record.tree.leavesInKeyTreeOrder.map(\.revision)
            }
            return try leaves.compactMap { leaf in
                try makeDocument(id, leaf, record, options, txn).map(OpenRevision.found)
            }
        }
        var found: [(Revision, OpenRevision)] = []
        var missing: [(Revision, OpenRevision)] = []
        var seen = Set<Revision>()
        for revision in revisions {
            var wanted = [revision]
            if latest, let record, record.tree.contains(revision) {
                wanted = record.tree.leaves(descendingFrom: revision).map(\.revision)
            }
            for leaf in wanted where seen.insert(leaf).inserted {
                if let record, let document = try makeDocument(id, leaf, record, options, txn) {
                    found.append((leaf, .found(document)))
                } else if latest {
                    missing.append((leaf, .missing(leaf.description)))
                } else {
                    found.append((leaf, .missing(leaf.description)))
                }
            }
        }
        if latest {
            found.sort { $0.0 < $1.0 }
            missing.sort { $0.0 < $1.0 }
        }
        return (found + missing).map(\.1)
    }

    func loadRecord(_ id: String, _ txn: Transaction) throws -> DocumentRecord? {
        guard id.utf8.count <= DocumentUpdate.maximumIDLength, !id.isEmpty else { return nil }
        return try txn.withValue(tables.documents, key: Array(id.utf8)) { value in
            try value.map { buffer throws(DocStoreError) in try DocumentRecord(decoding: buffer) }
        }
    }

    /// The document for `revision` if its body is stored (it is a leaf), with the
    /// requested extras; nil otherwise.
    func makeDocument(
        _ id: String, _ revision: Revision, _ record: DocumentRecord, _ options: DocumentReadOptions,
        _ txn: Transaction
    ) throws -> Document? {
        guard let leaf = record.leaves[revision], let deleted = record.tree.isDeleted(revision) else { return nil }
        var document = Document(id: id, revision: revision, deleted: deleted, body: try leaf.body(), attachments: leaf.attachments)
        document.attachmentEncodingInfo = options.attachmentEncodingInfo || options.attachmentsFollow
        // CouchDB reads a body with its ancestry cut to `_revs_limit` (couch_db:make_doc):
        // a tree can hold a longer chain when a stemmed branch hangs from a revision
        // kept for a sibling's sake, but `_revisions` and `atts_since` never see it.
        var history: RevisionPath?
        if options.revisions || options.attachmentsSince != nil, let path = record.tree.path(to: revision) {
            history = RevisionPath(start: path.start, ids: Array(path.ids.prefix(try revsLimit(txn))))
        }
        if options.revisions { document.revisions = history }
        if options.revisionsInfo, let path = record.tree.path(to: revision) {
            document.revisionsInfo = path.revisions.map { ancestor in
                let status: RevisionStatus =
                    record.tree.isDeleted(ancestor) == true ? .deleted : record.leaves[ancestor] != nil ? .available : .missing
                return (ancestor, status)
            }
        }
        if options.conflicts { document.conflicts = record.tree.conflicts }
        if options.deletedConflicts { document.deletedConflicts = record.tree.deletedConflicts }
        if options.localSequence { document.localSequence = record.sequence }
        // CouchDB's atts_since: the newest ancestor of this revision among the given
        // ones; attachments changed after it are sent, the rest are stubs.
        let since = options.attachmentsSince.map { revisions in
            let given = Set(revisions)
            return history?.revisions.first(where: given.contains)?.position ?? 0
        }
        if options.attachments || since != nil {
            for attachment in leaf.attachments where attachment.revpos > (since ?? 0) {
                if options.attachmentsFollow {
                    document.followingAttachments.append(attachment)
                } else {
                    document.attachmentData[ExactString(attachment.name)] = try decodedAttachmentBytes(
                        attachment, stored: try readBlob(attachment.blob, txn))
                }
            }
        }
        return document
    }

    private func readBlob(_ blob: UInt64, _ txn: Transaction) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try BlobStore(tables: tables).read(txn, blob) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
