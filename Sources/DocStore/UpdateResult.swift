import Gzip

/// The outcome of one document in a write: its new revision, or why it failed.
public struct UpdateResult: Sendable, Equatable {
    public let id: String
    /// The new revision (`N-hex`, or `0-N` for local documents) on success.
    public let revision: String?
    public let error: DocStoreError?

    init(id: String, revision: Revision) {
        self.id = id
        self.revision = revision.description
        self.error = nil
    }

    init(id: String, localRevision: String) {
        self.id = id
        self.revision = localRevision
        self.error = nil
    }

    init(id: String, error: DocStoreError) {
        self.id = id
        self.revision = nil
        self.error = error
    }

    public var isSuccess: Bool { error == nil }
}

/// An update checked and serialized outside the writer, so the writer does only what
/// needs the transaction.
struct PreparedUpdate: Sendable {
    enum Attachment: Sendable {
        /// Inline bytes as they will be stored (gzip-encoded when `encoding` says so);
        /// `length` is the decoded length.
        case inline(name: String, contentType: String, bytes: [UInt8], digest: String, length: Int, encoding: AttachmentEncoding)
        case stub(name: String, digest: String?)
        case staged(name: String, contentType: String, StagedAttachment)

        var name: String {
            switch self {
            case .inline(let name, _, _, _, _, _), .stub(let name, _), .staged(let name, _, _): name
            }
        }
    }

    let id: String
    let parent: Revision?
    let path: RevisionPath?
    let localRevision: UInt64?
    let deleted: Bool
    let body: [UInt8]
    /// `body` parsed, for Mango index keys (saves parsing it again in the writer).
    let fields: JSONObject
    /// `body` as it will be stored (compressed when that saves space).
    let storedBody: LeafBody.Stored
    let attachments: [Attachment]
    /// `revpos` given for attachments with bytes (replicated writes only).
    let attachmentRevpos: [ExactString: Int]
    /// Interactive edits (`new_edits: true`) check revisions; replicated ones merge.
    let checkRevisions: Bool

    var isLocal: Bool { id.hasPrefix(LocalDocument.prefix) }

    /// Inline bytes in their stored form: gzip for compressible types, as CouchDB stores them.
    private static func inline(name: String, contentType: String, data: [UInt8], configuration: DocumentStore.Configuration) -> Attachment {
        guard configuration.isCompressible(contentType) else {
            return .inline(
                name: name, contentType: contentType, bytes: data, digest: RevisionHash.attachmentDigest(data), length: data.count,
                encoding: .identity)
        }
        let encoded = GzipEncoder.compress(data, level: configuration.attachmentCompressionLevel)
        return .inline(
            name: name, contentType: contentType, bytes: encoded, digest: RevisionHash.attachmentDigest(encoded), length: data.count,
            encoding: .gzip)
    }

    init(
        _ update: DocumentUpdate, newEdits: Bool, maxDocumentSize: Int, configuration: DocumentStore.Configuration
    ) throws(DocStoreError) {
        id = update.id ?? UUIDs.sequential()
        try DocumentUpdate.validate(id: id)
        checkRevisions = newEdits
        localRevision = update.localRevision
        deleted = update.deleted
        body = JSON.object(update.body).serialized()
        fields = update.body
        guard body.count <= maxDocumentSize else {
            throw DocStoreError(.documentTooLarge, id)
        }
        storedBody = LeafBody.Stored(body: body)
        if newEdits || id.hasPrefix(LocalDocument.prefix) {
            parent = update.revision
            path = nil
        } else {
            if let revisions = update.revisions {
                path = revisions  // couch_doc: `_revisions` overrides `_rev`, which may disagree
            } else if let revision = update.revision {
                path = RevisionPath(start: revision.position, ids: [revision.id])
            } else {
                throw DocStoreError(.badRequest, "When `new_edits: false`, the document needs `_rev` or `_revisions` specified")
            }
            parent = nil
        }
        attachmentRevpos = newEdits ? [:] : update.attachmentRevpos
        attachments = update.attachments.map { name, input in
            switch input {
            case .inline(let contentType, let data):
                Self.inline(name: name, contentType: contentType, data: data, configuration: configuration)
            case .stub(let digest):
                .stub(name: name, digest: digest)
            case .staged(let contentType, let staged):
                .staged(name: name, contentType: contentType, staged)
            }
        }
    }
}
