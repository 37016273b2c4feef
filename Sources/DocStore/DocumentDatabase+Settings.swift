import LMDB

extension DocumentDatabase {
    /// The security object (`_security`); `{}` when none was set.
    public func security() throws(DocStoreError) -> JSONObject {
        try read { txn in
            guard let bytes = try txn.get(tables.meta, key: MetaKey.security) else { return JSONObject() }
            return (try? JSON.parse(bytes))?.objectValue ?? JSONObject()
        }
    }

    /// Replaces the security object. CouchDB counts the change as an update (it moves
    /// `update_seq`), but not the default it gives a database it creates.
    public func setSecurity(_ security: JSONObject, isDefault: Bool = false) async throws(DocStoreError) {
        let bytes = JSON.object(security).serialized()
        try await write { txn, batch in
            try txn.put(self.tables.meta, key: MetaKey.security, value: bytes)
            if !isDefault { _ = batch.nextSequence() }
        }
    }

    /// How many revisions each document's tree keeps (`_revs_limit`, default 1000).
    public func revsLimit() throws(DocStoreError) -> Int {
        try read { txn in try revsLimit(txn) }
    }

    func revsLimit(_ txn: Transaction) throws -> Int {
        let stored = try txn.readCounter(tables.meta, MetaKey.revsLimit)
        return stored == 0 ? DocumentStore.Configuration.defaultRevsLimit : Int(stored)
    }

    /// Sets `_revs_limit`; trees are stemmed to it on their next update.
    /// - Throws: `bad_request` unless `limit` ≥ 1.
    public func setRevsLimit(_ limit: Int) async throws(DocStoreError) {
        guard limit >= 1 else { throw DocStoreError(.badRequest, "revs_limit must be a positive integer") }
        try await write { txn, batch in
            try txn.writeCounter(self.tables.meta, MetaKey.revsLimit, UInt64(limit))
            _ = batch.nextSequence()
        }
    }

    /// `_purged_infos_limit` (CouchDB's default 1000). Divan keeps no purge history to
    /// trim, so the value is only stored and answered, as clients expect.
    public func purgedInfosLimit() throws(DocStoreError) -> Int {
        try read { txn in
            let stored = try txn.readCounter(tables.meta, MetaKey.purgedInfosLimit)
            return stored == 0 ? 1000 : Int(stored)
        }
    }

    /// Sets `_purged_infos_limit`; as in CouchDB it moves `update_seq`.
    /// - Throws: `bad_request` unless `limit` ≥ 1.
    public func setPurgedInfosLimit(_ limit: Int) async throws(DocStoreError) {
        guard limit >= 1 else { throw DocStoreError(.badRequest, "`purged_infos_limit` must be positive integer") }
        try await write { txn, batch in
            try txn.writeCounter(self.tables.meta, MetaKey.purgedInfosLimit, UInt64(limit))
            _ = batch.nextSequence()
        }
    }

    /// CouchDB's `_revs_diff`: for each id, the given revisions the database lacks and,
    /// for those, the leaves that could be their ancestors (lower position).
    public func revisionsDiff(_ request: [ExactString: [Revision]]) throws(DocStoreError)
        -> [ExactString: (missing: [Revision], possibleAncestors: [Revision])]
    {
        try read { txn in
            var answer: [ExactString: (missing: [Revision], possibleAncestors: [Revision])] = [:]
            for (id, revisions) in request {
                let record = try loadRecord(id.string, txn)
                let missing = revisions.filter { !(record?.tree.contains($0) ?? false) }
                guard !missing.isEmpty else { continue }
                let highest = missing.map(\.position).max() ?? 0
                let ancestors = record?.tree.leaves.map(\.revision).filter { $0.position < highest } ?? []
                answer[id] = (missing, ancestors)
            }
            return answer
        }
    }

    /// Purges revisions: removes the given leaves (and ancestors left without children)
    /// entirely, as if never written; a document left with no revision disappears.
    /// As CouchDB, a request raises `purge_seq` by one per id named (purged or not) and
    /// `update_seq` by one. Returns, per id, the revisions actually purged.
    public func purge(_ request: [ExactString: [Revision]]) async throws(DocStoreError) -> [ExactString: [Revision]] {
        try await write { txn, batch in
            var purged: [ExactString: [Revision]] = [:]
            let blobs = BlobStore(tables: self.tables)
            batch.purgeSequence += UInt64(request.count)
            _ = batch.nextSequence()
            for (id, revisions) in request {
                guard var record = try self.loadRecord(id.string, txn) else {
                    purged[id] = []
                    continue
                }
                let wasDeleted = record.isDeleted
                let before = record
                let removed = record.tree.removeLeaves(revisions)
                purged[id] = removed
                guard !removed.isEmpty else { continue }
                for revision in removed {
                    guard let body = record.leaves.removeValue(forKey: revision) else { continue }
                    batch.externalSize -= min(batch.externalSize, UInt64(body.bodySize))
                    for attachment in body.attachments { try blobs.addReferences(txn, attachment.blob, -1) }
                }
                let key = Array(id.string.utf8)
                try txn.delete(self.tables.sequences, key: SequenceKey.encode(record.sequence))
                if wasDeleted { batch.deletedCount -= 1 } else { batch.documentCount -= 1 }
                try self.maintainMango(id: id.string, before: before, after: record.tree.isEmpty ? nil : record, newRevision: nil, newBody: nil, txn, &batch)
                if self.isPartitioned { try PartitionInfo.record(id: id.string, before: before, after: record, txn, self.tables) }
                if record.tree.isEmpty {
                    try txn.delete(self.tables.documents, key: key)
                    if !wasDeleted { try LiveCounts.adjust(txn, self.tables, id: key, by: -1) }
                    continue
                }
                if record.isDeleted { batch.deletedCount += 1 } else { batch.documentCount += 1 }
                record.sequence = batch.nextSequence()
                try txn.put(self.tables.sequences, key: SequenceKey.encode(record.sequence), value: SequenceEntry(id: id.string, record: record).encoded())
                try txn.put(self.tables.documents, key: key, value: record.encoded())
                if wasDeleted != record.isDeleted { try LiveCounts.adjust(txn, self.tables, id: key, by: wasDeleted ? 1 : -1) }
            }
            return purged
        }
    }

    /// Writes a compacted copy of the database file to `path` (a consistent backup).
    public func backup(to path: String) throws(DocStoreError) {
        do {
            try environment.copy(to: path, compact: true)
        } catch {
            throw DocStoreError(.storage, "backup failed: \(error)")
        }
    }
}
