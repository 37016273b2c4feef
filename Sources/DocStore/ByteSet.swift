/// A set of bytes as a 256-bit bitmap: the single matching primitive of the regex engine,
/// which (like Erlang's `re` without the `unicode` option) works on UTF-8 bytes.
struct ByteSet: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The empty set.
    init() {}

    /// A set of the given bytes.
    init(_ bytes: some Sequence<UInt8>) {
        for b in bytes { insert(b) }
    }

    /// Membership test. O(1).
    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// Adds one byte.
    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Adds every byte of a closed range.
    mutating func insert(_ range: ClosedRange<UInt8>) {
        for b in range { insert(b) }
    }

    /// Adds every byte of another set.
    mutating func formUnion(_ other: ByteSet) {
        words.0 |= other.words.0
        words.1 |= other.words.1
        words.2 |= other.words.2
        words.3 |= other.words.3
    }

    /// The complement.
    var inverted: ByteSet {
        var out = ByteSet()
        out.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return out
    }

    /// The set plus the other case of every ASCII letter in it (PCRE's caseless matching in
    /// non-UTF mode with the default "C" locale tables).
    var caseFolded: ByteSet {
        var out = self
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(b) || contains(b | 0x20) {
            out.insert(b)
            out.insert(b | 0x20)
        }
        return out
    }

    /// Equality of the bitmaps.
    static func == (a: ByteSet, b: ByteSet) -> Bool {
        a.words == b.words
    }

    /// Hashes the bitmap.
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// `\d`: ASCII digits.
    static let digits = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
    /// `\w`: ASCII letters, digits and underscore.
    static let word: ByteSet = {
        var s = digits
        s.insert(UInt8(ascii: "a")...UInt8(ascii: "z"))
        s.insert(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        s.insert(UInt8(ascii: "_"))
        return s
    }()
    /// `\s`: space, tab, newline, vertical tab, form feed, carriage return (PCRE 8.34+).
    static let space = ByteSet([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D])
    /// `\h`: horizontal whitespace in non-UTF mode.
    static let horizontalSpace = ByteSet([0x20, 0x09, 0xA0])
    /// `\v`: vertical whitespace in non-UTF mode.
    static let verticalSpace = ByteSet([0x0A, 0x0B, 0x0C, 0x0D, 0x85])
    /// `.` without the dotall flag: anything but a newline.
    static let notNewline = ByteSet([0x0A]).inverted
    /// `.` with the dotall flag, and `\C`.
    static let all = ByteSet().inverted

    /// The POSIX class named inside `[:...:]`, or nil when the name is unknown.
    static func posix(_ name: String) -> ByteSet? {
        let upper = ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        let lower = ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z"))
        var alpha = upper
        alpha.formUnion(lower)
        var alnum = alpha
        alnum.formUnion(digits)
        let graph = ByteSet(0x21...0x7E)
        switch name {
        case "alpha": return alpha
        case "digit": return digits
        case "alnum": return alnum
        case "upper": return upper
        case "lower": return lower
        case "space": return space
        case "blank": return ByteSet([0x20, 0x09])
        case "word": return word
        case "xdigit": return ByteSet("0123456789abcdefABCDEF".utf8)
        case "cntrl": return ByteSet(Array(0...0x1F) + [0x7F])
        case "graph": return graph
        case "print": return ByteSet(0x20...0x7E)
        case "punct":
            var p = graph
            for b in 0x21...0x7E as ClosedRange<UInt8> where alnum.contains(b) { p = p.removing(b) }
            return p
        case "ascii": return ByteSet(0...0x7F)
        default: return nil
        }
    }

    /// The set without one byte.
    private func removing(_ byte: UInt8) -> ByteSet {
        var single = ByteSet()
        single.insert(byte)
        var out = ByteSet()
        out.words = (words.0 & ~single.words.0, words.1 & ~single.words.1,
                     words.2 & ~single.words.2, words.3 & ~single.words.3)
        return out
    }
}
