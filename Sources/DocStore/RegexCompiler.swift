/// Compiles `RegexSyntax` into a `RegexProgram`, expanding counted repetitions.
///
/// The instruction count is capped (shared with lookahead sub-programs), so patterns such as
/// `(a{1000}){1000}` are rejected at compile time instead of exhausting memory.
struct RegexCompiler {
    /// Most instructions a pattern may compile to, lookaheads included.
    static let maxInstructions = 50_000

    private var instructions: [RegexProgram.Instruction] = []
    private var lookaheads: [RegexProgram] = []
    /// Instructions still allowed, shared with nested compilers through `compile(_:budget:)`.
    private var budget: Int

    private init(budget: Int) {
        self.budget = budget
    }

    /// Compiles a parsed pattern. O(size of the expanded program).
    static func compile(_ syntax: RegexSyntax) throws(MangoRegex.SyntaxError) -> RegexProgram {
        var budget = maxInstructions
        return try compile(syntax, budget: &budget)
    }

    /// Compiles with an instruction budget shared with the caller.
    private static func compile(_ syntax: RegexSyntax, budget: inout Int) throws(MangoRegex.SyntaxError) -> RegexProgram {
        var compiler = RegexCompiler(budget: budget)
        try compiler.emit(syntax)
        _ = try compiler.append(.match)
        budget = compiler.budget
        return RegexProgram(instructions: compiler.instructions, lookaheads: compiler.lookaheads)
    }

    /// Appends one instruction and returns its address.
    private mutating func append(_ instruction: RegexProgram.Instruction) throws(MangoRegex.SyntaxError) -> Int {
        guard budget > 0 else {
            throw MangoRegex.SyntaxError(message: "regular expression is too large", offset: 0)
        }
        budget -= 1
        instructions.append(instruction)
        return instructions.count - 1
    }

    /// Emits the code for one node.
    private mutating func emit(_ syntax: RegexSyntax) throws(MangoRegex.SyntaxError) {
        switch syntax {
        case .empty:
            break
        case .bytes(let set):
            _ = try append(.consume(set))
        case .assertion(let assertion):
            _ = try append(.assert(assertion))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var exits: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i == branches.count - 1 {
                    try emit(branch)
                } else {
                    let split = try append(.split(0, 0))
                    try emit(branch)
                    exits.append(try append(.jump(0)))
                    instructions[split] = .split(split + 1, instructions.count)
                }
            }
            for exit in exits { instructions[exit] = .jump(instructions.count) }
        case .repetition(let body, let minimum, let maximum):
            try emitRepetition(body, minimum, maximum)
        case .lookahead(let body, let negated):
            let program = try Self.compile(body, budget: &budget)
            lookaheads.append(program)
            _ = try append(.lookahead(lookaheads.count - 1, negated: negated))
        }
    }

    /// `minimum` mandatory copies, then either a loop or `maximum - minimum` optional copies.
    private mutating func emitRepetition(_ body: RegexSyntax, _ minimum: Int, _ maximum: Int?) throws(MangoRegex.SyntaxError) {
        let before = instructions.count
        for _ in 0..<minimum {
            try emit(body)
            // A body that emits nothing (e.g. `(){65535}`) needs no copies at all.
            if instructions.count == before { return }
        }
        guard let maximum else {
            let loop = try append(.split(0, 0))
            try emit(body)
            _ = try append(.jump(loop))
            instructions[loop] = .split(loop + 1, instructions.count)
            return
        }
        guard maximum > minimum else { return }
        var splits: [Int] = []
        for _ in minimum..<maximum {
            let split = try append(.split(0, 0))
            splits.append(split)
            let start = instructions.count
            try emit(body)
            if instructions.count == start { break }
        }
        for split in splits { instructions[split] = .split(split + 1, instructions.count) }
    }
}
