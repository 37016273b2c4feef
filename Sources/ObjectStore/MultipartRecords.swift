/// A multipart upload in progress, in the `uploads` table.
struct UploadRecord: Sendable {
    var key: [UInt8]
    var initiated: Int64
    var metadata: ObjectMetadata
    /// The checksum algorithm named at creation: every part computes it, and the
    /// object gets the composite checksum.
    var checksumAlgorithm: ChecksumAlgorithm?

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + key.count)
        writer.data(key)
        writer.signed(initiated)
        metadata.encode(into: &writer)
        writer.optionalString(checksumAlgorithm?.rawValue)
        return writer.bytes
    }
}

extension UploadRecord {
    init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        key = try reader.bytes()
        initiated = try reader.signed()
        metadata = try ObjectMetadata(from: &reader)
        checksumAlgorithm = try reader.optionalString().flatMap(ChecksumAlgorithm.init(rawValue:))
    }
}

/// One uploaded part, in the `parts` table.
struct PartRecord: Sendable {
    var size: Int
    /// The part's MD5 (its ETag is the hex of it).
    var md5: [UInt8]
    var lastModified: Int64
    var checksums: Checksums
    var chunks: [ChunkReference]

    var etag: String { Hex.encode(md5) }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + chunks.count * 26)
        writer.varint(size)
        writer.data(md5)
        writer.signed(lastModified)
        checksums.encode(into: &writer)
        chunks.encode(into: &writer)
        return writer.bytes
    }
}

extension PartRecord {
    init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        size = try reader.int()
        md5 = try reader.bytes()
        lastModified = try reader.signed()
        checksums = try Checksums(from: &reader)
        chunks = try [ChunkReference](from: &reader)
    }
}

/// The outcome of a completed upload, kept for `completedUploadRetention` so that a
/// repeated CompleteMultipartUpload (a client retrying after a lost response) succeeds
/// with the same answer, as on AWS.
struct CompletedUploadRecord: Sendable {
    var bucket: String
    var key: [UInt8]
    var etag: String
    var size: Int
    var checksums: Checksums
    var completed: Int64

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + key.count)
        writer.string(bucket)
        writer.data(key)
        writer.string(etag)
        writer.varint(size)
        checksums.encode(into: &writer)
        writer.signed(completed)
        return writer.bytes
    }
}

extension CompletedUploadRecord {
    init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        bucket = try reader.string()
        key = try reader.bytes()
        etag = try reader.string()
        size = try reader.int()
        checksums = try Checksums(from: &reader)
        completed = try reader.signed()
    }
}
