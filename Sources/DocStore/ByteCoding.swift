/// The compact binary encoding of DocStore's records: LEB128 varints and length-prefixed
/// byte strings. Decoding never trusts the input: a malformed record is a typed error.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func varint(_ value: Int) { varint(UInt64(value)) }

    mutating func data(_ value: some Collection<UInt8>) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { data(value.utf8) }
}

struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset >= buffer.count }

    mutating func byte() throws(DocStoreError) -> UInt8 {
        guard offset < buffer.count else { throw Self.corrupt }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws(DocStoreError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw Self.corrupt }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func int() throws(DocStoreError) -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max) else { throw Self.corrupt }
        return Int(value)
    }

    /// A length-prefixed byte string, pointing into the buffer.
    mutating func data() throws(DocStoreError) -> UnsafeRawBufferPointer {
        let count = try int()
        guard count <= buffer.count - offset else { throw Self.corrupt }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    mutating func string() throws(DocStoreError) -> String {
        String(decoding: try data(), as: UTF8.self)
    }

    static let corrupt = DocStoreError(.storage, "corrupt record")
}

/// Big-endian 8-byte keys, so that LMDB's byte order is numeric order.
enum SequenceKey {
    static func encode(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
