import LMDB

/// Storage of view rows: the group records, reading changes for the indexer, applying
/// one batch of map results.
extension DocumentDatabase {
    /// CPU seconds a view function may run per call (CouchDB's `os_process_timeout`).
    var javaScriptTimeLimit: Double { configuration.javaScriptTimeLimit }

    /// Where view functions' `log()` lines and map exceptions go.
    func viewLog(_ line: String) { configuration.viewLog(line) }

    /// The stored group of `definition`, created (empty) on first use when `create`.
    func viewGroup(_ definition: ViewGroupDefinition, designDocument: String, create: Bool = true) async throws(DocStoreError) -> ViewGroupRecord? {
        if let record = try read({ txn in try ViewGroupRecord.load(txn, tables, signature: definition.signature) }) { return record }
        guard create else { return nil }
        return try await write { txn, _ in
            if let record = try ViewGroupRecord.load(txn, self.tables, signature: definition.signature) { return record }
            return try ViewGroupRecord.create(definition, designDocument: designDocument, txn, self.tables)
        }
    }

    /// Up to `limit` changes after `since`, each as the document's id and its winning
    /// revision as JSON text for the map functions (nil when deleted, or a design
    /// document the group does not map).
    /// - Returns: the changes and the last sequence read.
    func viewChanges(since: UInt64, limit: Int, includeDesign: Bool) throws(DocStoreError) -> ([(String, String?)], UInt64) {
        var options = ChangesOptions()
        options.since = since
        options.limit = limit
        options.includeDocuments = true
        var changes: [(String, String?)] = []
        let last = try self.changes(options) { change in
            let skip = change.deleted || (!includeDesign && change.id.hasPrefix("_design/"))
            let text = skip ? nil : change.document.map { String(decoding: $0.serialized(), as: UTF8.self) }
            changes.append((change.id, text))
            return true
        }
        return (changes, last)
    }

    /// Replaces the rows of each document in `batch` and records `sequence` as indexed,
    /// in one write transaction. A batch for a group that changed meanwhile (removed by
    /// cleanup, or advanced by another build) is dropped.
    func applyViewBatch(_ record: ViewGroupRecord, _ batch: [ViewDocumentRows], through sequence: UInt64) async throws(DocStoreError) -> ViewGroupRecord {
        try await write { txn, _ in
            guard let current = try ViewGroupRecord.load(txn, self.tables, signature: record.signature), current.group == record.group,
                current.sequence == record.sequence
            else { return try ViewGroupRecord.load(txn, self.tables, signature: record.signature) ?? record }
            var updated = current
            for document in batch {
                let listKey = ViewRowKey.documentKey(group: record.group, id: document.id)
                let old = try txn.withValue(self.tables.viewDocuments, key: listKey) { value in value.map(ViewRowKey.decodeList) ?? [] }
                for key in old {
                    _ = try txn.delete(self.tables.views, key: key)
                    key.withUnsafeBytes { updated.rowCounts[IndexKey.indexNumber($0), default: 1] -= 1 }
                }
                var keys: [[UInt8]] = []
                var emissions: [UInt32: Int] = [:]
                for (view, key, value) in document.rows {
                    let emission = emissions[view, default: 0]
                    emissions[view] = emission + 1
                    let rowKey = ViewRowKey.encode(view: view, key: key, id: document.id, emission: emission, partition: document.partition)
                    try txn.put(self.tables.views, key: rowKey, value: JSON.array([key, value]).serialized())
                    keys.append(rowKey)
                    updated.rowCounts[view, default: 0] += 1
                }
                if keys.isEmpty {
                    if !old.isEmpty { _ = try txn.delete(self.tables.viewDocuments, key: listKey) }
                } else {
                    try txn.put(self.tables.viewDocuments, key: listKey, value: ViewRowKey.encodeList(keys))
                }
            }
            updated.sequence = sequence
            try updated.save(txn, self.tables)
            return updated
        }
    }
}
