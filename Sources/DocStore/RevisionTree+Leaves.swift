// Leaves, the winning revision and ancestry queries.
//
// CouchDB's winner (couch_doc:to_doc_info) sorts leaves by `{not Deleted, Pos, RevId}`
// descending: any live leaf beats every deleted one, then the longer history wins, then
// the byte-wise greater id. The rule is deterministic so every replica picks the same
// winner without talking to the others.

extension RevisionTree {
    /// A leaf revision and its deleted flag.
    public struct Leaf: Hashable, Sendable {
        /// The leaf revision.
        public var revision: Revision
        /// Whether the leaf is a deletion (tombstone); deleted leaves never beat live ones.
        public var deleted: Bool

        /// Creates a leaf value.
        public init(revision: Revision, deleted: Bool) {
            self.revision = revision
            self.deleted = deleted
        }
    }

    /// Whether `lhs` comes before `rhs` in winner order.
    static func winnerPrecedes(_ lhs: Leaf, _ rhs: Leaf) -> Bool {
        // 1. Live before deleted.
        if lhs.deleted != rhs.deleted { return !lhs.deleted }
        // 2. Higher position (longer history) first.
        if lhs.revision.position != rhs.revision.position {
            return lhs.revision.position > rhs.revision.position
        }
        // 3. Tie-break: higher id by bytes first. Ids at one position are unique, so
        // this is a total order on a tree's leaves.
        return Revision.idPrecedes(rhs.revision.id, lhs.revision.id)
    }

    /// All leaves in winner order: non-deleted before deleted, then higher position,
    /// then higher id. O(n + l log l) for n nodes and l leaves.
    public var leaves: [Leaf] {
        var result: [Leaf] = []
        for node in nodes where node.children.isEmpty {
            result.append(Leaf(revision: node.revision, deleted: node.state.isDeleted))
        }
        // Winner order; ties are impossible (see `winnerPrecedes`).
        result.sort(by: RevisionTree.winnerPrecedes)
        return result
    }

    /// The winning leaf (`leaves.first`), nil for an empty tree. O(n).
    public var winner: Leaf? {
        var best: Leaf?
        for node in nodes where node.children.isEmpty {
            let leaf = Leaf(revision: node.revision, deleted: node.state.isDeleted)
            if let current = best, !RevisionTree.winnerPrecedes(leaf, current) { continue }
            best = leaf
        }
        return best
    }

    /// Non-deleted leaves except the winner, in winner order (`_conflicts`).
    /// O(n + l log l).
    public var conflicts: [Revision] {
        leaves.dropFirst().filter { !$0.deleted }.map(\.revision)
    }

    /// Deleted leaves except the winner, in winner order (`_deleted_conflicts`).
    /// O(n + l log l).
    public var deletedConflicts: [Revision] {
        leaves.dropFirst().filter(\.deleted).map(\.revision)
    }

    /// The ancestry of `revision`, itself first, back to its (possibly stemmed) root:
    /// what `_revisions` shows. Nil when absent. O(depth).
    public func path(to revision: Revision) -> RevisionPath? {
        guard var node = index[revision] else { return nil }
        var ids = [nodes[node].revision.id]
        while nodes[node].parent >= 0 {
            node = nodes[node].parent
            ids.append(nodes[node].revision.id)
        }
        return RevisionPath(start: revision.position, ids: ids)
    }

    /// Leaves that are `revision` or descend from it (for `open_revs` with
    /// `latest=true`), in winner order; empty when `revision` is absent.
    /// O(s + l log l) for a subtree of s nodes and l leaves.
    public func leaves(descendingFrom revision: Revision) -> [Leaf] {
        // Winner order; ties are impossible (see `winnerPrecedes`).
        (index[revision].map(leaves(under:)) ?? []).sorted(by: RevisionTree.winnerPrecedes)
    }

    /// Every leaf in the order CouchDB's `couch_key_tree:get_all_leafs` lists them, which
    /// `_bulk_get` answers for a document asked without `rev`: roots from the greatest
    /// (position, id) to the least, and under each root its leaves depth-first with
    /// siblings ascending. O(n + r log r).
    public var leavesInKeyTreeOrder: [Leaf] {
        sortedRoots().reversed().flatMap(leaves(under:))
    }

    /// The leaves below `root` (itself if it is one), depth-first with siblings ascending.
    /// Uses an explicit stack: histories are routinely 1000 deep.
    private func leaves(under root: Int) -> [Leaf] {
        var result: [Leaf] = []
        var stack = [root]
        while let node = stack.popLast() {
            let children = nodes[node].children
            if children.isEmpty {
                result.append(Leaf(revision: nodes[node].revision, deleted: nodes[node].state.isDeleted))
            } else {
                // Pushed in reverse so the smallest child is visited first.
                stack.append(contentsOf: children.reversed())
            }
        }
        return result
    }
}
