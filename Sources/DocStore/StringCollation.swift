/// String ordering approximating the ICU root collation (UCA, tertiary strength, non-ignorable
/// punctuation) that CouchDB uses for view keys and Mango comparisons.
///
/// Strings are compared level by level, each level only breaking ties of the previous one:
/// 1. primary: letters without regard to case or accents, with CouchDB's documented ASCII order
///    (whitespace, then punctuation and symbols in the order `` ` ^ _ - , ; : ! ? . ' " ( ) [ ]
///    { } @ * / \ & # % + < = > | ~ $ ``, then digits, then letters `a A b B ...`); a string
///    sorts after its prefixes, so `"A" < "aa"`;
/// 2. secondary: accents (`"resume" < "résumé"`);
/// 3. tertiary: case, lowercase first (`"a" < "A"`);
/// 4. finally raw Unicode scalar order, so distinct strings never compare equal.
///
/// Departures from ICU: only Latin-1 accented letters are decomposed into base letter plus
/// accent (other precomposed letters such as `č` sort after `z` by code point, and `é` only
/// equals `e` + U+0301 up to level 3); non-Latin letters, and non-ASCII symbols and spaces,
/// are ordered by code point within their class; contractions, expansions (`ß`, `æ`) and script
/// reordering are not modelled; control characters are ignored until level 4.
enum StringCollation {
    /// Negative, zero or positive. O(n); allocation-free for strings of printable ASCII.
    static func compare(_ a: String, _ b: String) -> Int {
        if let result = compareASCII(a, b) { return result }
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        let x = elements(a)
        let y = elements(b)
        var c = compareLevel(x, y) { $0.primary == 0 ? nil : $0.primary }
        if c != 0 { return c }
        c = compareLevel(x, y) { UInt64($0.secondary) }
        if c != 0 { return c }
        c = compareLevel(x, y) { UInt64($0.tertiary) }
        if c != 0 { return c }
        return ErlangTermOrder.compareBytes(a, b)
    }

    /// One collation element: a weight per level (primary 0 = ignorable at level 1).
    private struct Element {
        var primary: UInt64
        var secondary: UInt32
        var tertiary: UInt8
    }

    /// Weight classes, in primary order.
    private enum WeightClass: UInt64 {
        case whitespace = 1, symbol, digit, letter, other
    }

    /// The one-pass fast path for strings made only of printable ASCII and tab/newline
    /// characters: there every character has a primary weight and no accents, so levels 1 and
    /// 3 decide. Nil when either string has another character.
    private static func compareASCII(_ a: String, _ b: String) -> Int? {
        var ai = a.utf8.makeIterator()
        var bi = b.utf8.makeIterator()
        var tertiary = 0
        while true {
            let x = ai.next()
            let y = bi.next()
            if let x, !isSimpleASCII(x) { return nil }
            if let y, !isSimpleASCII(y) { return nil }
            guard let x, let y else {
                if x == nil && y == nil { return tertiary }
                // Remaining characters must still be checked for the general path.
                while let rest = x == nil ? bi.next() : ai.next() {
                    if !isSimpleASCII(rest) { return nil }
                }
                return x == nil ? -1 : 1
            }
            if x == y { continue }
            let px = asciiPrimary[Int(x)]
            let py = asciiPrimary[Int(y)]
            if px != py { return px < py ? -1 : 1 }
            if tertiary == 0 { tertiary = isUpper(x) ? 1 : -1 }  // Same letter, different case.
        }
    }

    /// Printable ASCII or tab...carriage return.
    private static func isSimpleASCII(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte < 0x7F) || (byte >= 0x09 && byte <= 0x0D)
    }

    /// ASCII uppercase letter.
    private static func isUpper(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    /// Primary weights for ASCII; 0 for ignorable control characters.
    private static let asciiPrimary: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 128)
        func weight(_ cls: WeightClass, _ rank: Int) -> UInt64 { cls.rawValue << 32 | UInt64(rank) }
        for (i, byte) in (UInt8(0x09)...UInt8(0x0D)).enumerated() { table[Int(byte)] = weight(.whitespace, i) }
        table[0x20] = weight(.whitespace, 9)
        let symbols = "`^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$"
        for (i, byte) in symbols.utf8.enumerated() { table[Int(byte)] = weight(.symbol, i) }
        for d in 0..<10 { table[0x30 + d] = weight(.digit, d) }
        for l in 0..<26 {
            table[0x41 + l] = weight(.letter, l)
            table[0x61 + l] = weight(.letter, l)
        }
        return table
    }()

    /// Base letters (`A`...) and accent marks (U+03xx) of U+00C0...U+00DF; the lowercase block
    /// U+00E0...U+00FF mirrors it (except U+00FF `ÿ`, special-cased). A space means no
    /// decomposition.
    private static let latin1Bases = Array("AAAAAA CEEEEIIII NOOOOO  UUUUY  ".utf8)
    private static let latin1Marks: [UInt32] = [
        0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0, 0x327, 0x300, 0x301, 0x302, 0x308,
        0x300, 0x301, 0x302, 0x308, 0, 0x303, 0x300, 0x301, 0x302, 0x303, 0x308, 0,
        0, 0x300, 0x301, 0x302, 0x308, 0x301, 0, 0,
    ]

    /// The collation elements of a string.
    private static func elements(_ s: String) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let p = asciiPrimary[Int(v)]
                if p != 0 { out.append(Element(primary: p, secondary: 0, tertiary: isUpper(UInt8(v)) ? 1 : 0)) }
                continue
            }
            if v >= 0xC0 && v <= 0xFF {
                let index = Int(v & 0x1F)
                let base = v == 0xFF ? UInt8(ascii: "Y") : latin1Bases[index]
                if base != UInt8(ascii: " ") {
                    let upper = v < 0xE0
                    let letter = upper ? base : base | 0x20
                    let mark = v == 0xFF ? 0x308 : latin1Marks[index]
                    out.append(Element(primary: asciiPrimary[Int(letter)], secondary: 0, tertiary: upper ? 1 : 0))
                    out.append(Element(primary: 0, secondary: mark, tertiary: 0))
                    continue
                }
            }
            let e = element(scalar)
            if e.primary != 0 || e.secondary != 0 { out.append(e) }  // Skip fully ignorable ones.
        }
        return out
    }

    /// The element of a non-ASCII scalar without a Latin-1 decomposition.
    private static func element(_ scalar: Unicode.Scalar) -> Element {
        let props = scalar.properties
        let v = UInt64(scalar.value)
        func weight(_ cls: WeightClass, _ rank: UInt64) -> UInt64 { cls.rawValue << 32 | rank }
        switch props.generalCategory {
        case .control, .format, .surrogate:
            return Element(primary: 0, secondary: 0, tertiary: 0)
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return Element(primary: 0, secondary: scalar.value, tertiary: 0)
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return Element(primary: weight(.whitespace, 1000 + v), secondary: 0, tertiary: 0)
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol,
            .currencySymbol, .modifierSymbol, .otherSymbol:
            return Element(primary: weight(.symbol, 1000 + v), secondary: 0, tertiary: 0)
        case .decimalNumber:
            let digit = props.numericValue.map { UInt64(max(0, $0)) } ?? 1000 + v
            return Element(primary: weight(.digit, digit), secondary: 0, tertiary: 1)
        case .letterNumber, .otherNumber:
            return Element(primary: weight(.digit, 1000 + v), secondary: 0, tertiary: 0)
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            let lower = props.lowercaseMapping.unicodeScalars
            let folded = lower.count == 1 ? UInt64(lower.first!.value) : v
            let upper = props.isUppercase || props.generalCategory == .titlecaseLetter
            return Element(primary: weight(.letter, 1000 + folded), secondary: 0, tertiary: upper ? 1 : 0)
        default:
            return Element(primary: weight(.other, v), secondary: 0, tertiary: 0)
        }
    }

    /// Compares the weight sequences of one level (nil weights are skipped); shorter first.
    private static func compareLevel(_ x: [Element], _ y: [Element], _ weight: (Element) -> UInt64?) -> Int {
        var i = 0
        var j = 0
        while true {
            while i < x.count && weight(x[i]) == nil { i += 1 }
            while j < y.count && weight(y[j]) == nil { j += 1 }
            if i == x.count || j == y.count {
                return i == x.count ? (j == y.count ? 0 : -1) : 1
            }
            let wx = weight(x[i])!
            let wy = weight(y[j])!
            if wx != wy { return wx < wy ? -1 : 1 }
            i += 1
            j += 1
        }
    }
}
