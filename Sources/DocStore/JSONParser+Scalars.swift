extension JSONParser {
    /// Parses a string whose opening quote was just consumed.
    ///
    /// Fast path: scan 8 bytes at a time for `"`, `\` or control bytes, then make the `String`
    /// from the slice in one go (ASCII needs no extra validation; non-ASCII is validated by the
    /// standard library). Escapes divert to `parseEscapedString`. O(length).
    @inline(__always)
    mutating func parseString(fingerprint: Bool) throws(JSONError) -> String {
        let start = i
        var j = i
        var high: UInt64 = 0
        while true {
            if j &+ 8 <= end {
                let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                let m = JSONBytes.needsAttention(w)
                if m == 0 {
                    high |= w
                    j &+= 8
                    continue
                }
                // The lowest flagged byte is exact: jump straight to it.
                let skip = m.trailingZeroBitCount &>> 3
                high |= w & ((1 &<< UInt64(skip &* 8)) &- 1)
                j &+= skip
            } else if j >= end {
                throw JSONError(message: "unterminated string", offset: start &- 1)
            }
            let b = byte(j)
            if b == 0x22 { break }
            if b == 0x5C { return try parseEscapedString(start: start, escapeAt: j, fingerprint: fingerprint) }
            if b < 0x20 { throw JSONError(message: "unescaped control character in string", offset: j) }
            high |= UInt64(b)
            j &+= 1
        }
        i = j &+ 1
        let n = j &- start
        let bytes = UnsafeBufferPointer(start: (p + start).assumingMemoryBound(to: UInt8.self), count: n)
        if fingerprint {
            if n <= JSONStringCache.maxLength {
                // Short key: identify it by its exact bytes and reuse a cached String if we can.
                // (Values are not cached: measured, their hit rate is too low to pay off.)
                let (w0, w1) = start &+ 8 <= end
                    ? JSONStringCache.wordsOverreading(p + start, count: n)
                    : JSONStringCache.words(p + start, count: n)
                keyFingerprint = JSONParser.fingerprint(n, w0, w1)
                if let cached = keyCache.lookup(w0, w1, n) { return cached }
                let s = try makeString(bytes, ascii: high & JSONBytes.highs == 0, start: start)
                keyCache.store(s, w0, w1, n)
                return s
            }
            keyFingerprint = JSONParser.fingerprint(bytes)
        }
        return try makeString(bytes, ascii: high & JSONBytes.highs == 0, start: start)
    }

    /// Creates the String for a scanned string body. ASCII needs no validation beyond the standard
    /// library's own fast check. Otherwise `String(decoding:)` (fast, but it *repairs* invalid
    /// input) is followed by a byte comparison: any repair changes the bytes, so equality proves
    /// the input was valid UTF-8. This beats `String(validating:)`, whose generic path pays for
    /// runtime metadata lookups on every call.
    @inline(__always)
    func makeString(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool, start: Int) throws(JSONError) -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        if ascii { return s }
        let unchanged = s.utf8.withContiguousStorageIfAvailable { JSONBytes.equal($0, bytes) } ?? Array(s.utf8).elementsEqual(bytes)
        guard unchanged else { throw invalidUTF8(from: start, to: start &+ bytes.count) }
        return s
    }

    /// Slow path for strings with escapes: decodes into `scratch`, then validates once. O(length).
    @inline(never)
    mutating func parseEscapedString(start: Int, escapeAt: Int, fingerprint: Bool) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = start
        var j = escapeAt
        while true {
            if j &+ 8 <= end {
                let m = JSONBytes.needsAttention(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self)))
                if m == 0 {
                    j &+= 8
                    continue
                }
                j &+= m.trailingZeroBitCount &>> 3
            } else if j >= end {
                throw JSONError(message: "unterminated string", offset: start &- 1)
            }
            let b = byte(j)
            if b == 0x22 { break }
            if b < 0x20 { throw JSONError(message: "unescaped control character in string", offset: j) }
            if b != 0x5C {
                j &+= 1
                continue
            }
            appendRun(from: runStart, to: j)
            let escapeStart = j
            j &+= 1
            guard j < end else { throw JSONError(message: "unterminated string", offset: start &- 1) }
            let e = byte(j)
            j &+= 1
            switch e {
            case 0x22, 0x5C, 0x2F: scratch.append(e)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x75:
                guard let unit = hex4(at: j) else {
                    throw JSONError(message: "invalid \\u escape", offset: escapeStart)
                }
                j &+= 4
                var scalar = unit
                if unit >= 0xD800 && unit < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate; otherwise it is
                    // lone and becomes U+FFFD (the following escape is then decoded on its own).
                    if j &+ 6 <= end && byte(j) == 0x5C && byte(j &+ 1) == 0x75,
                       let low = hex4(at: j &+ 2), low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        j &+= 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    scalar = 0xFFFD
                }
                JSONBytes.appendUTF8(scalar, to: &scratch)
            default:
                throw JSONError(message: "invalid escape", offset: escapeStart)
            }
            runStart = j
        }
        appendRun(from: runStart, to: j)
        i = j &+ 1
        let result = scratch.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) -> String in try makeString(buffer, ascii: false, start: start) }
        }
        // Decoded escapes are always valid, so an error points into the raw input.
        guard case .success(let string) = result else { throw invalidUTF8(from: start, to: j) }
        if fingerprint {
            keyFingerprint = scratch.withUnsafeBufferPointer { JSONParser.fingerprint($0) }
        }
        return string
    }

    /// Copies raw input bytes `[from, to)` into `scratch`.
    @inline(__always)
    mutating func appendRun(from: Int, to: Int) {
        guard to > from else { return }
        scratch.append(contentsOf: UnsafeRawBufferPointer(start: p + from, count: to &- from))
    }

    /// Decodes four hex digits at `k`, or nil if they are missing or not hex.
    @inline(__always)
    func hex4(at k: Int) -> UInt32? {
        guard k &+ 4 <= end else { return nil }
        var v: UInt32 = 0
        for m in 0..<4 {
            let c = byte(k &+ m)
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c &- 0x30
            case 0x41...0x46: d = c &- 0x37
            case 0x61...0x66: d = c &- 0x57
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// The "invalid UTF-8" error, located at the first bad byte in the string body.
    func invalidUTF8(from: Int, to: Int) -> JSONError {
        let at = JSONBytes.firstInvalidUTF8(p, from: from, to: to) ?? from
        return JSONError(message: "invalid UTF-8", offset: at)
    }

    /// A cheap key fingerprint (length plus first and last 8 bytes) that lets duplicate-key
    /// detection compare integers and only rarely whole strings. Depends only on the decoded bytes.
    @inline(__always)
    static func fingerprint(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = b.baseAddress else { return 0 }
        let (w0, w1) = JSONStringCache.words(UnsafeRawPointer(base), count: b.count)
        return fingerprint(b.count, w0, w1)
    }

    /// Combines a key's length and identifying words (see `JSONStringCache.words`).
    @inline(__always)
    static func fingerprint(_ n: Int, _ w0: UInt64, _ w1: UInt64) -> UInt64 {
        (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15) ^ w0 ^ (w1 &* 0x0000_0100_0000_01B3)
    }

    /// Parses a number at `i`, validating the grammar and keeping the literal text. O(length).
    @inline(__always)
    mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let bytes = UnsafeBufferPointer(start: (p + i).assumingMemoryBound(to: UInt8.self), count: end &- i)
        let n = JSONNumber.scanLiteral(bytes)
        guard n > 0 else { throw JSONError(message: "invalid number", offset: i &- n &- 1) }
        i &+= n
        return JSONNumber(uncheckedText: String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<n]), as: UTF8.self))
    }

    /// Consumes `literal` (`true`, `false`, `null`) at `i`.
    @inline(__always)
    mutating func parseLiteral(_ literal: StaticString) throws(JSONError) {
        let n = literal.utf8CodeUnitCount
        let l = literal.utf8Start
        guard end &- i >= n else { throw JSONError(message: "invalid literal", offset: i) }
        for k in 0..<n where byte(i &+ k) != l[k] {
            throw JSONError(message: "invalid literal", offset: i)
        }
        i &+= n
    }
}
