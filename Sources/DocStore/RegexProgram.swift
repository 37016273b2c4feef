/// A compiled regex: a Thompson NFA as a flat instruction list, executed by `RegexVM`.
struct RegexProgram: Sendable {
    /// One NFA instruction. Execution starts at instruction 0.
    enum Instruction: Sendable {
        /// Consume one byte if it is in the set, then continue with the next instruction.
        case consume(ByteSet)
        /// Continue with both targets.
        case split(Int, Int)
        /// Continue at the target.
        case jump(Int)
        /// Continue with the next instruction if the assertion holds here.
        case assert(RegexSyntax.Assertion)
        /// Continue with the next instruction if `lookaheads[index]` matches (anchored) here,
        /// or, when negated, if it does not.
        case lookahead(Int, negated: Bool)
        /// Success.
        case match
    }

    /// The instructions.
    var instructions: [Instruction]
    /// Sub-programs of lookahead assertions, referenced by index.
    var lookaheads: [RegexProgram]
}
