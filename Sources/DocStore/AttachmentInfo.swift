/// What a revision records about one attachment: CouchDB's stub fields plus where the
/// bytes live. Bytes are stored once per upload as a blob and shared by every revision
/// that keeps the attachment through a stub.
public struct AttachmentInfo: Sendable, Hashable {
    public var name: String
    public var contentType: String
    /// `md5-<base64>` of the bytes, as CouchDB reports it.
    public var digest: String
    /// Length of the bytes in octets.
    public var length: Int
    /// The revision position at which the attachment was last changed.
    public var revpos: Int
    /// The blob that holds the bytes (internal; never shown to clients).
    var blob: UInt64

    public init(name: String, contentType: String, digest: String, length: Int, revpos: Int, blob: UInt64) {
        self.name = name
        self.contentType = contentType
        self.digest = digest
        self.length = length
        self.revpos = revpos
        self.blob = blob
    }

    func encode(into writer: inout ByteWriter) {
        writer.string(name)
        writer.string(contentType)
        writer.string(digest)
        writer.varint(length)
        writer.varint(revpos)
        writer.varint(blob)
    }

    init(from reader: inout ByteReader) throws(DocStoreError) {
        name = try reader.string()
        contentType = try reader.string()
        digest = try reader.string()
        length = try reader.int()
        revpos = try reader.int()
        blob = try reader.varint()
    }

    /// The stub CouchDB shows in a document: `{"content_type","revpos","digest","length","stub":true}`.
    func stubJSON(includeData data: [UInt8]? = nil, follows: Bool = false) -> JSON {
        var object = JSONObject()
        object["content_type"] = .string(contentType)
        object["revpos"] = .number(JSONNumber(revpos))
        object["digest"] = .string(digest)
        object["length"] = .number(JSONNumber(length))
        if let data {
            object["data"] = .string(Base64.encode(data))
        } else if follows {
            object["follows"] = true
        } else {
            object["stub"] = true
        }
        return .object(object)
    }
}
