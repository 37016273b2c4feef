/// The name of one chunk file: 128 random bits, written as 32 lowercase hex digits.
/// Random names never collide in practice, so a name is never reused: once a chunk's
/// last reference is gone its name is dead forever (the deletion logic relies on it).
struct ChunkID: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    static func random() -> ChunkID {
        var generator = SystemRandomNumberGenerator()
        return ChunkID(high: generator.next(), low: generator.next())
    }

    /// The 16 bytes of the id, big-endian: the key of its entry in the `chunks` table.
    var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.fixed64(high)
        writer.fixed64(low)
        return writer.bytes
    }

    init(bytes: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        guard bytes.count == 16 else { throw ObjectStoreError.corrupt("chunk id") }
        var reader = ByteReader(bytes)
        high = try reader.fixed64()
        low = try reader.fixed64()
    }

    /// The file name: 32 hex digits.
    var description: String { Hex.encode(bytes) }

    /// Parses a file name; `nil` for anything that is not 32 lowercase hex digits.
    init?(fileName: String) {
        guard fileName.utf8.count == 32, let bytes = Hex.decode(fileName),
            let id = bytes.withUnsafeBytes({ try? ChunkID(bytes: $0) })
        else { return nil }
        guard id.description == fileName else { return nil }  // only the canonical spelling
        self = id
    }
}

/// One chunk of an object or part, as its chunk list records it: which file, how many
/// bytes of the object it holds, and how they are stored.
struct ChunkReference: Hashable, Sendable {
    let id: ChunkID
    /// Bytes of object data in the chunk (after decompression).
    let size: Int
    /// Bytes of the file: `size` when raw, the frame's size when compressed.
    let storedSize: Int
    /// Whether the file is one zstd frame (otherwise it holds the bytes as they are).
    let compressed: Bool

    func encode(into writer: inout ByteWriter) {
        writer.fixed64(id.high)
        writer.fixed64(id.low)
        writer.varint(size)
        writer.varint(storedSize << 1 | (compressed ? 1 : 0))
    }
}

extension ChunkReference {
    init(from reader: inout ByteReader) throws(ObjectStoreError) {
        id = ChunkID(high: try reader.fixed64(), low: try reader.fixed64())
        size = try reader.int()
        let stored = try reader.int()
        storedSize = stored >> 1
        compressed = stored & 1 == 1
    }
}

extension [ChunkReference] {
    func encode(into writer: inout ByteWriter) {
        writer.varint(count)
        for chunk in self { chunk.encode(into: &writer) }
    }

    init(from reader: inout ByteReader) throws(ObjectStoreError) {
        let count = try reader.int()
        // Each entry takes at least 18 bytes: refuse counts the record cannot hold.
        guard count <= (reader.buffer.count - reader.offset) / 18 else { throw ByteReader.corrupt }
        var chunks: [ChunkReference] = []
        chunks.reserveCapacity(count)
        for _ in 0..<count { chunks.append(try ChunkReference(from: &reader)) }
        self = chunks
    }
}

/// Lowercase hexadecimal, as ETags and chunk file names are written.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes hex digits (either case); `nil` for an odd count or another character.
    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
