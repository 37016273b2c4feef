// Low-level node bookkeeping shared by merge, stem, purge and decoding. Every algorithm
// here is iterative: trees are routinely 1000 revisions deep.

extension RevisionTree {
    /// Appends a node and links it under `parent` (or makes it a root when -1).
    /// O(siblings) for the sorted insert.
    @discardableResult
    mutating func appendNode(_ revision: Revision, state: State, parent: Int) -> Int {
        let node = nodes.count
        nodes.append(Node(revision: revision, state: state, parent: -1, children: []))
        index[revision] = node
        if parent >= 0 { attach(node, to: parent) }
        return node
    }

    /// Makes `child` (currently a root) a child of `parent`, keeping children sorted.
    /// O(log siblings) to find the slot plus O(siblings) to insert.
    mutating func attach(_ child: Int, to parent: Int) {
        let id = nodes[child].revision.id
        let siblings = nodes[parent].children
        // Binary search for the first sibling whose id is not below `id` (byte order).
        var low = 0
        var high = siblings.count
        while low < high {
            let middle = (low + high) / 2
            if Revision.idPrecedes(nodes[siblings[middle]].revision.id, id) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        nodes[parent].children.insert(child, at: low)
        nodes[child].parent = parent
    }

    /// Roots ascending by revision (position, then id bytes). O(n + r log r).
    func sortedRoots() -> [Int] {
        // Tie-break: roots at the same position are ordered by id bytes (Revision's `<`),
        // the order CouchDB's `lists:sort` gives its `{Pos, Tree}` roots.
        nodes.indices.filter { nodes[$0].parent < 0 }.sorted { nodes[$0].revision < nodes[$1].revision }
    }

    /// Every node once, parents before children, roots and siblings in ascending order.
    /// Uses an explicit stack. O(n + r log r).
    func preorder() -> [Int] {
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        // Push in reverse so the smallest root / child is popped first.
        var stack = Array(sortedRoots().reversed())
        while let node = stack.popLast() {
            order.append(node)
            stack.append(contentsOf: nodes[node].children.reversed())
        }
        return order
    }

    /// Drops every node whose `keep` entry is false. A kept node whose parent is dropped
    /// becomes a root; child lists keep their (sorted) order. O(n).
    mutating func compact(keeping keep: [Bool]) {
        var renumbered = [Int](repeating: -1, count: nodes.count)
        var kept: [Node] = []
        kept.reserveCapacity(nodes.count)
        for (old, node) in nodes.enumerated() where keep[old] {
            renumbered[old] = kept.count
            kept.append(node)
        }
        var newIndex: [Revision: Int] = [:]
        newIndex.reserveCapacity(kept.count)
        for position in kept.indices {
            let parent = kept[position].parent
            kept[position].parent = parent >= 0 ? renumbered[parent] : -1
            kept[position].children = kept[position].children.compactMap {
                renumbered[$0] >= 0 ? renumbered[$0] : nil
            }
            newIndex[kept[position].revision] = position
        }
        nodes = kept
        index = newIndex
    }
}
