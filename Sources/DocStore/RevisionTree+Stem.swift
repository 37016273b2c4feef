// Stemming (couch_key_tree:stem/2): forgetting old history beyond `_revs_limit`.
//
// CouchDB 3.x's `stem_tree` walks each root keeping, per node, the largest remaining
// budget among its children: a leaf starts with `Limit - 1`, each step up spends one, and
// a node survives while some child still has budget. Put differently, a node is kept
// exactly when some leaf below it is fewer than `depth` generations away, so each leaf
// keeps its last `depth` revisions. Kept nodes stay linked to kept parents; the children
// of a dropped node become roots. No leaf is ever dropped (it is 0 away from itself).
//
// Note that a kept branch can hang from a node kept only for a sibling's sake, so a
// root-to-leaf chain can be longer than `depth`; CouchDB behaves the same (its older,
// path-based stem re-merges the truncated paths and joins them at shared nodes too).

extension RevisionTree {
    /// Keeps at most `depth` revisions of every leaf's history (counted from each leaf):
    /// a node survives iff some leaf below it is fewer than `depth` generations away.
    /// Nodes no leaf keeps are dropped; a root may be split into several roots. Never
    /// drops a leaf. `depth` below 1 is treated as 1.
    ///
    /// Complexity: O(n + r log r) for n nodes and r roots; iterative.
    public mutating func stem(toDepth depth: Int) {
        guard !nodes.isEmpty else { return }
        let limit = max(depth, 1)

        // Distance from each node to its nearest descendant leaf, children before
        // parents (reverse preorder) so each distance is final before it propagates.
        var distance = [Int](repeating: Int.max, count: nodes.count)
        var needsWork = false
        for node in preorder().reversed() {
            if nodes[node].children.isEmpty { distance[node] = 0 }
            if distance[node] >= limit { needsWork = true }
            let parent = nodes[node].parent
            if parent >= 0, distance[node] + 1 < distance[parent] {
                distance[parent] = distance[node] + 1
            }
        }
        guard needsWork else { return }
        compact(keeping: distance.map { $0 < limit })
    }
}
