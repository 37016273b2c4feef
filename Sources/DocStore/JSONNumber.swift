/// A JSON number that keeps its literal text, so documents round-trip losslessly.
///
/// CouchDB stores numbers as written by the client: 64-bit integers beyond 2^53 and long decimals
/// such as `3.141592653589793238462643383279` or `1e400` must come back byte-for-byte. Parsing therefore
/// never converts to `Double`; conversions happen lazily through `int64Value` / `doubleValue`.
///
/// Equality is numeric: two integer literals that fit in `Int64` compare as integers, anything else
/// compares by `doubleValue` (so `1 == 1.0` and `1e2 == 100`). The hash is derived from `doubleValue`,
/// which is consistent with both rules.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The canonical JSON number literal, exactly as parsed or produced by an initializer.
    /// Read-only so it can never hold text that is not a valid JSON number.
    public private(set) var text: String

    /// Wraps text already known to satisfy the JSON number grammar (the parser validated it).
    init(uncheckedText text: String) {
        self.text = text
    }

    /// Creates an integer number.
    public init(_ value: Int64) {
        text = String(value)
    }

    /// Creates an integer number.
    public init(_ value: Int) {
        text = String(value)
    }

    /// Creates an integer number (values above `Int64.max` keep their exact text).
    public init(_ value: UInt64) {
        text = String(value)
    }

    /// Creates a number from a double using Swift's shortest round-trip text (`3.0` prints as `"3.0"`).
    /// Returns nil for NaN and infinities, which JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = value.description
    }

    /// Creates a number from literal text, returning nil unless it matches the JSON number grammar
    /// exactly (no leading zeros, no `+`, no `.5`, no `1.`, no NaN/Infinity). O(n) in the text length.
    public init?(literal: String) {
        var copy = literal
        let ok = copy.withUTF8 { JSONNumber.scanLiteral($0) == $0.count && !$0.isEmpty }
        guard ok else { return nil }
        text = literal
    }

    /// Scans a JSON number at the start of `bytes`. Returns its length, or `-(k + 1)` when the
    /// grammar is violated at offset `k` (a dangling `-`, `.` or exponent, or a leading zero). O(n).
    @inlinable @inline(__always)
    static func scanLiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        let n = bytes.count
        if i < n && bytes[i] == 0x2D { i &+= 1 }
        guard i < n else { return -(i + 1) }
        let first = bytes[i]
        if first == 0x30 {
            i &+= 1
            if i < n && bytes[i] &- 0x30 < 10 { return -(i + 1) }
        } else if first &- 0x31 < 9 {
            i &+= 1
            while i < n && bytes[i] &- 0x30 < 10 { i &+= 1 }
        } else {
            return -(i + 1)
        }
        if i < n && bytes[i] == 0x2E {
            i &+= 1
            guard i < n && bytes[i] &- 0x30 < 10 else { return -(i + 1) }
            while i < n && bytes[i] &- 0x30 < 10 { i &+= 1 }
        }
        if i < n && bytes[i] | 0x20 == 0x65 {
            i &+= 1
            if i < n && (bytes[i] == 0x2B || bytes[i] == 0x2D) { i &+= 1 }
            guard i < n && bytes[i] &- 0x30 < 10 else { return -(i + 1) }
            while i < n && bytes[i] &- 0x30 < 10 { i &+= 1 }
        }
        return i
    }

    /// True when the literal has neither a fraction nor an exponent. O(n) in the text length.
    public var isInteger: Bool {
        for b in text.utf8 where b == 0x2E || b | 0x20 == 0x65 { return false }
        return true
    }

    /// The exact value when the literal is an integer literal that fits in `Int64` (`"-0"` gives 0);
    /// nil for fractions, exponents (even `1e2`) and out-of-range integers. O(n) in the text length.
    public var int64Value: Int64? {
        var negative = false
        var value: Int64 = 0
        var first = true
        for b in text.utf8 {
            if first {
                first = false
                if b == 0x2D { negative = true; continue }
            }
            let d = b &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so Int64.min is representable.
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = s
        }
        if first { return nil }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The nearest `Double` (overflowing literals such as `1e400` give ±infinity). O(n).
    public var doubleValue: Double {
        if let i = int64Value { return Double(i) }
        return Double(text) ?? .nan
    }

    /// The literal text.
    public var description: String { text }

    /// Numeric equality; see the type documentation. O(n) in the text lengths.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        if let a = lhs.int64Value, let b = rhs.int64Value { return a == b }
        return lhs.doubleValue == rhs.doubleValue
    }

    /// Hashes `doubleValue`, which equal numbers always share. O(n) in the text length.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(doubleValue)
    }
}
