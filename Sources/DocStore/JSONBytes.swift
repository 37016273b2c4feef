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

    /// A word containing every byte of a buffer of `n < 8` bytes (some repeated), padded with
    /// spaces, so one `needsAttention` test covers a short string. Reads only `[p, p + n)`.
    @inlinable @inline(__always)
    static func shortWord(_ p: UnsafePointer<UInt8>, count n: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        if n >= 4 {
            let lo = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let hi = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)))
            return lo | hi &<< 32
        }
        if n == 0 { return 0x2020_2020_2020_2020 }
        return 0x2020_2020_2000_0000 | UInt64(p[0]) | UInt64(p[n &>> 1]) &<< 8 | UInt64(p[n &- 1]) &<< 16
    }

    /// Byte-wise equality of two buffers, compared a word at a time. O(n).
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = a.count
        guard n == b.count else { return false }
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        let ra = UnsafeRawPointer(pa), rb = UnsafeRawPointer(pb)
        var k = 0
        while k &+ 8 <= n {
            if ra.loadUnaligned(fromByteOffset: k, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k &+= 8
        }
        while k < n {
            if pa[k] != pb[k] { return false }
            k &+= 1
        }
        return true
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
