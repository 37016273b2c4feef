/// A recursive-descent parser for the PCRE dialect of Erlang's `re` module in its default
/// (non-UTF, byte) mode, which is what CouchDB's `$regex` uses.
///
/// Supported: literals and escapes (`\n \t \r \f \e \a \0oo \xhh \x{hh} \cX`, identity escapes),
/// `.`, classes (`[a-z]`, `[^...]`, `[[:alpha:]]`, `\d \w \s \h \v` and their negations), anchors
/// (`^ $ \A \z \Z \b \B`), groups (capturing, `(?:...)`, named, `(?|...)`), lookahead
/// (`(?=...)`, `(?!...)`), alternation, quantifiers (`* + ? {n} {n,} {n,m}` and lazy forms),
/// option settings `(?imsx-imsx)` / `(?i:...)`, comments `(?#...)` and `\Q...\E`.
/// Rejected as unsupported (an error rather than a silent mismatch): back references,
/// lookbehind, atomic groups, possessive quantifiers, recursion, conditionals, `\p`, `\R`,
/// `\X`, `\G`, `\K` and `(*VERB)`s.
struct RegexParser {
    /// Option flags in force at a point of the pattern.
    struct Flags {
        /// `(?i)`: ASCII letters match either case.
        var caseless = false
        /// `(?m)`: `^`/`$` match at line boundaries.
        var multiline = false
        /// `(?s)`: `.` matches newlines.
        var dotAll = false
        /// `(?x)`: whitespace and `#` comments outside classes are ignored.
        var extended = false
    }

    /// Deepest group nesting accepted.
    static let maxDepth = 100
    /// Largest repetition count, as in PCRE.
    static let maxRepeat = 65535

    let pattern: [UInt8]
    var index = 0
    var flags = Flags()
    private var depth = 0

    /// Parses a whole pattern. O(pattern length).
    static func parse(_ pattern: String) throws(MangoRegex.SyntaxError) -> RegexSyntax {
        var parser = RegexParser(pattern: Array(pattern.utf8))
        let syntax = try parser.parseAlternation()
        if !parser.atEnd { throw parser.error("unmatched closing parenthesis") }
        return syntax
    }

    private init(pattern: [UInt8]) {
        self.pattern = pattern
    }

    /// An error at the current offset.
    func error(_ message: String) -> MangoRegex.SyntaxError {
        MangoRegex.SyntaxError(message: message, offset: index)
    }

    /// True when the whole pattern has been read.
    var atEnd: Bool { index >= pattern.count }

    /// The byte `offset` positions ahead, or nil past the end.
    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < pattern.count ? pattern[index + offset] : nil
    }

    /// A literal byte as an atom, honouring the caseless flag.
    func literal(_ byte: UInt8) -> RegexSyntax {
        let set = ByteSet([byte])
        return .bytes(flags.caseless ? set.caseFolded : set)
    }

    /// `branch ('|' branch)*`.
    private mutating func parseAlternation() throws(MangoRegex.SyntaxError) -> RegexSyntax {
        var branches = [try parseConcatenation()]
        while peek() == UInt8(ascii: "|") {
            index += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    /// A sequence of quantified atoms, up to `|`, `)` or the end.
    private mutating func parseConcatenation() throws(MangoRegex.SyntaxError) -> RegexSyntax {
        var items: [RegexSyntax] = []
        while true {
            skipExtendedWhitespace()
            guard let c = peek(), c != UInt8(ascii: "|"), c != UInt8(ascii: ")") else { break }
            var atoms = try parseAtom()
            guard let last = atoms.popLast() else { continue }
            items.append(contentsOf: atoms)
            items.append(try parseQuantifiers(last))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// One atom; several for `\Q...\E` (a quantifier binds to the last), none for option
    /// settings and comments.
    private mutating func parseAtom() throws(MangoRegex.SyntaxError) -> [RegexSyntax] {
        let c = pattern[index]
        index += 1
        switch c {
        case UInt8(ascii: "("): return try parseGroup()
        case UInt8(ascii: "["): return [.bytes(try parseClass())]
        case UInt8(ascii: "."): return [.bytes(flags.dotAll ? .all : .notNewline)]
        case UInt8(ascii: "^"): return [.assertion(flags.multiline ? .startOfLine : .startOfSubject)]
        case UInt8(ascii: "$"): return [.assertion(flags.multiline ? .endOfLine : .endOrFinalNewline)]
        case UInt8(ascii: "\\"): return try parseEscape()
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            index -= 1
            throw error("quantifier does not follow a repeatable item")
        case UInt8(ascii: "{"):
            if try braces(at: index - 1) != nil {
                index -= 1
                throw error("quantifier does not follow a repeatable item")
            }
            return [literal(c)]
        default:
            return [literal(c)]
        }
    }

    /// Applies a following quantifier, if any, to `atom`.
    private mutating func parseQuantifiers(_ atom: RegexSyntax) throws(MangoRegex.SyntaxError) -> RegexSyntax {
        skipExtendedWhitespace()
        var minimum = 0
        var maximum: Int?
        switch peek() {
        case UInt8(ascii: "*"): index += 1
        case UInt8(ascii: "+"): minimum = 1; index += 1
        case UInt8(ascii: "?"): maximum = 1; index += 1
        case UInt8(ascii: "{"):
            guard let (low, high, length) = try braces(at: index) else { return atom }
            (minimum, maximum) = (low, high)
            index += length
        default:
            return atom
        }
        if peek() == UInt8(ascii: "?") {
            index += 1  // Lazy: same result for a yes/no match.
        } else if peek() == UInt8(ascii: "+") {
            throw error("possessive quantifiers are not supported")
        }
        skipExtendedWhitespace()
        if let next = peek() {
            var quantifier = next == UInt8(ascii: "*") || next == UInt8(ascii: "+") || next == UInt8(ascii: "?")
            if next == UInt8(ascii: "{") { quantifier = try braces(at: index) != nil }
            if quantifier {
                throw error("quantifier does not follow a repeatable item")
            }
        }
        return .repetition(atom, min: minimum, max: maximum)
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at `start` as (min, max, length); nil when the text there
    /// is not a quantifier, in which case PCRE reads `{` as a literal.
    private func braces(at start: Int) throws(MangoRegex.SyntaxError) -> (Int, Int?, Int)? {
        var j = start + 1
        func number() -> Int? {
            var value = 0
            let first = j
            while j < pattern.count, pattern[j] &- UInt8(ascii: "0") < 10 {
                value = min(value * 10 + Int(pattern[j] &- UInt8(ascii: "0")), 1_000_000)
                j += 1
            }
            return j > first ? value : nil
        }
        guard let low = number(), j < pattern.count else { return nil }
        var high: Int? = low
        if pattern[j] == UInt8(ascii: ",") {
            j += 1
            high = number()
        }
        guard j < pattern.count, pattern[j] == UInt8(ascii: "}") else { return nil }
        guard low <= Self.maxRepeat, (high ?? 0) <= Self.maxRepeat else {
            throw MangoRegex.SyntaxError(message: "number too big in {} quantifier", offset: j)
        }
        if let high, high < low {
            throw MangoRegex.SyntaxError(message: "numbers out of order in {} quantifier", offset: j)
        }
        return (low, high, j + 1 - start)
    }

    /// A group, after its `(`.
    private mutating func parseGroup() throws(MangoRegex.SyntaxError) -> [RegexSyntax] {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("parentheses are too deeply nested") }
        if peek() == UInt8(ascii: "*") { throw error("(*VERB) items are not supported") }
        guard peek() == UInt8(ascii: "?") else { return [try groupBody(flags)] }
        index += 1
        guard let c = peek() else { throw error("unrecognized character after (? or (?-") }
        switch c {
        case UInt8(ascii: ":"), UInt8(ascii: "|"):
            index += 1
            return [try groupBody(flags)]
        case UInt8(ascii: "="), UInt8(ascii: "!"):
            index += 1
            return [.lookahead(try groupBody(flags), negated: c == UInt8(ascii: "!"))]
        case UInt8(ascii: "<") where peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!"):
            throw error("lookbehind assertions are not supported")
        case UInt8(ascii: "<"), UInt8(ascii: "'"):
            index += 1
            try skipName(until: c == UInt8(ascii: "<") ? UInt8(ascii: ">") : c)
            return [try groupBody(flags)]
        case UInt8(ascii: "P") where peek(1) == UInt8(ascii: "<"):
            index += 2
            try skipName(until: UInt8(ascii: ">"))
            return [try groupBody(flags)]
        case UInt8(ascii: "#"):
            while let b = peek(), b != UInt8(ascii: ")") { index += 1 }
            guard !atEnd else { throw error("missing ) after comment") }
            index += 1
            return []
        case UInt8(ascii: ">"):
            throw error("atomic groups are not supported")
        case UInt8(ascii: "("):
            throw error("conditional groups are not supported")
        default:
            return try optionSetting()
        }
    }

    /// `(?imsx-imsx)` (changes the flags until the end of the enclosing group) or
    /// `(?imsx-imsx:...)` (a group with those flags).
    private mutating func optionSetting() throws(MangoRegex.SyntaxError) -> [RegexSyntax] {
        var options = flags
        var negate = false
        while let c = peek() {
            index += 1
            switch c {
            case UInt8(ascii: "-") where !negate: negate = true
            case UInt8(ascii: "i"): options.caseless = !negate
            case UInt8(ascii: "m"): options.multiline = !negate
            case UInt8(ascii: "s"): options.dotAll = !negate
            case UInt8(ascii: "x"): options.extended = !negate
            case UInt8(ascii: ")"):
                flags = options
                return []
            case UInt8(ascii: ":"):
                return [try groupBody(options)]
            default:
                index -= 1
                throw error("unrecognized character after (? or (?-")
            }
        }
        throw error("missing )")
    }

    /// The alternatives of a group up to its `)`, parsed with `options`; the enclosing flags
    /// are restored afterwards.
    private mutating func groupBody(_ options: Flags) throws(MangoRegex.SyntaxError) -> RegexSyntax {
        let saved = flags
        flags = options
        let body = try parseAlternation()
        guard peek() == UInt8(ascii: ")") else { throw error("missing )") }
        index += 1
        flags = saved
        return body
    }

    /// Skips a group name and its terminator.
    private mutating func skipName(until terminator: UInt8) throws(MangoRegex.SyntaxError) {
        let start = index
        while let c = peek(), ByteSet.word.contains(c) { index += 1 }
        guard index > start, peek() == terminator else { throw error("syntax error in subpattern name") }
        index += 1
    }

    /// In extended mode, skips whitespace and `#` comments.
    mutating func skipExtendedWhitespace() {
        guard flags.extended else { return }
        while let c = peek() {
            if ByteSet.space.contains(c) {
                index += 1
            } else if c == UInt8(ascii: "#") {
                while let b = peek(), b != 0x0A { index += 1 }
            } else {
                return
            }
        }
    }
}
