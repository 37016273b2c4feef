/// The parsed form of a `$regex` pattern, produced by `RegexParser` and compiled by
/// `RegexCompiler`. Every consuming atom is a `ByteSet` (literals, classes, `.`, `\d`...), since
/// matching is byte-oriented; captures are not kept because Mango only asks whether a match exists.
indirect enum RegexSyntax: Sendable {
    /// Matches the empty string.
    case empty
    /// Consumes one byte from the set.
    case bytes(ByteSet)
    /// A zero-width assertion.
    case assertion(Assertion)
    /// A sequence.
    case concat([RegexSyntax])
    /// Alternatives (`a|b`).
    case alternation([RegexSyntax])
    /// `min` to `max` repetitions (`max == nil`: unbounded); greedy and lazy forms are the same
    /// thing when only the existence of a match matters.
    case repetition(RegexSyntax, min: Int, max: Int?)
    /// `(?=...)` or, negated, `(?!...)`.
    case lookahead(RegexSyntax, negated: Bool)

    /// Zero-width assertions, evaluated against the position in the subject.
    enum Assertion: Sendable {
        /// `^` (without multiline) and `\A`.
        case startOfSubject
        /// `\z`.
        case endOfSubject
        /// `$` (without multiline) and `\Z`: the end, or just before a final newline.
        case endOrFinalNewline
        /// `^` in multiline mode: the start, or after a newline that is not the last byte.
        case startOfLine
        /// `$` in multiline mode: the end, or before any newline.
        case endOfLine
        /// `\b`.
        case wordBoundary
        /// `\B`.
        case notWordBoundary

        /// Whether the assertion holds at `position` in `subject`.
        func holds(at position: Int, in subject: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = subject.count
            switch self {
            case .startOfSubject: return position == 0
            case .endOfSubject: return position == n
            case .endOrFinalNewline: return position == n || (position == n - 1 && subject[position] == 0x0A)
            case .startOfLine: return position == 0 || (position < n && subject[position - 1] == 0x0A)
            case .endOfLine: return position == n || subject[position] == 0x0A
            case .wordBoundary, .notWordBoundary:
                let before = position > 0 && ByteSet.word.contains(subject[position - 1])
                let after = position < n && ByteSet.word.contains(subject[position])
                return (before != after) == (self == .wordBoundary)
            }
        }
    }
}
