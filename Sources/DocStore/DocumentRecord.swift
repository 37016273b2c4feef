import Zstd
/// What the `docs` table holds for one document id: the revision tree, the document's
/// place in the by-sequence index, and the bodies of its leaf revisions.
///
/// Only leaves keep bodies: when a revision gets a child its body is dropped at once,
/// which is what CouchDB's compaction does later. LMDB reuses freed pages, so Divan
/// needs no compaction. A record is rewritten whole on every update of its document.
struct DocumentRecord {
    /// 2 added attachment encodings; version 1 records are still read.
    static let formatVersion: UInt8 = 2

    var sequence: UInt64
    var tree: RevisionTree
    /// Stored bodies of the leaves, keyed by revision.
    var leaves: [Revision: LeafBody]

    init(sequence: UInt64 = 0, tree: RevisionTree = RevisionTree(), leaves: [Revision: LeafBody] = [:]) {
        self.sequence = sequence
        self.tree = tree
        self.leaves = leaves
    }

    /// Whether the winning revision is a deletion (also readable from the first byte
    /// of an encoded record without decoding it, see `isDeleted(encoded:)`).
    var isDeleted: Bool { tree.winner?.deleted ?? true }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.byte(isDeleted ? 1 : 0)
        writer.byte(Self.formatVersion)
        writer.varint(sequence)
        writer.data(tree.encoded())
        writer.varint(leaves.count)
        for (revision, leaf) in leaves.sorted(by: { $0.key < $1.key }) {
            writer.string(revision.description)
            leaf.encode(into: &writer)
        }
        return writer.bytes
    }

    init(decoding buffer: UnsafeRawBufferPointer) throws(DocStoreError) {
        var reader = ByteReader(buffer)
        _ = try reader.byte()
        let version = try reader.byte()
        guard version >= 1, version <= Self.formatVersion else { throw ByteReader.corrupt }
        sequence = try reader.varint()
        do {
            tree = try RevisionTree(decoding: try reader.data())
        } catch let error as RevisionTreeError {
            throw DocStoreError(.storage, "corrupt revision tree: \(error.message)")
        } catch {
            throw ByteReader.corrupt
        }
        let count = try reader.int()
        leaves = Dictionary(minimumCapacity: count)
        for _ in 0..<count {
            guard let revision = Revision(try reader.string()) else { throw ByteReader.corrupt }
            leaves[revision] = try LeafBody(from: &reader, version: version)
        }
    }

    /// Reads the deleted flag of an encoded record without decoding it.
    static func isDeleted(encoded buffer: UnsafeRawBufferPointer) -> Bool {
        buffer.first == 1
    }

    /// Reads the sequence of an encoded record without decoding the rest.
    static func sequence(encoded buffer: UnsafeRawBufferPointer) throws(DocStoreError) -> UInt64 {
        var reader = ByteReader(buffer)
        _ = try reader.byte()
        _ = try reader.byte()
        return try reader.varint()
    }
}

/// The stored form of one leaf revision: its JSON body (user fields only, zstd-compressed
/// when that saves space) and its attachments. The body stays in its stored form until
/// `body()` is called, so records read for their tree alone cost no decompression, and a
/// record rewritten for another leaf's sake is not compressed again.
struct LeafBody {
    /// The body as stored: compressed when `uncompressedSize` is set, raw otherwise.
    private var stored: [UInt8]
    private var uncompressedSize: Int?
    var attachments: [AttachmentInfo]

    /// A body in its stored form, made once per update outside the writer (compression
    /// is the costliest step of a write and runs in parallel there).
    struct Stored: Sendable {
        let bytes: [UInt8]
        let uncompressedSize: Int?

        /// `body` is the serialized JSON object of the document's own fields (no `_id`,
        /// `_rev`, `_attachments` or other `_` members).
        init(body: [UInt8]) {
            if let compressed = body.withUnsafeBytes({ Zstd.compressIfSmaller($0, minimumSaving: 32) }) {
                bytes = compressed
                uncompressedSize = body.count
            } else {
                bytes = body
                uncompressedSize = nil
            }
        }
    }

    init(_ body: Stored, attachments: [AttachmentInfo]) {
        stored = body.bytes
        uncompressedSize = body.uncompressedSize
        self.attachments = attachments
    }

    /// Size of the JSON body in bytes (CouchDB's `sizes.external` counts these).
    var bodySize: Int { uncompressedSize ?? stored.count }

    /// The serialized JSON body. Decompresses when stored compressed: O(size).
    func body() throws(DocStoreError) -> [UInt8] {
        guard let uncompressedSize else { return stored }
        do {
            return try stored.withUnsafeBytes { (source) throws(ZstdError) in
                try Zstd.decompress(source, size: uncompressedSize)
            }
        } catch {
            throw DocStoreError(.storage, "corrupt compressed body")
        }
    }

    func encode(into writer: inout ByteWriter) {
        if let uncompressedSize {
            writer.byte(1)
            writer.varint(uncompressedSize)
        } else {
            writer.byte(0)
        }
        writer.data(stored)
        writer.varint(attachments.count)
        for attachment in attachments { attachment.encode(into: &writer) }
    }

    init(from reader: inout ByteReader, version: UInt8) throws(DocStoreError) {
        switch try reader.byte() {
        case 0: uncompressedSize = nil
        case 1: uncompressedSize = try reader.int()
        default: throw ByteReader.corrupt
        }
        stored = Array(try reader.data())
        let count = try reader.int()
        attachments = []
        attachments.reserveCapacity(min(count, 1024))
        for _ in 0..<count { attachments.append(try AttachmentInfo(from: &reader, version: version)) }
    }
}

/// The value of a `seq` table entry: enough to answer a changes row (id, deleted flag,
/// leaves in winner order) without reading the document record.
struct SequenceEntry {
    var id: String
    var deleted: Bool
    var leaves: [Revision]

    init(id: String, record: DocumentRecord) {
        self.id = id
        deleted = record.isDeleted
        leaves = record.tree.leaves.map(\.revision)
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: id.utf8.count + 48 * leaves.count)
        writer.string(id)
        writer.byte(deleted ? 1 : 0)
        writer.varint(leaves.count)
        for leaf in leaves {
            writer.varint(leaf.position)
            writer.string(leaf.id)
        }
        return writer.bytes
    }

    init(decoding buffer: UnsafeRawBufferPointer) throws(DocStoreError) {
        var reader = ByteReader(buffer)
        id = try reader.string()
        deleted = try reader.byte() == 1
        let count = try reader.int()
        leaves = []
        leaves.reserveCapacity(min(count, 64))
        for _ in 0..<count {
            let position = try reader.int()
            leaves.append(Revision(position: position, id: try reader.string()))
        }
    }
}
