/// The compact binary encoding of the store's metadata records: LEB128 varints and
/// length-prefixed byte strings. Decoding never trusts the input: a malformed record
/// is an `InternalError`, never a crash.
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

    /// A signed value (times before 1970 are legal dates), zig-zag encoded.
    mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func data(_ value: some Collection<UInt8>) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { data(value.utf8) }

    /// An optional string: a presence byte, then the string.
    mutating func optionalString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }
}

struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset >= buffer.count }

    mutating func byte() throws(ObjectStoreError) -> UInt8 {
        guard offset < buffer.count else { throw Self.corrupt }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws(ObjectStoreError) -> UInt64 {
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

    mutating func int() throws(ObjectStoreError) -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max) else { throw Self.corrupt }
        return Int(value)
    }

    mutating func signed() throws(ObjectStoreError) -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    mutating func fixed64() throws(ObjectStoreError) -> UInt64 {
        guard buffer.count - offset >= 8 else { throw Self.corrupt }
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(buffer[offset]); offset += 1 }
        return value
    }

    /// A length-prefixed byte string, pointing into the buffer.
    mutating func data() throws(ObjectStoreError) -> UnsafeRawBufferPointer {
        let count = try int()
        guard count <= buffer.count - offset else { throw Self.corrupt }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    mutating func bytes() throws(ObjectStoreError) -> [UInt8] { Array(try data()) }

    mutating func string() throws(ObjectStoreError) -> String {
        String(decoding: try data(), as: UTF8.self)
    }

    mutating func optionalString() throws(ObjectStoreError) -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw Self.corrupt
        }
    }

    static let corrupt = ObjectStoreError.corrupt("malformed record")
}
