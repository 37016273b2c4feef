import DocStore

import TestSupport

/// Conveniences for the property tests.
extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// Runs `body` for `cases` consecutive seeds; the seed goes into every failure message.
func forEachSeed(base: UInt64, cases: Int = 200, _ body: (UInt64, inout SplitMix64) -> Void) {
    for offset in 0..<UInt64(cases) {
        let seed = base &+ offset
        var rng = SplitMix64(seed: seed)
        body(seed, &rng)
    }
}

/// Ground truth: a consistent universe of revisions. Like real hash-based rev ids, every
/// revision has one parent and one deleted flag, whatever path it later travels in.
struct Universe {
    var rng: SplitMix64
    var parent: [Revision: Revision] = [:]
    var deleted: [Revision: Bool] = [:]
    var all: [Revision] = []
    var childCount: [Revision: Int] = [:]
    var deletedChance = 0.2
    private var counter = 0

    init(rng: SplitMix64) { self.rng = rng }

    /// A unique id whose random prefix makes sibling order random.
    mutating func freshID() -> String {
        counter += 1
        let prefix = String(UInt16.random(in: 0...UInt16.max, using: &rng), radix: 16)
        return prefix + "x" + String(counter)
    }

    /// A new revision under `parent` (or a new generation-1 root).
    @discardableResult
    mutating func makeChild(of parentRevision: Revision?) -> Revision {
        let revision = Revision(position: (parentRevision?.position ?? 0) + 1, id: freshID())
        if let parentRevision {
            parent[revision] = parentRevision
            childCount[parentRevision, default: 0] += 1
        }
        deleted[revision] = rng.chance(deletedChance)
        all.append(revision)
        return revision
    }

    /// Full true ancestry, newest first.
    func ancestry(of revision: Revision) -> [Revision] {
        var chain = [revision]
        while let next = parent[chain[chain.count - 1]] { chain.append(next) }
        return chain
    }

    /// A `_revisions`-style path ending at `revision`, randomly truncated.
    mutating func randomPath(to revision: Revision) -> RevisionPath {
        let chain = ancestry(of: revision)
        let length = rng.chance(0.3) ? chain.count : rng.int(1...chain.count)
        return path(chain.prefix(length))
    }

    func path<C: Collection<Revision>>(_ newestFirst: C) -> RevisionPath {
        RevisionPath(start: newestFirst.first!.position, ids: newestFirst.map(\.id))
    }

    var leaves: [Revision] { all.filter { childCount[$0, default: 0] == 0 } }

    /// A random forest of `size` revisions.
    mutating func grow(size: Int) {
        if all.isEmpty { makeChild(of: nil) }
        while all.count < size {
            let roll = rng.int(0...9)
            if roll == 0 {
                makeChild(of: nil)
            } else if roll <= 5 {
                makeChild(of: rng.pick(leaves))
            } else {
                makeChild(of: rng.pick(all))
            }
        }
    }

    /// Paths covering every leaf (randomly truncated) plus some random extra paths.
    mutating func randomPaths() -> [(RevisionPath, Bool)] {
        var result: [(RevisionPath, Bool)] = []
        for leaf in leaves { result.append((randomPath(to: leaf), deleted[leaf]!)) }
        for _ in 0..<rng.int(0...4) {
            let revision = rng.pick(all)
            result.append((randomPath(to: revision), deleted[revision]!))
        }
        return result
    }
}

func build(_ paths: [(RevisionPath, Bool)]) -> RevisionTree {
    var tree = RevisionTree()
    for (path, deleted) in paths { tree.merge(path, leafDeleted: deleted) }
    return tree
}

/// A path from revision strings, oldest first (as the tree reads top-down).
func path(_ oldestFirst: String...) -> RevisionPath {
    let revisions = oldestFirst.map { Revision($0)! }
    return RevisionPath(start: revisions.last!.position, ids: revisions.reversed().map(\.id))
}

func rev(_ string: String) -> Revision { Revision(string)! }

/// Canonical text of a tree: roots ascending, `pos-id`, `!` when deleted, children in
/// parentheses. Built only from the public API.
func shape(_ tree: RevisionTree) -> String {
    func label(_ revision: Revision) -> String {
        revision.description + (tree.isDeleted(revision) == true ? "!" : "")
    }
    enum Item { case node(Revision), text(String) }
    var out = ""
    var stack: [Item] = []
    let roots = tree.allRevisions.filter { tree.parent(of: $0) == nil }.sorted()
    for (offset, root) in roots.enumerated().reversed() {
        stack.append(.node(root))
        if offset > 0 { stack.append(.text(" ")) }
    }
    while let item = stack.popLast() {
        switch item {
        case .text(let text): out += text
        case .node(let revision):
            out += label(revision)
            let children = tree.children(of: revision)
            guard !children.isEmpty else { continue }
            out += "("
            stack.append(.text(")"))
            for (offset, child) in children.enumerated().reversed() {
                stack.append(.node(child))
                if offset > 0 { stack.append(.text(",")) }
            }
        }
    }
    return out
}

/// Winner key written independently of the library: (!deleted, position, id bytes).
func winnerKeyLess(_ lhs: RevisionTree.Leaf, _ rhs: RevisionTree.Leaf) -> Bool {
    let left = (lhs.deleted ? 0 : 1, lhs.revision.position)
    let right = (rhs.deleted ? 0 : 1, rhs.revision.position)
    if left != right { return left < right }
    return Array(lhs.revision.id.utf8).lexicographicallyPrecedes(Array(rhs.revision.id.utf8))
}
