import DocStore

/// One attachment as a revision names it: CouchDB's stub fields, and the bytes when
/// the source sent them inline.
public struct AttachmentStub: Sendable, Equatable {
    public var name: String
    public var contentType: String
    public var digest: String?
    public var length: Int?
    public var revpos: Int
    /// Inline bytes (`data`), when the source included them.
    public var data: [UInt8]?
    /// How the source stores the bytes (CouchDB's `encoding`); the digest is of the
    /// stored bytes, and those are what the replicator copies (`length` stays the
    /// decoded length). Inline `data` is always decoded: identity.
    public var encoding: AttachmentEncoding = .identity
    /// The stored length (CouchDB's `encoded_length`) of gzip-encoded bytes.
    public var encodedLength: Int?

    /// How many bytes the source sends when asked for the stored form.
    public var storedLength: Int? { encoding == .gzip ? encodedLength : length }

    public init(name: String, contentType: String, digest: String?, length: Int?, revpos: Int, data: [UInt8]? = nil) {
        self.name = name
        self.contentType = contentType
        self.digest = digest
        self.length = length
        self.revpos = revpos
        self.data = data
    }

    /// Reads an `_attachments` entry. - Returns: nil when it is not an object.
    init?(name: String, json: JSON) {
        guard case .object(let fields) = json else { return nil }
        self.name = name
        contentType = fields["content_type"]?.stringValue ?? "application/octet-stream"
        digest = fields["digest"]?.stringValue
        length = fields["length"]?.int64Value.map(Int.init)
        revpos = fields["revpos"]?.int64Value.map(Int.init) ?? 0
        if fields["encoding"]?.stringValue == "gzip", let encoded = fields["encoded_length"]?.int64Value {
            // Stored gzip-encoded: the digest is of the encoded bytes, and those are what
            // must be copied. Inline `data` is always decoded, so it is left aside and
            // the stored bytes are fetched (sending it with the encoded digest makes
            // CouchDB fail the write with a 500).
            encoding = .gzip
            encodedLength = Int(encoded)
            if length == nil, let text = fields["data"]?.stringValue { length = Self.decodedCount(base64: text) }
        } else {
            data = fields["data"]?.stringValue.flatMap { Base64.decode($0) }
            // Inline data comes without `length` (CouchDB writes none), but a `follows`
            // entry needs one: CouchDB's multipart reader fails without it.
            if length == nil, let data { length = data.count }
        }
    }

    /// How many bytes a base64 text decodes to, without decoding it.
    static func decodedCount(base64 text: String) -> Int {
        let padding = text.utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        return text.utf8.count / 4 * 3 - padding
    }

    /// The entry for a written revision: a stub, or `follows` for bytes sent in a
    /// multipart body in their stored encoding (as CouchDB's replicator sends them).
    func json(follows: Bool) -> JSON {
        var object: JSONObject = ["content_type": .string(contentType), "revpos": .number(JSONNumber(revpos))]
        if let digest { object["digest"] = .string(digest) }
        if let length { object["length"] = .number(JSONNumber(length)) }
        object[follows ? "follows" : "stub"] = true
        if follows, encoding == .gzip, let encodedLength {
            object["encoding"] = "gzip"
            object["encoded_length"] = .number(JSONNumber(encodedLength))
        }
        return .object(object)
    }
}

/// A document revision as it travels from source to target: the whole document as
/// CouchDB renders it with `revs=true` (`_id`, `_rev`, `_revisions`, `_deleted`,
/// `_attachments` and the fields), plus its attachments taken apart.
public struct FetchedRevision: Sendable {
    public let id: String
    public let revision: Revision
    public let deleted: Bool
    /// The document JSON, including its special members.
    public var json: JSONObject
    public let attachments: [AttachmentStub]

    /// Takes a document apart. - Throws: `invalid_response` without `_id`, `_rev` or
    /// `_revisions` (the history a replicated write needs).
    public init(json: JSONObject) throws(ReplicationError) {
        guard let id = json["_id"]?.stringValue, let text = json["_rev"]?.stringValue, let revision = Revision(text) else {
            throw ReplicationError(.invalidResponse, "a fetched document lacks _id or _rev")
        }
        guard json["_revisions"] != nil else {
            throw ReplicationError(.invalidResponse, "document \(id) came without _revisions")
        }
        self.id = id
        self.revision = revision
        self.json = json
        deleted = json["_deleted"]?.boolValue ?? false
        var attachments: [AttachmentStub] = []
        for (name, entry) in json["_attachments"]?.objectValue ?? [:] {
            if let stub = AttachmentStub(name: name, json: entry) { attachments.append(stub) }
        }
        self.attachments = attachments
    }

    /// Whether writing needs the attachments' bytes fetched separately (some arrived
    /// as stubs, without data).
    public var needsAttachmentBodies: Bool { attachments.contains { $0.data == nil } }

    /// The revision's history (`_revisions`), newest first.
    public var history: [Revision] {
        guard let start = json["_revisions"]?["start"]?.int64Value, let ids = json["_revisions"]?["ids"]?.arrayValue else {
            return [revision]
        }
        return ids.enumerated().compactMap { offset, id in id.stringValue.map { Revision(position: Int(start) - offset, id: $0) } }
    }
}

/// The bytes of one attachment, pulled a piece at a time from the source (so memory
/// stays bounded whatever the size). Single consumer.
public typealias AttachmentBytes = AsyncThrowingStream<[UInt8], Error>

/// An attachment of a revision being written: a stub the target resolves from its own
/// ancestors, or bytes streamed from the source.
public enum OutgoingAttachment: Sendable {
    case stub(AttachmentStub)
    /// Bytes from the source; `length` is nil when the source did not say.
    case body(AttachmentStub, length: Int?, AttachmentBytes)

    public var stub: AttachmentStub {
        switch self {
        case .stub(let stub), .body(let stub, _, _): stub
        }
    }
}
