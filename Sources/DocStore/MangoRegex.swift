/// A compiled `$regex` pattern with the semantics of CouchDB's `re:run(Value, Regex,
/// [{capture, none}])`: PCRE syntax, unanchored search, byte (non-UTF) mode.
///
/// Byte mode is what CouchDB does (it compiles without the `unicode` option), so `.` and classes
/// match single UTF-8 bytes (`^.$` does not match `"é"`), `\w`/`\d`/`\s` and caseless matching
/// are ASCII-only, and a quantifier after a multi-byte character repeats its last byte. See
/// `RegexParser` for the supported syntax.
struct MangoRegex: Sendable {
    /// A pattern that does not compile (or uses an unsupported PCRE feature).
    struct SyntaxError: Error, Sendable, Equatable {
        /// PCRE-style description.
        var message: String
        /// Byte offset in the pattern where the problem was found.
        var offset: Int
    }

    /// Thread steps allowed per match attempt before giving up with "no match"; the same order
    /// of magnitude as PCRE's default match limit (10,000,000) in Erlang.
    static let defaultStepLimit = 10_000_000

    /// The pattern as written.
    let pattern: String
    private let program: RegexProgram

    /// Compiles `pattern`. O(expanded program size).
    init(_ pattern: String) throws(SyntaxError) {
        self.pattern = pattern
        program = try RegexCompiler.compile(try RegexParser.parse(pattern))
    }

    /// True when the pattern matches somewhere in `subject`; false when it does not or when the
    /// step limit is reached. O(subject bytes × program size), bounded by the limit.
    func matches(_ subject: String, stepLimit: Int = defaultStepLimit) -> Bool {
        search(subject, stepLimit: stepLimit) ?? false
    }

    /// Like `matches`, but nil when the step limit was reached before an answer.
    func search(_ subject: String, stepLimit: Int = defaultStepLimit) -> Bool? {
        var text = subject
        var budget = stepLimit
        return text.withUTF8 { RegexVM.run(program, on: $0, budget: &budget) }
    }
}
