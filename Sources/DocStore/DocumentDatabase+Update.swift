import LMDB

extension DocumentDatabase {
    /// Writes documents in one group commit and returns a result per document, in order.
    ///
    /// With `newEdits` (interactive edits) each update must name a leaf revision as its
    /// parent (`_rev`), or none for a new document; otherwise its result is a conflict.
    /// Without (`new_edits: false`, the replicator's write) each update carries its
    /// revision history and is merged into the tree: it never conflicts.
    /// Returns after the batch is durable. Per-document problems are results; the call
    /// throws only when the whole write failed (storage error, deleted database).
    ///
    /// `userContext` (`{"name", "roles"}`) is who writes, for the design documents'
    /// `validate_doc_update` functions, which run before the write transaction, after the
    /// database's `before_doc_update` (`DocumentStore.setBeforeUpdate`).
    public func update(
        _ updates: [DocumentUpdate], newEdits: Bool = true, userContext: JSONObject = internalUserContext
    ) async throws(DocStoreError) -> [UpdateResult] {
        var prepared: [Result<PreparedUpdate, DocStoreError>] = []
        prepared.reserveCapacity(updates.count)
        let beforeUpdate = store?.beforeUpdateHooks.hook(forDatabase: name)
        for var update in updates {
            do {
                if let beforeUpdate, update.id?.hasPrefix(LocalDocument.prefix) != true { try beforeUpdate(&update, newEdits) }
                // CouchDB refuses a design document whose views do not compile.
                if update.id?.hasPrefix("_design/") == true, !update.deleted {
                    try Partition.validateDesignOptions(update.body, partitionedDatabase: isPartitioned)
                    try ViewGroupDefinition.validate(update.body)
                }
                let ready = try PreparedUpdate(update, newEdits: newEdits, maxDocumentSize: maxDocumentSize, configuration: configuration)
                if isPartitioned { try Partition.validate(documentID: ready.id) }
                prepared.append(.success(ready))
            } catch {
                prepared.append(.failure(error))
            }
        }
        try validate(&prepared, newEdits: newEdits, userContext: userContext)
        let staged = updates.flatMap { update in
            update.attachments.compactMap { if case .staged(_, let s) = $0.input { s.blob } else { nil } }
        }
        let preparedUpdates = prepared
        let order = Self.applicationOrder(preparedUpdates)
        return try await write { txn, batch in
            var results: [UpdateResult?] = Array(repeating: nil, count: preparedUpdates.count)
            for index in order {
                switch preparedUpdates[index] {
                case .failure(let error):
                    results[index] = UpdateResult(id: updates[index].id ?? "", error: error)
                case .success(let update):
                    results[index] = try self.applyOne(update, txn, &batch)
                }
            }
            // Staged uploads that no update took (a conflict, say) are dropped now.
            let blobs = BlobStore(tables: self.tables)
            for blob in staged where try blobs.header(txn, blob)?.references == 0 {
                try blobs.remove(txn, blob)
            }
            return results.map { $0! }
        }
    }

    /// The order a request's updates are applied in, hence their update sequences:
    /// by document id (UTF-8 byte order), request order among equal ids, as CouchDB's
    /// couch_db:group_alike_docs/1 sorts a batch before its updater assigns sequences.
    /// Results still go back in request order. O(n log n).
    static func applicationOrder(_ prepared: [Result<PreparedUpdate, DocStoreError>]) -> [Int] {
        let ids = prepared.map { item in (try? item.get()).map { ExactString($0.id) } }
        return ids.indices.sorted { a, b in
            switch (ids[a], ids[b]) {
            // Updates that failed before writing take no sequence; keep them in place first.
            case (nil, nil): return a < b
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x < y || x == y && a < b
            }
        }
    }

    /// Writes one document. - Returns: its new revision. - Throws: its error.
    @discardableResult
    public func put(
        _ update: DocumentUpdate, newEdits: Bool = true, userContext: JSONObject = internalUserContext
    ) async throws(DocStoreError) -> String {
        let result = try await self.update([update], newEdits: newEdits, userContext: userContext)[0]
        if let error = result.error { throw error }
        return result.revision!
    }

    /// Applies one prepared update. Per-document failures (conflicts, missing stubs)
    /// are found before anything is written and become results; an error after the
    /// first write fails the whole request, which the writer then undoes.
    private func applyOne(_ update: PreparedUpdate, _ txn: Transaction, _ batch: inout BatchState) throws -> UpdateResult {
        if update.isLocal { return try applyLocal(update, txn) }
        let plan: WritePlan?
        do {
            plan = try update.checkRevisions ? planEdit(update, txn) : planReplicated(update, txn)
        } catch let error as DocStoreError {
            return UpdateResult(id: update.id, error: error)
        }
        guard let plan else { return UpdateResult(id: update.id, revision: Revision(position: update.path!.start, id: update.path!.ids[0])) }
        if isPartitioned, update.checkRevisions, try overflowsPartition(update, plan, txn) {
            return UpdateResult(id: update.id, error: DocStoreError(.partitionOverflow, "Partition limit exceeded due to update on '\(update.id)'"))
        }
        do {
            try write(update, plan, txn, &batch)
        } catch let error as LMDBError where error == .mapFull {
            throw error
        } catch {
            throw DocStoreError(.storage, "write failed after it began: \(error)")
        }
        return UpdateResult(id: update.id, revision: plan.revision)
    }


    /// What an update will write, decided before anything is written.
    struct WritePlan {
        var record: DocumentRecord
        let existed: Bool
        let revision: Revision
        let path: RevisionPath
        /// Resolved attachments; those at `inlineIndices` still need their blob stored.
        var attachments: [AttachmentInfo]
        var inlineBytes: [Int: [UInt8]]
    }

    /// An interactive edit: the parent must be a leaf (or absent for a new document,
    /// or the deleted winner when a deleted document is created again).
    private func planEdit(_ update: PreparedUpdate, _ txn: Transaction) throws -> WritePlan? {
        let existing = try loadRecord(update.id, txn)
        let record = existing ?? DocumentRecord()
        let parent: Revision?
        if let requested = update.parent {
            guard record.tree.isLeaf(requested) else { throw DocStoreError.updateConflict }
            parent = requested
        } else if let winner = record.tree.winner {
            guard winner.deleted else { throw DocStoreError.updateConflict }
            parent = winner.revision
        } else {
            parent = nil
        }
        let position = (parent?.position ?? 0) + 1
        let (attachments, inline) = try resolveAttachments(update, position: position, candidates: [parent].compactMap { $0 }, record)
        let revision = Revision(
            position: position,
            id: RevisionHash.compute(parent: parent, deleted: update.deleted, body: update.body, attachments: attachments))
        let path = RevisionPath(start: position, ids: [revision.id] + (parent.map { [$0.id] } ?? []))
        return WritePlan(record: record, existed: existing != nil, revision: revision, path: path, attachments: attachments, inlineBytes: inline)
    }

    /// A replicated edit (`new_edits: false`): merge the history, never conflict; nil
    /// when the revision is already there.
    private func planReplicated(_ update: PreparedUpdate, _ txn: Transaction) throws -> WritePlan? {
        let path = update.path!
        let revision = Revision(position: path.start, id: path.ids[0])
        let existing = try loadRecord(update.id, txn)
        let record = existing ?? DocumentRecord()
        if record.tree.contains(revision) { return nil }
        // Stubs refer to attachments of the nearest ancestor we hold as a leaf.
        let ancestors = path.revisions.dropFirst().filter { record.tree.isLeaf($0) }
        let (attachments, inline) = try resolveAttachments(update, position: revision.position, candidates: Array(ancestors), record)
        return WritePlan(record: record, existed: existing != nil, revision: revision, path: path, attachments: attachments, inlineBytes: inline)
    }

    /// Resolves attachment inputs without writing: staged uploads are taken, stubs are
    /// found in the candidate revisions (then in any leaf with the same name and
    /// digest), inline bytes get their blob when written.
    private func resolveAttachments(
        _ update: PreparedUpdate, position: Int, candidates: [Revision], _ record: DocumentRecord
    ) throws(DocStoreError) -> ([AttachmentInfo], [Int: [UInt8]]) {
        var result: [AttachmentInfo] = []
        var inline: [Int: [UInt8]] = [:]
        // A replicated attachment keeps the revpos it was sent with (never beyond the revision).
        func revpos(_ name: String) -> Int { min(position, update.attachmentRevpos[ExactString(name)] ?? position) }
        for attachment in update.attachments {
            switch attachment {
            case .inline(let name, let contentType, let bytes, let digest, let length, let encoding):
                inline[result.count] = bytes
                result.append(AttachmentInfo(
                    name: name, contentType: contentType, digest: digest, length: length, revpos: revpos(name), blob: 0,
                    encoding: encoding, encodedLength: bytes.count))
            case .staged(let name, let contentType, let staged):
                result.append(AttachmentInfo(
                    name: name, contentType: contentType, digest: staged.digest, length: staged.length, revpos: revpos(name),
                    blob: staged.blob, encoding: staged.encoding, encodedLength: staged.encodedLength))
            case .stub(let name, let digest):
                let matches: (AttachmentInfo) -> Bool = { $0.name.hasSameBytes(as: name) && (digest == nil || $0.digest == digest) }
                let fromCandidates = candidates.lazy.compactMap { record.leaves[$0]?.attachments.first(where: matches) }.first
                let fromAnyLeaf = digest == nil ? nil : record.leaves.values.lazy.compactMap { $0.attachments.first(where: matches) }.first
                guard let found = fromCandidates ?? fromAnyLeaf else {
                    throw DocStoreError(.missingStub, "Invalid attachment stub in \(update.id) for \(name)")
                }
                result.append(found)
            }
        }
        return (result, inline)
    }

    /// Stores inline attachment bytes, merges the new leaf into the record, keeps bodies
    /// for leaves only, stems, and writes the record and its by-sequence entry.
    private func write(_ update: PreparedUpdate, _ plan: WritePlan, _ txn: Transaction, _ batch: inout BatchState) throws {
        var record = plan.record
        var attachments = plan.attachments
        let blobs = BlobStore(tables: tables)
        for (index, bytes) in plan.inlineBytes.sorted(by: { $0.key < $1.key }) {
            attachments[index].blob = batch.nextBlob
            batch.nextBlob += 1
            try blobs.store(txn, attachments[index].blob, bytes: bytes, chunkSize: configuration.attachmentChunkSize)
        }
        let wasDeleted = record.isDeleted
        record.tree.merge(plan.path, leafDeleted: update.deleted)
        record.tree.stem(toDepth: batch.revsLimit)
        let leaf = LeafBody(update.storedBody, attachments: attachments)
        for attachment in attachments { try blobs.addReferences(txn, attachment.blob, 1) }
        record.leaves[plan.revision] = leaf
        batch.externalSize += UInt64(leaf.bodySize)
        for (old, body) in record.leaves where !record.tree.isLeaf(old) {
            record.leaves[old] = nil
            batch.externalSize -= min(batch.externalSize, UInt64(body.bodySize))
            for attachment in body.attachments { try blobs.addReferences(txn, attachment.blob, -1) }
        }
        let key = Array(update.id.utf8)
        if plan.existed {
            try txn.delete(tables.sequences, key: SequenceKey.encode(record.sequence))
            if wasDeleted { batch.deletedCount -= 1 } else { batch.documentCount -= 1 }
        }
        if record.isDeleted { batch.deletedCount += 1 } else { batch.documentCount += 1 }
        // One sequence per document per batch, however often the batch changes it (as
        // CouchDB's updater merges a document's edits of one batch into one update).
        if !(plan.existed && record.sequence > batch.firstSequence) { record.sequence = batch.nextSequence() }
        try txn.put(tables.sequences, key: SequenceKey.encode(record.sequence), value: SequenceEntry(id: update.id, record: record).encoded())
        try txn.put(tables.documents, key: key, value: record.encoded())
        let wasLive = plan.existed && !wasDeleted
        if wasLive == record.isDeleted { try LiveCounts.adjust(txn, tables, id: key, by: wasLive ? -1 : 1) }
        if isPartitioned { try PartitionInfo.record(id: update.id, before: plan.existed ? plan.record : nil, after: record, txn, tables) }
        try maintainMango(
            id: update.id, before: plan.existed ? plan.record : nil, after: record, newRevision: plan.revision, newBody: update.body, newFields: update.fields,
            txn, &batch)
    }

    /// CouchDB's `max_partition_size` (couch_db_updater:is_overflowed/3): once a partition's
    /// bodies reach the limit, an interactive edit that would make its document larger is
    /// refused; deletions and shrinking edits pass, and replicated writes are never refused.
    private func overflowsPartition(_ update: PreparedUpdate, _ plan: WritePlan, _ txn: Transaction) throws -> Bool {
        let limit = store?.maxPartitionSize ?? 0
        guard limit > 0, !update.id.hasPrefix("_"), let partition = Partition.of(update.id) else { return false }
        guard try PartitionInfo.load(partition, txn, tables).externalSize >= limit else { return false }
        let replaced = update.parent.flatMap { plan.record.leaves[$0]?.bodySize } ?? 0
        return update.body.count > replaced
    }
}
