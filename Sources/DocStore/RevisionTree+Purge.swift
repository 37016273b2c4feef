// Purge (couch_key_tree:remove_leafs/2).
//
// CouchDB flattens the tree into root-to-leaf paths, drops the paths ending in a purged
// leaf and re-merges the rest. The effect: the purged leaves go, and so does every
// ancestor that no remaining leaf descends from. Leaf status is decided on the tree as it
// was before the purge, so naming a leaf and its parent removes the parent only because
// it is left childless, and only the leaf is reported, as CouchDB reports it.

extension RevisionTree {
    /// Purge: removes the given leaves and every ancestor left without children; returns
    /// the revisions actually removed (leaf revisions not present or not leaves are
    /// ignored).
    ///
    /// The result lists the purged *leaves* (input order, each once), like CouchDB's
    /// `remove_leafs` and the `_purge` response; ancestors pruned with them are not
    /// listed, since they were not asked for.
    ///
    /// Complexity: O(n + k) for n nodes and k requested revisions when anything is
    /// removed (the node array is compacted), O(k) otherwise.
    @discardableResult
    public mutating func removeLeaves(_ revisions: [Revision]) -> [Revision] {
        var doomed = [Bool](repeating: false, count: nodes.count)
        var removedLeaves: [Int] = []
        for revision in revisions {
            guard let node = index[revision], nodes[node].children.isEmpty, !doomed[node] else { continue }
            doomed[node] = true
            removedLeaves.append(node)
        }
        guard !removedLeaves.isEmpty else { return [] }

        // Walk up from each purged leaf, removing ancestors whose last child went.
        var remainingChildren = nodes.map(\.children.count)
        for leaf in removedLeaves {
            var node = leaf
            while nodes[node].parent >= 0 {
                let parent = nodes[node].parent
                remainingChildren[parent] -= 1
                guard remainingChildren[parent] == 0 else { break }
                doomed[parent] = true
                node = parent
            }
        }
        let result = removedLeaves.map { nodes[$0].revision }
        compact(keeping: doomed.map { !$0 })
        return result
    }
}
