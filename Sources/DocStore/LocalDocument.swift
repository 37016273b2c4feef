import LMDB

/// A `_local/` document: never replicated, never in `_changes` or `_all_docs`, no
/// revision tree. Its revision is `0-N`, N counting its updates.
public struct LocalDocument: Sendable, Equatable {
    public static let prefix = "_local/"

    public let id: String
    public let revisionNumber: UInt64
    /// The document's own fields, serialized.
    public let body: [UInt8]

    public var revision: String { "0-\(revisionNumber)" }

    /// N of a `0-N` revision, or `nil`.
    static func parseRevision(_ text: String) -> UInt64? {
        guard text.hasPrefix("0-") else { return nil }
        return UInt64(text.dropFirst(2))
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: body.count + 12)
        writer.varint(revisionNumber)
        writer.data(body)
        return writer.bytes
    }

    init(id: String, revisionNumber: UInt64, body: [UInt8]) {
        self.id = id
        self.revisionNumber = revisionNumber
        self.body = body
    }

    init(id: String, decoding buffer: UnsafeRawBufferPointer) throws(DocStoreError) {
        var reader = ByteReader(buffer)
        self.id = id
        revisionNumber = try reader.varint()
        body = Array(try reader.data())
    }

    /// The document as JSON: `_id`, `_rev`, then its fields.
    public func json() throws(DocStoreError) -> JSONObject {
        var object = JSONObject()
        object["_id"] = .string(id)
        object["_rev"] = .string(revision)
        do {
            if case .object(let fields) = try JSON.parse(body) {
                for (key, value) in fields { object[key] = value }
            }
        } catch {
            throw DocStoreError(.storage, "corrupt local document")
        }
        return object
    }
}

extension DocumentDatabase {
    /// The local document `id` (with its `_local/` prefix). - Throws: `not_found`.
    public func localDocument(_ id: String) throws(DocStoreError) -> LocalDocument {
        let found = try read { txn in
            try txn.withValue(tables.local, key: Array(id.utf8)) { value in
                try value.map { buffer throws(DocStoreError) in try LocalDocument(id: id, decoding: buffer) }
            }
        }
        guard let found else { throw DocStoreError.missing }
        return found
    }

    /// Local documents in id order (`_local_docs`), with `_all_docs`-style range options.
    public func localDocuments(_ options: AllDocumentsOptions) throws(DocStoreError) -> [LocalDocument] {
        try read { txn in
            var rows: [LocalDocument] = []
            var skipped = 0
            let (start, end) = options.scanBounds(prefix: LocalDocument.prefix)
            try txn.scan(
                tables.local, from: start, to: end, inclusiveEnd: options.inclusiveEnd, descending: options.descending
            ) { entry in
                if skipped < options.skip {
                    skipped += 1
                    return true
                }
                let id = String(decoding: entry.key, as: UTF8.self)
                rows.append(try LocalDocument(id: id, decoding: entry.value))
                return options.limit.map { rows.count < $0 } ?? true
            }
            return rows
        }
    }

    /// Applies one local-document update inside a write batch.
    func applyLocal(_ update: PreparedUpdate, _ txn: Transaction) throws -> UpdateResult {
        let key = Array(update.id.utf8)
        // CouchDB 3 checks no revision of a local document: the new one is the given
        // number plus one (1 without one), whatever is stored.
        if update.deleted {
            guard try txn.withValue(tables.local, key: key, { $0 != nil }) else { return UpdateResult(id: update.id, error: .missing) }
            try txn.delete(tables.local, key: key)
            return UpdateResult(id: update.id, localRevision: "0-0")
        }
        let document = LocalDocument(id: update.id, revisionNumber: (update.localRevision ?? 0) + 1, body: update.body)
        try txn.put(tables.local, key: key, value: document.encoded())
        return UpdateResult(id: update.id, localRevision: document.revision)
    }
}
