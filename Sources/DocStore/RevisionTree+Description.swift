// A readable, canonical rendering for debugging and test failures; the default
// reflection would dump the node array and dictionary, whose order is arbitrary.

extension RevisionTree: CustomDebugStringConvertible {
    /// Roots ascending, each node as `pos-id` with `!` when deleted and `?` when only
    /// known as an ancestor, children in parentheses: `1-a(2-b,2-c!) 3-x`.
    /// O(n + r log r + total id length); iterative.
    public var debugDescription: String {
        enum Step { case node(Int), text(String) }
        var out = ""
        var stack: [Step] = []
        for (offset, root) in sortedRoots().enumerated().reversed() {
            stack.append(.node(root))
            if offset > 0 { stack.append(.text(" ")) }
        }
        while let step = stack.popLast() {
            switch step {
            case .text(let text):
                out += text
            case .node(let node):
                let entry = nodes[node]
                out += entry.revision.description
                switch entry.state {
                case .deleted: out += "!"
                case .placeholder: out += "?"
                case .live: break
                }
                guard !entry.children.isEmpty else { continue }
                out += "("
                stack.append(.text(")"))
                for (offset, child) in entry.children.enumerated().reversed() {
                    stack.append(.node(child))
                    if offset > 0 { stack.append(.text(",")) }
                }
            }
        }
        return "RevisionTree(\(out))"
    }
}
