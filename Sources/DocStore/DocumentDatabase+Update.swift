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
    public func update(_ updates: [DocumentUpdate], newEdits: Bool = true) async throws(DocStoreError) -> [UpdateResult] {
        var prepared: [Result<PreparedUpdate, DocStoreError>] = []
        prepared.reserveCapacity(updates.count)
        for update in updates {
            do {
                prepared.append(.success(try PreparedUpdate(update, newEdits: newEdits, maxDocumentSize: configuration.maxDocumentSize)))
            } catch {
                prepared.append(.failure(error))
            }
        }
        let staged = updates.flatMap { update in
            update.attachments.compactMap { if case .staged(_, let s) = $0.input { s.blob } else { nil } }
        }
        let preparedUpdates = prepared
        return try await write { txn, batch in
            var results: [UpdateResult] = []
            results.reserveCapacity(preparedUpdates.count)
            for (index, item) in preparedUpdates.enumerated() {
                switch item {
                case .failure(let error):
                    results.append(UpdateResult(id: updates[index].id ?? "", error: error))
                case .success(let update):
                    results.append(try self.applyOne(update, txn, &batch))
                }
            }
            // Staged uploads that no update took (a conflict, say) are dropped now.
            let blobs = BlobStore(tables: self.tables)
            for blob in staged where try blobs.header(txn, blob)?.references == 0 {
                try blobs.remove(txn, blob)
            }
            return results
        }
    }

    /// Writes one document. - Returns: its new revision. - Throws: its error.
    @discardableResult
    public func put(_ update: DocumentUpdate, newEdits: Bool = true) async throws(DocStoreError) -> String {
        let result = try await self.update([update], newEdits: newEdits)[0]
        if let error = result.error { throw error }
        return result.revision!
    }

    /// Applies one prepared update; per-document failures are results, and a failing
    /// document's partial writes are undone by running it in a nested transaction.
    private func applyOne(_ update: PreparedUpdate, _ txn: Transaction, _ batch: inout BatchState) throws -> UpdateResult {
        if update.isLocal { return try applyLocal(update, txn) }
        let before = batch
        do {
            return try txn.nested { child in
                try update.checkRevisions ? applyEdit(update, child, &batch) : applyReplicated(update, child, &batch)
            }
        } catch let error as DocStoreError {
            batch = before
            return UpdateResult(id: update.id, error: error)
        }
    }


    /// An interactive edit: the parent must be a leaf (or absent for a new document,
    /// or the deleted winner when a deleted document is created again).
    private func applyEdit(_ update: PreparedUpdate, _ txn: Transaction, _ batch: inout BatchState) throws -> UpdateResult {
        let existing = try loadRecord(update.id, txn)
        var record = existing ?? DocumentRecord()
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
        let attachments = try resolveAttachments(update, position: position, candidates: [parent].compactMap { $0 }, record, txn, &batch)
        let revision = Revision(
            position: position,
            id: RevisionHash.compute(parent: parent, deleted: update.deleted, body: update.body, attachments: attachments))
        let path = RevisionPath(start: position, ids: [revision.id] + (parent.map { [$0.id] } ?? []))
        try store(update, revision: revision, path: path, attachments: attachments, into: &record, existed: existing != nil, txn, &batch)
        return UpdateResult(id: update.id, revision: revision)
    }

    /// A replicated edit (`new_edits: false`): merge the history, never conflict.
    private func applyReplicated(_ update: PreparedUpdate, _ txn: Transaction, _ batch: inout BatchState) throws -> UpdateResult {
        let path = update.path!
        let revision = Revision(position: path.start, id: path.ids[0])
        let existing = try loadRecord(update.id, txn)
        var record = existing ?? DocumentRecord()
        if record.tree.contains(revision) { return UpdateResult(id: update.id, revision: revision) }
        // Stubs refer to attachments of the nearest ancestor we hold as a leaf.
        let ancestors = path.revisions.dropFirst().filter { record.tree.isLeaf($0) }
        let attachments = try resolveAttachments(update, position: revision.position, candidates: Array(ancestors), record, txn, &batch)
        try store(update, revision: revision, path: path, attachments: attachments, into: &record, existed: existing != nil, txn, &batch)
        return UpdateResult(id: update.id, revision: revision)
    }

    /// Turns attachment inputs into stored attachments: inline bytes become blobs,
    /// staged uploads are taken, stubs are found in the candidate revisions (then in any
    /// leaf with the same name and digest).
    private func resolveAttachments(
        _ update: PreparedUpdate, position: Int, candidates: [Revision], _ record: DocumentRecord,
        _ txn: Transaction, _ batch: inout BatchState
    ) throws -> [AttachmentInfo] {
        var result: [AttachmentInfo] = []
        for attachment in update.attachments {
            switch attachment {
            case .inline(let name, let contentType, let bytes, let digest):
                let blob = batch.nextBlob
                batch.nextBlob += 1
                try BlobStore(tables: tables).store(txn, blob, bytes: bytes, chunkSize: configuration.attachmentChunkSize)
                result.append(AttachmentInfo(name: name, contentType: contentType, digest: digest, length: bytes.count, revpos: position, blob: blob))
            case .staged(let name, let contentType, let staged):
                result.append(AttachmentInfo(name: name, contentType: contentType, digest: staged.digest, length: staged.length, revpos: position, blob: staged.blob))
            case .stub(let name, let digest):
                let matches: (AttachmentInfo) -> Bool = { $0.name == name && (digest == nil || $0.digest == digest) }
                let fromCandidates = candidates.lazy.compactMap { record.leaves[$0]?.attachments.first(where: matches) }.first
                let fromAnyLeaf = digest == nil ? nil : record.leaves.values.lazy.compactMap { $0.attachments.first(where: matches) }.first
                guard let found = fromCandidates ?? fromAnyLeaf else {
                    throw DocStoreError(.missingStub, "Invalid attachment stub in \(update.id) for \(name)")
                }
                result.append(found)
            }
        }
        return result
    }

    /// Merges the new leaf into the record, keeps bodies for leaves only, stems, and
    /// writes the record and its by-sequence entry.
    private func store(
        _ update: PreparedUpdate, revision: Revision, path: RevisionPath, attachments: [AttachmentInfo],
        into record: inout DocumentRecord, existed: Bool, _ txn: Transaction, _ batch: inout BatchState
    ) throws {
        let wasDeleted = record.isDeleted
        let blobs = BlobStore(tables: tables)
        record.tree.merge(path, leafDeleted: update.deleted)
        record.tree.stem(toDepth: batch.revsLimit)
        let leaf = LeafBody(body: update.body, attachments: attachments)
        for attachment in attachments { try blobs.addReferences(txn, attachment.blob, 1) }
        record.leaves[revision] = leaf
        batch.externalSize += UInt64(leaf.bodySize)
        for (old, body) in record.leaves where !record.tree.isLeaf(old) {
            record.leaves[old] = nil
            batch.externalSize -= min(batch.externalSize, UInt64(body.bodySize))
            for attachment in body.attachments { try blobs.addReferences(txn, attachment.blob, -1) }
        }
        let key = Array(update.id.utf8)
        if existed {
            try txn.delete(tables.sequences, key: SequenceKey.encode(record.sequence))
            if wasDeleted { batch.deletedCount -= 1 } else { batch.documentCount -= 1 }
        }
        if record.isDeleted { batch.deletedCount += 1 } else { batch.documentCount += 1 }
        record.sequence = batch.nextSequence()
        try txn.put(tables.sequences, key: SequenceKey.encode(record.sequence), value: key)
        try txn.put(tables.documents, key: key, value: record.encoded())
    }
}
