/// An object as the `objects` table stores it: the full key, what HEAD returns, and the
/// chunk list. The chunk list comes last so that listings decode a record's summary
/// without reading it (`Summary`).
///
/// Size: about 26 bytes per chunk, so ~6.5 KB per GiB with 4 MiB chunks; a 5 TiB object
/// has a ~33 MB record. One record per object keeps replacing an object a single `put`
/// in one commit, which is what makes PUT and CompleteMultipartUpload atomic.
struct ObjectRecord: Sendable {
    static let version: UInt8 = 1

    /// The key's UTF-8 bytes (stored in full because the table key may be shortened,
    /// see `ObjectIndex`).
    var key: [UInt8]
    var size: Int
    /// Without quotes.
    var etag: String
    var lastModified: Int64
    var metadata: ObjectMetadata
    var checksums: Checksums
    /// Sizes of the parts of a multipart object, empty otherwise.
    var partSizes: [Int] = []
    var chunks: [ChunkReference]

    var info: ObjectInfo {
        ObjectInfo(
            key: String(decoding: key, as: UTF8.self), size: size, etag: etag.quoted,
            lastModified: Milliseconds.date(lastModified), metadata: metadata, checksums: checksums,
            partCount: partSizes.isEmpty ? nil : partSizes.count)
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 128 + key.count + chunks.count * 26)
        writer.byte(Self.version)
        writer.data(key)
        writer.varint(size)
        writer.string(etag)
        writer.signed(lastModified)
        metadata.encode(into: &writer)
        checksums.encode(into: &writer)
        writer.varint(partSizes.count)
        for size in partSizes { writer.varint(size) }
        chunks.encode(into: &writer)
        return writer.bytes
    }

    /// The fields a listing needs, decoded without the rest of the record.
    struct Summary {
        let key: [UInt8]
        let size: Int
        let etag: String
        let lastModified: Int64

        init(from reader: inout ByteReader) throws(ObjectStoreError) {
            guard try reader.byte() == ObjectRecord.version else { throw ObjectStoreError.corrupt("object record version") }
            key = try reader.bytes()
            size = try reader.int()
            etag = try reader.string()
            lastModified = try reader.signed()
        }

        init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
            var reader = ByteReader(buffer)
            try self.init(from: &reader)
        }

        var listing: ObjectSummary {
            ObjectSummary(
                key: String(decoding: key, as: UTF8.self), size: size, etag: etag.quoted,
                lastModified: Milliseconds.date(lastModified))
        }
    }

    /// Just the key of a stored record.
    static func key(of buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) -> [UInt8] {
        var reader = ByteReader(buffer)
        guard try reader.byte() == version else { throw ObjectStoreError.corrupt("object record version") }
        return try reader.bytes()
    }
}

extension ObjectRecord {
    /// Decodes a stored record; without `chunks` the chunk list is left empty (HEAD
    /// needs everything but it, and it is most of a large object's record).
    init(decoding buffer: UnsafeRawBufferPointer, chunks decodeChunks: Bool = true) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        let summary = try Summary(from: &reader)
        key = summary.key
        size = summary.size
        etag = summary.etag
        lastModified = summary.lastModified
        metadata = try ObjectMetadata(from: &reader)
        checksums = try Checksums(from: &reader)
        let partCount = try reader.int()
        guard partCount <= buffer.count - reader.offset else { throw ByteReader.corrupt }
        partSizes = []
        for _ in 0..<partCount { partSizes.append(try reader.int()) }
        chunks = decodeChunks ? try [ChunkReference](from: &reader) : []
    }
}
