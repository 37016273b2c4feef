/// A multipart upload's id: 16 bytes, written as 32 hex digits. The first 8 bytes are
/// the creation time in milliseconds (big-endian) so that ids of one key sort in the
/// order the uploads began, as ListMultipartUploads lists them; the rest is random.
public struct UploadID: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    static func make(at milliseconds: Int64) -> UploadID {
        var generator = SystemRandomNumberGenerator()
        var writer = ByteWriter(capacity: 16)
        writer.fixed64(UInt64(bitPattern: milliseconds))
        writer.fixed64(generator.next())
        return UploadID(bytes: writer.bytes)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    init(bytes: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        guard bytes.count == 16 else { throw ObjectStoreError.corrupt("upload id") }
        self.bytes = Array(bytes)
    }

    /// Parses the string form; `nil` for anything else (which no upload can have).
    public init?(_ text: String) {
        guard text.utf8.count == 32, let bytes = Hex.decode(text), Hex.encode(bytes) == text else { return nil }
        self.bytes = bytes
    }

    /// 32 lowercase hex digits: the `UploadId` of S3's API.
    public var description: String { Hex.encode(bytes) }
}

extension UploadID {
    /// Parses an `uploadId` from a request.
    /// - Throws: `NoSuchUpload` for text that no upload id can be (as S3 answers).
    public static func parse(_ text: String) throws(ObjectStoreError) -> UploadID {
        guard let id = UploadID(text) else { throw ObjectStoreError.noSuchUpload }
        return id
    }
}
