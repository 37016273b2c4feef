/// A bounds-checked cursor over untrusted bytes. Every read fails with
/// `RevisionTreeError` instead of trapping, so decoding garbage cannot crash.
struct TreeReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws(RevisionTreeError) -> UInt8 {
        guard offset < bytes.count else { throw RevisionTreeError(message: "truncated input") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Unsigned LEB128. Rejects encodings longer than 10 bytes, values over 64 bits and
    /// non-minimal forms, so each value has exactly one encoding. O(1).
    mutating func varint() throws(RevisionTreeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 {
                throw RevisionTreeError(message: "varint overflows 64 bits")
            }
            value |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 { throw RevisionTreeError(message: "non-minimal varint") }
                return value
            }
            shift += 7
            if shift > 63 { throw RevisionTreeError(message: "varint too long") }
        }
    }

    /// A varint that must be a count no larger than `limit`. O(1).
    mutating func count(atMost limit: Int) throws(RevisionTreeError) -> Int {
        let value = try varint()
        guard value <= UInt64(max(limit, 0)) else {
            throw RevisionTreeError(message: "count \(value) exceeds \(limit)")
        }
        return Int(value)
    }

    /// A zigzag-encoded signed integer. O(1).
    mutating func signed() throws(RevisionTreeError) -> Int {
        let raw = try varint()
        let decoded = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        guard let value = Int(exactly: decoded) else {
            throw RevisionTreeError(message: "integer out of range")
        }
        return value
    }

    /// `length` bytes that must be valid UTF-8. O(length).
    mutating func string(length: Int) throws(RevisionTreeError) -> String {
        guard length <= remaining else { throw RevisionTreeError(message: "truncated input") }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw RevisionTreeError(message: "revision id is not valid UTF-8")
        }
        offset += length
        return text
    }
}
