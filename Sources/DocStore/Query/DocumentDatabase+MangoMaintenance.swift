import LMDB

/// Keeping Mango indexes in step with the documents, inside the write transaction that
/// changes them: a `_find` after a 201 sees the write.
extension DocumentDatabase {
    /// Updates the index rows (and, for a design document, the catalog) after `id` went
    /// from `before` to `after` in this transaction. `newRevision`/`newBody` name the
    /// revision just written and its uncompressed body, to avoid decompressing it again.
    func maintainMango(
        id: String, before: DocumentRecord?, after: DocumentRecord?, newRevision: Revision?, newBody: [UInt8]?,
        newFields: JSONObject? = nil, _ txn: Transaction, _ batch: inout BatchState
    ) throws {
        if id.hasPrefix("_design/") {
            let declaring = try Self.winnerJSON(id, after, newRevision, newBody)?.objectValue
            try updateMangoCatalog(designDocument: id, body: declaring, txn, &batch)
            return
        }
        guard !batch.mango.indexes.isEmpty else { return }
        let idBytes = Array(id.utf8)
        let affected = batch.mango.indexes.filter { $0.covers(id: idBytes) }
        guard !affected.isEmpty else { return }
        let old = try Self.winnerJSON(id, before, nil, nil)
        let new: JSON?
        if let newFields, let winner = after?.tree.winner, winner.revision == newRevision, !winner.deleted {
            new = Self.mangoDocument(id: id, revision: winner.revision, fields: newFields)
        } else {
            new = try Self.winnerJSON(id, after, newRevision, newBody)
        }
        for index in affected {
            let oldKey = old.flatMap(index.values(of:)).map { IndexKey.encode(index: index.number, values: $0, id: id) }
            let newKey = new.flatMap(index.values(of:)).map { IndexKey.encode(index: index.number, values: $0, id: id) }
            if oldKey == newKey { continue }
            if let oldKey { try txn.delete(tables.mango, key: oldKey) }
            if let newKey { try txn.put(tables.mango, key: newKey, value: []) }
        }
    }

    /// The winning revision as Mango sees it (`_id`, `_rev`, then the fields); nil when
    /// there is none or it is a deletion.
    static func winnerJSON(_ id: String, _ record: DocumentRecord?, _ newRevision: Revision?, _ newBody: [UInt8]?) throws -> JSON? {
        guard let record, let winner = record.tree.winner, !winner.deleted else { return nil }
        let body: [UInt8]
        if winner.revision == newRevision, let newBody {
            body = newBody
        } else {
            guard let leaf = record.leaves[winner.revision] else { return nil }
            body = try leaf.body()
        }
        return mangoDocument(id: id, revision: winner.revision, body: body)
    }

    static func mangoDocument(id: String, revision: Revision, body: [UInt8]) -> JSON? {
        guard case .object(let fields)? = try? JSON.parse(body) else { return nil }
        return mangoDocument(id: id, revision: revision, fields: fields)
    }

    static func mangoDocument(id: String, revision: Revision, fields: JSONObject) -> JSON {
        var object = JSONObject()
        object.reserveCapacity(fields.count + 2)
        object.appendUnchecked(key: "_id", value: .string(id))
        object.appendUnchecked(key: "_rev", value: .string(revision.description))
        for (key, value) in fields where key != "_id" && key != "_rev" { object.appendUnchecked(key: key, value: value) }
        return .object(object)
    }

    /// A design document changed: indexes it no longer declares go (with their rows),
    /// new ones are registered and built in the background.
    private func updateMangoCatalog(designDocument id: String, body: JSONObject?, _ txn: Transaction, _ batch: inout BatchState) throws {
        let declared = body.map { MangoIndex.declared(in: $0, designDocument: id, partitionedDatabase: isPartitioned) } ?? []
        let existing = batch.mango.indexes.filter { $0.designDocument == id }
        for old in existing where !declared.contains(where: { $0.sameDefinition(old) }) {
            try batch.mango.remove(old.number, txn, tables)
        }
        for var index in declared where !existing.contains(where: { $0.sameDefinition(index) }) {
            index.number = try batch.mango.nextNumber(txn, tables)
            index.progress = []
            try batch.mango.save(index, txn, tables)
            batch.mangoBuildsPending = true
        }
    }

    /// One bounded step of building the indexes that are not ready: up to `limit`
    /// documents each, in one write transaction (writers interleave between steps).
    /// - Returns: whether any index still needs building, and the per-index counts done.
    func buildMangoStep(limit: Int) async throws(DocStoreError) -> (more: Bool, progress: [(MangoIndex, Int)]) {
        try await write { txn, batch in
            var progress: [(MangoIndex, Int)] = []
            for var index in batch.mango.indexes where !index.isReady {
                var last = index.progress ?? []
                var done = 0
                var finished = true
                var rows: [[UInt8]] = []
                try txn.scan(self.tables.documents, from: last.isEmpty ? nil : last) { entry in
                    let key = Array(entry.key)
                    if key == last { return true }
                    if done == limit {
                        finished = false
                        return false
                    }
                    last = key
                    done += 1
                    let id = String(decoding: key, as: UTF8.self)
                    if id.hasPrefix("_design/") { return true }
                    let record = try DocumentRecord(decoding: entry.value)
                    if let document = try Self.winnerJSON(id, record, nil, nil), let values = index.values(of: document) {
                        rows.append(IndexKey.encode(index: index.number, values: values, id: id))
                    }
                    return true
                }
                for row in rows { try txn.put(self.tables.mango, key: row, value: []) }
                index.progress = finished ? nil : last
                try batch.mango.save(index, txn, self.tables)
                progress.append((index, done))
            }
            return (batch.mango.indexes.contains { !$0.isReady }, progress)
        }
    }

    /// Whether some Mango index is still being built (queries do not use it yet).
    public func isBuildingMangoIndexes() throws -> Bool {
        try readQuery { txn in try MangoCatalog.load(txn, tables, cache: mangoCache) }.indexes.contains { !$0.isReady }
    }

    /// The number of live documents (for build progress).
    func liveDocumentCount() -> Int {
        (try? info().documentCount) ?? 0
    }
}
