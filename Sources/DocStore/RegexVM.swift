/// Runs a `RegexProgram` over UTF-8 bytes by simulating the NFA on all threads at once
/// (Thompson/Pike), answering only whether a match exists.
///
/// Time is O(subject length × program size) with no backtracking, so patterns like `(a*)*b`
/// cannot blow up. Every thread step is charged to a budget; when it runs out the search gives up
/// and reports nil, like PCRE's match limit in Erlang (which `re:run` reports as no match).
struct RegexVM {
    private let program: RegexProgram
    private let subject: UnsafeBufferPointer<UInt8>
    /// For each instruction, the last position whose thread list already contains it.
    private var visited: [Int]
    private var current: [Int] = []
    private var upcoming: [Int] = []
    private var stack: [Int] = []

    private init(program: RegexProgram, subject: UnsafeBufferPointer<UInt8>) {
        self.program = program
        self.subject = subject
        self.visited = [Int](repeating: -1, count: program.instructions.count)
    }

    /// Whether `program` matches somewhere in `subject` (or, when `anchored`, starting at
    /// `start`); nil when `budget` is exhausted first.
    static func run(
        _ program: RegexProgram, on subject: UnsafeBufferPointer<UInt8>, from start: Int = 0,
        anchored: Bool = false, budget: inout Int
    ) -> Bool? {
        var vm = RegexVM(program: program, subject: subject)
        return vm.execute(from: start, anchored: anchored, budget: &budget)
    }

    /// The main loop: one step per subject byte.
    private mutating func execute(from start: Int, anchored: Bool, budget: inout Int) -> Bool? {
        let n = subject.count
        var position = start
        while true {
            if !anchored || position == start {
                switch addThread(0, at: position, upcoming: false, budget: &budget) {
                case nil: return nil
                case true?: return true
                case false?: break
                }
            }
            if position >= n || (anchored && current.isEmpty) { return false }
            let byte = subject[position]
            upcoming.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                if budget < 0 { return nil }
                guard case .consume(let set) = program.instructions[pc], set.contains(byte) else { continue }
                switch addThread(pc + 1, at: position + 1, upcoming: true, budget: &budget) {
                case nil: return nil
                case true?: return true
                case false?: break
                }
            }
            swap(&current, &upcoming)
            position += 1
        }
    }

    /// Adds the thread at `pc` and everything reachable from it without consuming input to the
    /// list for `position` (`current`, or `upcoming` for the next step). True when a match is
    /// reachable, nil when the budget ran out.
    private mutating func addThread(_ pc: Int, at position: Int, upcoming toUpcoming: Bool, budget: inout Int) -> Bool? {
        stack.append(pc)
        while let pc = stack.popLast() {
            if visited[pc] == position { continue }
            visited[pc] = position
            budget -= 1
            if budget < 0 {
                stack.removeAll()
                return nil
            }
            switch program.instructions[pc] {
            case .consume:
                if toUpcoming { upcoming.append(pc) } else { current.append(pc) }
            case .match:
                stack.removeAll()
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let assertion):
                if assertion.holds(at: position, in: subject) { stack.append(pc + 1) }
            case .lookahead(let index, let negated):
                guard
                    let found = RegexVM.run(
                        program.lookaheads[index], on: subject, from: position, anchored: true, budget: &budget)
                else {
                    stack.removeAll()
                    return nil
                }
                if found != negated { stack.append(pc + 1) }
            }
        }
        return false
    }
}
