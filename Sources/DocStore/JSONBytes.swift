/// Byte-level helpers shared by the parser and serializer (SWAR scanning, UTF-8 checks).
///
/// Kept internal: these are implementation details, grouped so the hot loops stay short.
@usableFromInline
enum JSONBytes {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero iff some byte of `w` is zero (exact existence test).
    @inlinable @inline(__always)
    static func hasZero(_ w: UInt64) -> UInt64 {
        (w &- ones) & ~w & highs
    }

    /// Nonzero iff some byte of `w` equals `byte`.
    @inlinable @inline(__always)
    static func hasByte(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        hasZero(w ^ (ones &* UInt64(byte)))
    }

    /// Nonzero iff some byte of `w` is below `n` (n ≤ 128).
    @inlinable @inline(__always)
    static func hasLess(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & highs
    }

    /// Nonzero iff some byte of `w` is `"`, `\` or a control character, i.e. must be escaped
    /// in a string literal or ends the fast string scan.
    @inlinable @inline(__always)
    static func needsAttention(_ w: UInt64) -> UInt64 {
        hasByte(w, 0x22) | hasByte(w, 0x5C) | hasLess(w, 0x20)
    }

    /// Returns the offset of the first byte in `p[from..<to]` that starts an invalid UTF-8
    /// sequence (bad lead, bad continuation, overlong, surrogate, > U+10FFFF, truncated), or nil if
    /// the range is valid. O(n); only used off the fast path (error reporting).
    static func firstInvalidUTF8(_ p: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        var i = from
        @inline(__always) func byte(_ k: Int) -> UInt8 { p.load(fromByteOffset: k, as: UInt8.self) }
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            k < to && byte(k) >= lo && byte(k) <= hi
        }
        while i < to {
            let b = byte(i)
            if b < 0x80 { i += 1; continue }
            switch b {
            case 0xC2...0xDF:
                guard cont(i + 1) else { return i }
                i += 2
            case 0xE0...0xEF:
                let lo: UInt8 = b == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = b == 0xED ? 0x9F : 0xBF
                guard cont(i + 1, lo, hi), cont(i + 2) else { return i }
                i += 3
            case 0xF0...0xF4:
                let lo: UInt8 = b == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = b == 0xF4 ? 0x8F : 0xBF
                guard cont(i + 1, lo, hi), cont(i + 2), cont(i + 3) else { return i }
                i += 4
            default:
                return i
            }
        }
        return nil
    }

    /// Appends the UTF-8 encoding of scalar value `v` (assumed valid, not a surrogate).
    @inlinable
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
