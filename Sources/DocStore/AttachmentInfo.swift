/// What a revision records about one attachment: CouchDB's stub fields plus where the
/// bytes live. Bytes are stored once per upload as a blob and shared by every revision
/// that keeps the attachment through a stub.
public struct AttachmentInfo: Sendable, Hashable {
    public var name: String
    public var contentType: String
    /// `md5-<base64>` of the stored bytes (the encoded ones when `encoding` is gzip),
    /// as CouchDB reports it.
    public var digest: String
    /// Length of the attachment in octets, decoded (CouchDB's `length`).
    public var length: Int
    /// How the bytes are stored and sent to clients that accept it (CouchDB's `encoding`).
    public var encoding: AttachmentEncoding
    /// Length of the stored bytes (CouchDB's `encoded_length`); `length` for identity.
    public var encodedLength: Int
    /// The revision position at which the attachment was last changed.
    public var revpos: Int
    /// The blob that holds the bytes (internal; never shown to clients).
    var blob: UInt64

    public init(
        name: String, contentType: String, digest: String, length: Int, revpos: Int, blob: UInt64,
        encoding: AttachmentEncoding = .identity, encodedLength: Int? = nil
    ) {
        self.name = name
        self.contentType = contentType
        self.digest = digest
        self.length = length
        self.revpos = revpos
        self.blob = blob
        self.encoding = encoding
        self.encodedLength = encodedLength ?? length
    }

    func encode(into writer: inout ByteWriter) {
        writer.string(name)
        writer.string(contentType)
        writer.string(digest)
        writer.varint(length)
        writer.varint(revpos)
        writer.varint(blob)
        writer.byte(encoding == .gzip ? 1 : 0)
        writer.varint(encodedLength)
    }

    /// Reads an attachment of a record written in `version` (1 had no encodings).
    init(from reader: inout ByteReader, version: UInt8) throws(DocStoreError) {
        name = try reader.string()
        contentType = try reader.string()
        digest = try reader.string()
        length = try reader.int()
        revpos = try reader.int()
        blob = try reader.varint()
        if version >= 2 {
            encoding = try reader.byte() == 1 ? .gzip : .identity
            encodedLength = try reader.int()
        } else {
            encoding = .identity
            encodedLength = length
        }
    }

    /// The entry CouchDB shows in a document's `_attachments`: `content_type`, `revpos`,
    /// `digest`, then `data` (decoded bytes, inline), or `length` with `follows` or
    /// `stub`; `encoding` and `encoded_length` when asked for (`att_encoding_info`).
    func stubJSON(includeData data: [UInt8]? = nil, follows: Bool = false, encodingInfo: Bool = false) -> JSON {
        var object = JSONObject()
        object["content_type"] = .string(contentType)
        object["revpos"] = .number(JSONNumber(revpos))
        object["digest"] = .string(digest)
        if let data {
            object["data"] = .string(Base64.encode(data))
        } else {
            object["length"] = .number(JSONNumber(length))
            object[follows ? "follows" : "stub"] = true
        }
        if encodingInfo, encoding == .gzip {
            object["encoding"] = "gzip"
            object["encoded_length"] = .number(JSONNumber(encodedLength))
        }
        return .object(object)
    }
}

/// How an attachment's bytes are stored: as given, or gzip-compressed (CouchDB
/// compresses `text/*`, JSON, JavaScript and XML this way; replicas keep the encoding).
public enum AttachmentEncoding: String, Sendable, Hashable {
    case identity
    case gzip
}
