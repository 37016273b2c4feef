/// The headers S3 stores with an object and returns on GET and HEAD, as the client sent
/// them (the S3 layer parses and formats headers; this layer keeps strings).
public struct ObjectMetadata: Sendable, Hashable {
    /// `Content-Type`; `nil` when the client sent none (S3 answers `binary/octet-stream`).
    public var contentType: String?
    public var contentEncoding: String?
    public var contentDisposition: String?
    public var contentLanguage: String?
    public var cacheControl: String?
    /// `Expires`, verbatim (S3 returns what it was given).
    public var expires: String?
    /// `x-amz-meta-*` headers without the prefix, in the order they were sent.
    public var userMetadata: [MetadataEntry]

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, contentDisposition: String? = nil,
        contentLanguage: String? = nil, cacheControl: String? = nil, expires: String? = nil,
        userMetadata: [MetadataEntry] = []
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.contentDisposition = contentDisposition
        self.contentLanguage = contentLanguage
        self.cacheControl = cacheControl
        self.expires = expires
        self.userMetadata = userMetadata
    }

    func encode(into writer: inout ByteWriter) {
        for field in [contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires] {
            writer.optionalString(field)
        }
        writer.varint(userMetadata.count)
        for entry in userMetadata {
            writer.string(entry.name)
            writer.string(entry.value)
        }
    }

    init(from reader: inout ByteReader) throws(ObjectStoreError) {
        contentType = try reader.optionalString()
        contentEncoding = try reader.optionalString()
        contentDisposition = try reader.optionalString()
        contentLanguage = try reader.optionalString()
        cacheControl = try reader.optionalString()
        expires = try reader.optionalString()
        let count = try reader.int()
        guard count <= reader.buffer.count - reader.offset else { throw ByteReader.corrupt }
        userMetadata = []
        for _ in 0..<count { userMetadata.append(MetadataEntry(name: try reader.string(), value: try reader.string())) }
    }
}

/// One user metadata pair (`x-amz-meta-<name>: <value>`).
public struct MetadataEntry: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
