extension RegexParser {
    /// An escape outside a class, after its backslash.
    mutating func parseEscape() throws(MangoRegex.SyntaxError) -> [RegexSyntax] {
        guard let c = peek() else { throw error("\\ at end of pattern") }
        index += 1
        if let set = Self.classEscape(c) { return [.bytes(set)] }
        switch c {
        case UInt8(ascii: "b"): return [.assertion(.wordBoundary)]
        case UInt8(ascii: "B"): return [.assertion(.notWordBoundary)]
        case UInt8(ascii: "A"): return [.assertion(.startOfSubject)]
        case UInt8(ascii: "z"): return [.assertion(.endOfSubject)]
        case UInt8(ascii: "Z"): return [.assertion(.endOrFinalNewline)]
        case UInt8(ascii: "C"): return [.bytes(.all)]
        case UInt8(ascii: "E"): return []
        case UInt8(ascii: "Q"):
            var atoms: [RegexSyntax] = []
            while let b = peek() {
                if b == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "E") {
                    index += 2
                    break
                }
                atoms.append(literal(b))
                index += 1
            }
            return atoms
        default:
            return [literal(try escapedByte(c))]
        }
    }

    /// The set for `\d \D \w \W \s \S \h \H \v \V`, or nil for other escape letters.
    static func classEscape(_ c: UInt8) -> ByteSet? {
        switch c {
        case UInt8(ascii: "d"): .digits
        case UInt8(ascii: "D"): ByteSet.digits.inverted
        case UInt8(ascii: "w"): .word
        case UInt8(ascii: "W"): ByteSet.word.inverted
        case UInt8(ascii: "s"): .space
        case UInt8(ascii: "S"): ByteSet.space.inverted
        case UInt8(ascii: "h"): .horizontalSpace
        case UInt8(ascii: "H"): ByteSet.horizontalSpace.inverted
        case UInt8(ascii: "v"): .verticalSpace
        case UInt8(ascii: "V"): ByteSet.verticalSpace.inverted
        default: nil
        }
    }

    /// The byte an escape letter stands for (after the backslash and `c`), reading any
    /// operand digits. Unknown non-alphanumerics and letters without a meaning are literal.
    mutating func escapedByte(_ c: UInt8) throws(MangoRegex.SyntaxError) -> UInt8 {
        switch c {
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "e"): return 0x1B
        case UInt8(ascii: "a"): return 0x07
        case UInt8(ascii: "0"):
            var value = 0
            for _ in 0..<2 {
                guard let d = peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else { break }
                value = value * 8 + Int(d - UInt8(ascii: "0"))
                index += 1
            }
            return UInt8(value)
        case UInt8(ascii: "x"):
            return try hexEscape()
        case UInt8(ascii: "c"):
            guard let x = peek(), x < 0x80 else { throw error("\\c at end of pattern") }
            index += 1
            let upper = x >= UInt8(ascii: "a") && x <= UInt8(ascii: "z") ? x - 0x20 : x
            return upper ^ 0x40
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            // PCRE: a number below 10 is a back reference; a larger one starting with an octal
            // digit is up to three octal digits (assuming fewer capturing groups than that).
            var j = index
            while j < pattern.count, pattern[j] &- UInt8(ascii: "0") < 10 { j += 1 }
            guard j > index, c <= UInt8(ascii: "7") else { throw error("back references are not supported") }
            var value = Int(c - UInt8(ascii: "0"))
            for _ in 0..<2 {
                guard let d = peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else { break }
                value = value * 8 + Int(d - UInt8(ascii: "0"))
                index += 1
            }
            return UInt8(truncatingIfNeeded: value)
        case UInt8(ascii: "g"), UInt8(ascii: "k"), UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "X"),
            UInt8(ascii: "R"), UInt8(ascii: "N"), UInt8(ascii: "K"), UInt8(ascii: "G"), UInt8(ascii: "L"),
            UInt8(ascii: "l"), UInt8(ascii: "U"), UInt8(ascii: "u"), UInt8(ascii: "o"):
            throw error("escape \\\(Character(Unicode.Scalar(c))) is not supported")
        default:
            return c
        }
    }

    /// `\xhh` (up to two hex digits) or `\x{h...}` (at most 0xFF in non-UTF mode).
    private mutating func hexEscape() throws(MangoRegex.SyntaxError) -> UInt8 {
        func hex(_ b: UInt8) -> Int? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A")) + 10
            default: nil
            }
        }
        var value = 0
        if peek() == UInt8(ascii: "{") {
            var j = index + 1
            while j < pattern.count, let d = hex(pattern[j]) {
                value = min(value * 16 + d, 0x110000)
                j += 1
            }
            if j < pattern.count, pattern[j] == UInt8(ascii: "}"), j > index + 1 {
                guard value <= 0xFF else { throw error("character value in \\x{} is too large") }
                index = j + 1
                return UInt8(value)
            }
            return 0  // PCRE reads a malformed \x{ as \x (NUL) followed by literal text.
        }
        for _ in 0..<2 {
            guard let b = peek(), let d = hex(b) else { break }
            value = value * 16 + d
            index += 1
        }
        return UInt8(value)
    }

    /// A character class, after its `[`.
    mutating func parseClass() throws(MangoRegex.SyntaxError) -> ByteSet {
        var negated = false
        if peek() == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var set = ByteSet()
        var first = true
        while true {
            guard let c = peek() else { throw error("missing terminating ] for character class") }
            if c == UInt8(ascii: "]") && !first {
                index += 1
                break
            }
            first = false
            if c == UInt8(ascii: "["), let posix = try posixClass() {
                set.formUnion(posix)
                continue
            }
            guard let low = try classAtom(into: &set) else { continue }
            guard peek() == UInt8(ascii: "-"), let next = peek(1), next != UInt8(ascii: "]") else {
                set.insert(low)
                continue
            }
            index += 1
            var escapes = ByteSet()
            if let high = try classAtom(into: &escapes) {
                guard low <= high else { throw error("range out of order in character class") }
                set.insert(low...high)
            } else {
                // `[a-\d]`: the hyphen is a literal.
                set.insert(low)
                set.insert(UInt8(ascii: "-"))
                set.formUnion(escapes)
            }
        }
        if flags.caseless { set = set.caseFolded }
        return negated ? set.inverted : set
    }

    /// One class member: returns its byte, or adds a class escape's set to `set` and returns nil.
    private mutating func classAtom(into set: inout ByteSet) throws(MangoRegex.SyntaxError) -> UInt8? {
        let c = pattern[index]
        index += 1
        guard c == UInt8(ascii: "\\") else { return c }
        guard let e = peek() else { throw error("\\ at end of pattern") }
        index += 1
        if let escape = Self.classEscape(e) {
            set.formUnion(escape)
            return nil
        }
        switch e {
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "B"), UInt8(ascii: "R"), UInt8(ascii: "X"), UInt8(ascii: "Q"), UInt8(ascii: "E"):
            throw error("escape sequence is not supported in a character class")
        default: return try escapedByte(e)
        }
    }

    /// `[:name:]` or `[:^name:]` at the current `[`; nil when the text is not of that form
    /// (the `[` is then a literal).
    private mutating func posixClass() throws(MangoRegex.SyntaxError) -> ByteSet? {
        guard peek(1) == UInt8(ascii: ":") else { return nil }
        var j = index + 2
        var negate = false
        if j < pattern.count, pattern[j] == UInt8(ascii: "^") {
            negate = true
            j += 1
        }
        let start = j
        while j < pattern.count, (pattern[j] | 0x20) >= UInt8(ascii: "a"), (pattern[j] | 0x20) <= UInt8(ascii: "z") {
            j += 1
        }
        guard j + 1 < pattern.count, pattern[j] == UInt8(ascii: ":"), pattern[j + 1] == UInt8(ascii: "]") else {
            return nil
        }
        guard let set = ByteSet.posix(String(decoding: pattern[start..<j], as: UTF8.self)) else {
            throw error("unknown POSIX class name")
        }
        index = j + 2
        return negate ? set.inverted : set
    }
}
