/// One document edit as a client sends it, with CouchDB's special members taken apart.
///
/// `init(json:)` applies CouchDB's document rules (couch_doc's `transfer_fields`): the
/// members `_id`, `_rev`, `_deleted`, `_attachments` and `_revisions` are understood;
/// `_revs_info`, `_conflicts`, `_deleted_conflicts` and `_local_seq` are ignored; the
/// replicator's `_replication_*` marks are kept as fields; any other member starting
/// with `_` is a `doc_validation` error.
public struct DocumentUpdate: Sendable {
    /// The document id; `nil` asks the engine to generate one (`POST /db`).
    public var id: String?
    /// The parent revision (`_rev`) for an interactive edit; the leaf for a replicated one.
    public var revision: Revision?
    /// The revision history (`_revisions`) of a replicated edit (`new_edits: false`).
    public var revisions: RevisionPath?
    public var deleted: Bool
    /// For `_local/` documents: the N of the `0-N` revision being replaced.
    public var localRevision: UInt64?
    /// The document's own fields.
    public var body: JSONObject
    /// Attachments in the order given; `nil` when the document has no `_attachments`.
    public var attachments: [(name: String, input: AttachmentInput)]
    /// The `revpos` a replicated write (`new_edits: false`) gives its attachments with
    /// bytes, by name: kept as sent (as CouchDB keeps it), so that both replicas agree
    /// on when each attachment last changed. Interactive edits ignore it.
    public var attachmentRevpos: [ExactString: Int] = [:]

    public init(
        id: String?, revision: Revision? = nil, revisions: RevisionPath? = nil, deleted: Bool = false,
        body: JSONObject = JSONObject(), attachments: [(name: String, input: AttachmentInput)] = []
    ) {
        self.id = id
        self.revision = revision
        self.revisions = revisions
        self.deleted = deleted
        self.body = body
        self.attachments = attachments
    }

    /// Takes a document as a client sent it apart. An `id` from the URL wins over the
    /// body's `_id`, as in CouchDB.
    /// - Throws: `doc_validation` / `bad_request` errors as CouchDB words them.
    public init(json: JSONObject, id urlID: String? = nil) throws(DocStoreError) {
        self.init(id: urlID)
        var revisionText: String?
        var history: JSON?
        for (key, value) in json {
            guard key.utf8.first == UInt8(ascii: "_") else {
                body[key] = value
                continue
            }
            switch key {
            case "_id":
                guard case .string(let string) = value else {
                    throw DocStoreError(.illegalDocumentID, "Document id must be a string")
                }
                if urlID == nil { id = string }
            case "_rev":
                guard case .string(let string) = value else { throw DocStoreError(.badRequest, "Invalid rev format") }
                revisionText = string
            case "_deleted":
                guard let flag = value.boolValue else { throw DocStoreError(.documentValidation, "Bad special document member: _deleted") }
                deleted = flag
            case "_revisions":
                history = value
            case "_attachments":
                attachments = try AttachmentInput.parseAll(value)
                for (name, entry) in value.objectValue ?? [:] {
                    if let revpos = entry["revpos"]?.int64Value, revpos >= 1 { attachmentRevpos[ExactString(name)] = Int(revpos) }
                }
            case "_revs_info", "_conflicts", "_deleted_conflicts", "_local_seq":
                continue
            case "_replication_state", "_replication_state_time", "_replication_state_reason", "_replication_id",
                "_replication_stats":
                // The replicator's marks on `_replicator` documents stay in the body, as in CouchDB.
                body[key] = value
            default:
                throw DocStoreError(.documentValidation, "Bad special document member: \(key)")
            }
        }
        if let id { try Self.validate(id: id) }
        // Local documents have no history: CouchDB's replicator sends its checkpoints
        // with `"_revisions": {"start": 0, "ids": ["1"]}`, which means nothing here.
        if let history, id?.hasPrefix(LocalDocument.prefix) != true { revisions = try Self.revisionPath(history) }
        if let revisionText {
            if id?.hasPrefix(LocalDocument.prefix) == true {
                guard let number = LocalDocument.parseRevision(revisionText) else {
                    throw DocStoreError(.badRequest, "Invalid rev format")
                }
                localRevision = number
            } else {
                guard let revision = Revision(revisionText) else { throw DocStoreError(.badRequest, "Invalid rev format") }
                self.revision = revision
            }
        }
    }

    /// CouchDB's id rules: a non-empty UTF-8 string; a leading `_` only for `_design/`
    /// and `_local/` ids. LMDB keys are limited to 511 bytes, so ids are too.
    public static func validate(id: String) throws(DocStoreError) {
        guard !id.isEmpty else { throw DocStoreError(.illegalDocumentID, "Document id must not be empty") }
        if id.utf8.first == UInt8(ascii: "_") {
            if let prefix = ["_design/", "_local/"].first(where: id.hasPrefix) {
                guard id.utf8.count > prefix.utf8.count else { throw DocStoreError(.illegalDocumentID, "Illegal document id `\(id)`") }
            } else {
                throw DocStoreError(.illegalDocumentID, "Only reserved document ids may start with underscore.")
            }
        }
        guard id.utf8.count <= maximumIDLength else {
            throw DocStoreError(.illegalDocumentID, "Document id is longer than \(maximumIDLength) bytes")
        }
    }

    /// The longest id in bytes (LMDB's key size limit).
    public static let maximumIDLength = 511

    /// `_revisions` as couch_doc reads it, with its `doc_validation` messages; a history
    /// must also fit its start (no generation below 1).
    static func revisionPath(_ value: JSON) throws(DocStoreError) -> RevisionPath {
        guard case .object(let fields) = value else { throw DocStoreError(.documentValidation, "Bad special document member: _revisions") }
        guard let start = fields["start"]?.int64Value else {
            throw DocStoreError(.documentValidation, "_revisions.start isn't an integer.")
        }
        guard let ids = fields["ids"]?.arrayValue else { throw DocStoreError(.documentValidation, "_revisions.ids isn't a array.") }
        var strings: [String] = []
        strings.reserveCapacity(ids.count)
        for id in ids {
            guard let string = id.stringValue else { throw DocStoreError(.documentValidation, "RevId isn't a string") }
            guard !string.isEmpty else { throw DocStoreError(.documentValidation, "RevId isn't a valid hexadecimal") }
            strings.append(string)
        }
        guard start >= 1, !strings.isEmpty, strings.count <= start else {
            throw DocStoreError(.badRequest, "Invalid _revisions")
        }
        return RevisionPath(start: Int(start), ids: strings)
    }
}

/// How a document names one attachment in an update.
public enum AttachmentInput: Sendable {
    /// Inline bytes (`data`, base64 in JSON).
    case inline(contentType: String, data: [UInt8])
    /// Keep the attachment of the parent revision (`stub: true`).
    case stub(digest: String?)
    /// Bytes already streamed into the database (`follows: true` in multipart uploads,
    /// or a standalone attachment PUT).
    case staged(contentType: String, StagedAttachment)

    static func parseAll(_ value: JSON) throws(DocStoreError) -> [(name: String, input: AttachmentInput)] {
        guard case .object(let object) = value else {
            throw DocStoreError(.documentValidation, "Bad special document member: _attachments")
        }
        var result: [(name: String, input: AttachmentInput)] = []
        for (name, entry) in object {
            // CouchDB 3.4.3 drops an entry that is not an object and stores the rest.
            guard case .object(let fields) = entry else { continue }
            guard !name.isEmpty, name.utf8.first != UInt8(ascii: "_") else {
                throw DocStoreError(.badRequest, "Attachment name must not be empty or start with underscore")
            }
            if fields["stub"]?.boolValue == true {
                result.append((name, .stub(digest: fields["digest"]?.stringValue)))
            } else if let data = fields["data"] {
                guard let text = data.stringValue, let bytes = Base64.decode(text) else {
                    throw DocStoreError(.badRequest, "Invalid attachment data for \(name)")
                }
                let contentType = fields["content_type"]?.stringValue ?? "application/octet-stream"
                result.append((name, .inline(contentType: contentType, data: bytes)))
            } else if fields["follows"]?.boolValue == true {
                throw DocStoreError(.badRequest, "Attachment \(name) follows, but its body is missing")
            } else {
                throw DocStoreError(.badRequest, "Attachment \(name) has neither data nor stub")
            }
        }
        return result
    }
}

/// Bytes of an attachment streamed into a database before the document update that
/// names them. Unused staged bytes are removed when the update commits or fails.
public struct StagedAttachment: Sendable, Hashable {
    let blob: UInt64
    /// `md5-<base64>` of the stored bytes.
    public let digest: String
    /// The decoded length (CouchDB's `length`).
    public let length: Int
    public let encoding: AttachmentEncoding
    /// The stored length (CouchDB's `encoded_length`).
    public let encodedLength: Int
}
