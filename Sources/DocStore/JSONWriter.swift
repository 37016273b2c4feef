/// A growable output buffer over manually managed memory, used by the serializer.
///
/// Appending to `[UInt8]` pays a uniqueness check and a capacity check per call, and bulk appends
/// go through a generic path; here each append is a bounds check plus a store or a short copy.
/// The finished bytes are copied into the caller's array once. Noncopyable so the memory is
/// released exactly once.
@usableFromInline
struct JSONWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    @inlinable
    init(capacity: Int) {
        let capacity = max(capacity, 64)
        base = .allocate(capacity: capacity)
        count = 0
        self.capacity = capacity
    }

    deinit {
        base.deallocate()
    }

    /// Ensures room for `n` more bytes. Amortized O(1).
    @inlinable @inline(__always)
    mutating func reserve(_ n: Int) {
        if capacity &- count < n { grow(n) }
    }

    @usableFromInline @inline(never)
    mutating func grow(_ n: Int) {
        let newCapacity = max(capacity &* 2, count &+ n)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends one byte.
    @inlinable @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    /// Appends one byte; the caller has already reserved room.
    @inlinable @inline(__always)
    mutating func appendReserved(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }

    /// Appends `n` bytes from `source`. Short runs (the common case: keys, numbers) are copied
    /// with two overlapping word moves instead of a `memcpy` call. O(n).
    @inlinable @inline(__always)
    mutating func append(_ source: UnsafePointer<UInt8>, count n: Int) {
        reserve(n)
        appendReserved(source, count: n)
    }

    /// Like `append(_:count:)`, but the caller has already reserved room.
    @inlinable @inline(__always)
    mutating func appendReserved(_ source: UnsafePointer<UInt8>, count n: Int) {
        let dst = UnsafeMutableRawPointer(base + count)
        let src = UnsafeRawPointer(source)
        if n >= 8 && n <= 16 {
            let a = src.loadUnaligned(as: UInt64.self)
            let b = src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            dst.storeBytes(of: a, as: UInt64.self)
            dst.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
        } else if n < 8 {
            if n >= 4 {
                let a = src.loadUnaligned(as: UInt32.self)
                let b = src.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                dst.storeBytes(of: a, as: UInt32.self)
                dst.storeBytes(of: b, toByteOffset: n &- 4, as: UInt32.self)
            } else {
                for k in 0..<n { (base + count + k).pointee = source[k] }
            }
        } else {
            dst.copyMemory(from: src, byteCount: n)
        }
        count &+= n
    }

    /// Appends the UTF-8 bytes of a static string (a literal such as `true`).
    @inlinable @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Appends the UTF-8 bytes of `s` without escaping. O(n).
    @inlinable @inline(__always)
    mutating func appendRaw(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { append($0.baseAddress!, count: $0.count) }
        if done == nil {
            var s = s
            s.withUTF8 { append($0.baseAddress!, count: $0.count) }
        }
    }

    /// Appends `s` as a quoted, escaped JSON string literal (see `serializedStringLiteral`). O(n).
    @inlinable
    mutating func appendQuoted(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendQuoted(utf8: $0) }
        if done == nil {
            var s = s
            s.withUTF8 { appendQuoted(utf8: $0) }
        }
    }

    /// Appends a member's key, quoted and escaped, reading the key in place. O(n).
    @inlinable
    mutating func appendQuoted(_ member: UnsafePointer<JSONObject.Member>) {
        let done: Void? = member.pointee.key.utf8.withContiguousStorageIfAvailable { appendQuoted(utf8: $0) }
        if done == nil { appendQuoted(member.pointee.key) }
    }

    /// Appends quoted, escaped UTF-8. Clean runs are found 8 bytes at a time and copied in bulk;
    /// room for the whole clean string is reserved up front, escapes reserve their own. O(n).
    @usableFromInline
    mutating func appendQuoted(utf8 u: UnsafeBufferPointer<UInt8>) {
        let n = u.count
        reserve(n &+ 2)
        appendReserved(0x22)
        guard let p = u.baseAddress else {
            appendReserved(0x22)
            return
        }
        if n < 8 && JSONBytes.needsAttention(JSONBytes.shortWord(p, count: n)) == 0 {
            // Short and clean (typical of keys): one copy, no byte loop.
            appendReserved(p, count: n)
            appendReserved(0x22)
            return
        }
        var runStart = 0
        var i = 0
        while i < n {
            if i &+ 8 <= n {
                let m = JSONBytes.needsAttention(UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)))
                if m == 0 {
                    i &+= 8
                    continue
                }
                i &+= m.trailingZeroBitCount &>> 3  // the lowest flagged byte is exact
            } else if n >= 8 {
                // Tail: check the last 8 bytes (overlapping clean ones) in one go, ignoring those
                // before `i`. A flag there may be a false positive, so the byte is re-checked below.
                let w = UInt64(littleEndian: UnsafeRawPointer(p + (n &- 8)).loadUnaligned(as: UInt64.self))
                let m = JSONBytes.needsAttention(w) &>> UInt64((i &- (n &- 8)) &* 8)
                if m == 0 { break }
                i &+= m.trailingZeroBitCount &>> 3
            }
            let b = p[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C {
                i &+= 1
                continue
            }
            appendReserved(p + runStart, count: i &- runStart)
            // The escape needs up to 6 bytes; the rest of the string and the quote are still reserved.
            reserve(6 &+ (n &- i) &+ 1)
            appendEscape(b)
            i &+= 1
            runStart = i
        }
        appendReserved(p + runStart, count: n &- runStart)
        appendReserved(0x22)
    }

    /// Appends the escape sequence for one byte that must be escaped (room already reserved).
    @usableFromInline
    mutating func appendEscape(_ b: UInt8) {
        appendReserved(0x5C)
        switch b {
        case 0x22, 0x5C: appendReserved(b)
        case 0x0A: appendReserved(0x6E)  // n
        case 0x0D: appendReserved(0x72)  // r
        case 0x09: appendReserved(0x74)  // t
        case 0x08: appendReserved(0x62)  // b
        case 0x0C: appendReserved(0x66)  // f
        default:
            let hex: StaticString = "0123456789abcdef"
            let h = hex.utf8Start
            appendReserved(0x75)  // u
            appendReserved(0x30)
            appendReserved(0x30)
            appendReserved(h[Int(b >> 4)])
            appendReserved(h[Int(b & 0xF)])
        }
    }
}
