/// The compact binary encoding of records stored in LMDB: LEB128 varints, zig-zag
/// signed values, fixed 8-byte big-endian numbers and length-prefixed byte strings.
public struct RecordWriter: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func varint(_ value: Int) { varint(UInt64(value)) }

    /// A signed value, zig-zag encoded so that small negative numbers stay short.
    public mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    public mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func data(_ value: some Collection<UInt8>) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ value: String) { data(value.utf8) }

    /// An optional string: a presence byte, then the string.
    public mutating func optionalString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }
}

/// Reads what `RecordWriter` wrote. It never trusts its input: anything malformed
/// throws `corrupt` (each store supplies its own error), never traps.
/// The buffer must stay valid while the reader is used (e.g. inside a transaction).
public struct RecordReader<Failure: Error> {
    public let buffer: UnsafeRawBufferPointer
    public var offset = 0
    /// What a malformed record throws.
    public let corrupt: Failure

    public init(_ buffer: UnsafeRawBufferPointer, corrupt: Failure) {
        self.buffer = buffer
        self.corrupt = corrupt
    }

    public var isAtEnd: Bool { offset >= buffer.count }

    public mutating func byte() throws(Failure) -> UInt8 {
        guard offset < buffer.count else { throw corrupt }
        defer { offset += 1 }
        return buffer[offset]
    }

    public mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw corrupt }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    public mutating func int() throws(Failure) -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max) else { throw corrupt }
        return Int(value)
    }

    public mutating func signed() throws(Failure) -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    public mutating func fixed64() throws(Failure) -> UInt64 {
        guard buffer.count - offset >= 8 else { throw corrupt }
        var value: UInt64 = 0
        for _ in 0..<8 {
            value = value << 8 | UInt64(buffer[offset])
            offset += 1
        }
        return value
    }

    /// A length-prefixed byte string, pointing into the buffer.
    public mutating func data() throws(Failure) -> UnsafeRawBufferPointer {
        let count = try int()
        guard count <= buffer.count - offset else { throw corrupt }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    public mutating func bytes() throws(Failure) -> [UInt8] { Array(try data()) }

    public mutating func string() throws(Failure) -> String {
        String(decoding: try data(), as: UTF8.self)
    }

    public mutating func optionalString() throws(Failure) -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw corrupt
        }
    }
}
