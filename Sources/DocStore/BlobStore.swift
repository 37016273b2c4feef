import LMDB
import Zstd

/// Attachment bytes inside a database's `attachments` table.
///
/// A blob is a header (reference count, length) under its 8-byte id and chunks under
/// id + 4-byte index, each zstd-compressed when that saves space. Chunks bound memory:
/// bytes are written and read a chunk at a time, and a range read touches only the
/// chunks it needs. The reference count is the number of stored leaf revisions naming
/// the blob; a blob at zero is removed (at commit for staged uploads that no update
/// took, at open for uploads cut off by a crash).
struct BlobStore {
    let tables: Tables

    struct Header {
        var references: UInt64
        var length: Int
        var chunkSize: Int

        func encoded() -> [UInt8] {
            var writer = ByteWriter(capacity: 16)
            writer.varint(references)
            writer.varint(length)
            writer.varint(chunkSize)
            return writer.bytes
        }

        static func decoded(_ buffer: UnsafeRawBufferPointer) throws(DocStoreError) -> Header {
            var reader = ByteReader(buffer)
            let header = Header(references: try reader.varint(), length: try reader.int(), chunkSize: try reader.int())
            guard header.chunkSize > 0 else { throw ByteReader.corrupt }
            return header
        }
    }

    static func headerKey(_ blob: UInt64) -> [UInt8] { SequenceKey.encode(blob) }

    static func chunkKey(_ blob: UInt64, _ index: Int) -> [UInt8] {
        var key = SequenceKey.encode(blob)
        withUnsafeBytes(of: UInt32(index).bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    func header(_ txn: Transaction, _ blob: UInt64) throws -> Header? {
        try txn.withValue(tables.attachments, key: Self.headerKey(blob)) { value in
            try value.map { buffer throws(DocStoreError) in try Header.decoded(buffer) }
        }
    }

    /// Starts a blob with no references and no chunks.
    func create(_ txn: Transaction, _ blob: UInt64, chunkSize: Int) throws {
        try txn.put(tables.attachments, key: Self.headerKey(blob), value: Header(references: 0, length: 0, chunkSize: chunkSize).encoded())
    }

    /// Appends chunk `index` (all but the last must be exactly `chunkSize` bytes).
    func appendChunk(_ txn: Transaction, _ blob: UInt64, index: Int, bytes: UnsafeRawBufferPointer) throws {
        guard var header = try header(txn, blob) else { throw DocStoreError(.storage, "blob \(blob) is missing") }
        var stored: [UInt8]
        if let compressed = Zstd.compressIfSmaller(bytes, minimumSaving: 64) {
            stored = [1]
            stored.append(contentsOf: compressed)
        } else {
            stored = [0]
            stored.append(contentsOf: bytes)
        }
        try txn.put(tables.attachments, key: Self.chunkKey(blob, index), value: stored)
        header.length += bytes.count
        try txn.put(tables.attachments, key: Self.headerKey(blob), value: header.encoded())
    }

    /// Writes a whole small blob (inline attachments) in one go.
    func store(_ txn: Transaction, _ blob: UInt64, bytes: [UInt8], chunkSize: Int) throws {
        try create(txn, blob, chunkSize: chunkSize)
        try bytes.withUnsafeBytes { all in
            var index = 0
            var offset = 0
            while offset < all.count {
                let end = min(offset + chunkSize, all.count)
                try appendChunk(txn, blob, index: index, bytes: UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                index += 1
                offset = end
            }
        }
    }

    /// Adds `delta` references; a blob that reaches zero is removed.
    func addReferences(_ txn: Transaction, _ blob: UInt64, _ delta: Int) throws {
        guard var header = try header(txn, blob) else { return }
        let count = Int(header.references) + delta
        if count <= 0 {
            try remove(txn, blob)
        } else {
            header.references = UInt64(count)
            try txn.put(tables.attachments, key: Self.headerKey(blob), value: header.encoded())
        }
    }

    func remove(_ txn: Transaction, _ blob: UInt64) throws {
        let prefix = Self.headerKey(blob)
        var keys: [[UInt8]] = []
        try txn.scan(tables.attachments, from: prefix) { entry in
            guard entry.key.count >= 8, entry.key.prefix(8).elementsEqual(prefix) else { return false }
            keys.append(Array(entry.key))
            return true
        }
        for key in keys { try txn.delete(tables.attachments, key: key) }
    }

    /// Removes blobs that no revision references: uploads cut off by a crash.
    func sweepUnreferenced(_ txn: Transaction) throws {
        var orphans: [UInt64] = []
        try txn.scan(tables.attachments) { entry in
            if entry.key.count == 8, let header = try? Header.decoded(entry.value), header.references == 0 {
                orphans.append(SequenceKey.decode(entry.key))
            }
            return true
        }
        for blob in orphans { try remove(txn, blob) }
    }

    /// Calls `body` with the bytes of `range` of the blob, chunk by chunk, each
    /// decompressed alone. - Throws: `DocStoreError` for a missing or corrupt blob.
    func read(
        _ txn: Transaction, _ blob: UInt64, range: Range<Int>? = nil,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let header = try header(txn, blob) else { throw DocStoreError(.storage, "attachment bytes are missing") }
        let wanted = range ?? 0..<header.length
        guard !wanted.isEmpty else { return }
        var index = wanted.lowerBound / header.chunkSize
        while index * header.chunkSize < wanted.upperBound {
            let chunkStart = index * header.chunkSize
            try txn.withValue(tables.attachments, key: Self.chunkKey(blob, index)) { value in
                guard let value, let flag = value.first else { throw DocStoreError(.storage, "attachment chunk is missing") }
                let payload = UnsafeRawBufferPointer(rebasing: value[1...])
                let decoded: [UInt8]?
                switch flag {
                case 0: decoded = nil
                case 1:
                    let size = min(header.chunkSize, header.length - chunkStart)
                    decoded = try Zstd.decompress(payload, size: size)
                default: throw ByteReader.corrupt
                }
                func emit(_ chunk: UnsafeRawBufferPointer) throws {
                    let lower = max(wanted.lowerBound - chunkStart, 0)
                    let upper = min(wanted.upperBound - chunkStart, chunk.count)
                    if lower < upper { try body(UnsafeRawBufferPointer(rebasing: chunk[lower..<upper])) }
                }
                if let decoded { try decoded.withUnsafeBytes(emit) } else { try emit(payload) }
            }
            index += 1
        }
    }
}
