// A revision tree is a document's edit history.
//
// Worked example (after CouchDB's couch_key_tree.erl). A document is at revision A and is
// replicated to a second node. Each node then edits it: the first makes B, the second C.
// Each node now holds a one-branch history, A→B and A→C. When they replicate again the
// histories are merged into A→(B|C): two live leaves, i.e. a conflict. One node resolves
// it by deleting C, which adds D (marked deleted) under C: A→(B|C→D). The live leaf B
// is now the only candidate for winner; D is a "deleted conflict".
//
// Because CouchDB keeps only the last `_revs_limit` revisions of each branch, a history
// may not reach back to generation 1; the tree is therefore a *forest*: several roots,
// each at its own position. A stemmed piece re-joins its ancestors when a longer history
// that contains both is merged later.
//
// A merge has exactly three outcomes (see `MergeOutcome`): the new revisions extend an
// existing leaf (`newLeaf`), they start a new branch (`newBranch`, i.e. a conflict), or
// nothing was new (`internalNode`).
//
// Representation: revisions are keys. A revision id is a hash over its parent and its
// content, so one revision has one parent; we therefore store every revision once, in a
// flat node array with parent and child indices, plus a dictionary from revision to
// node. That makes `contains` O(1) and extending a leaf O(path length), with no recursion
// anywhere (histories are routinely 1000 deep). CouchDB's nested-list tree can hold the
// same revision twice after some merges and repairs it on the next stem; here the
// duplicate cannot arise: a merge that touches a stemmed root re-attaches it instead.

/// A document's revision history: a forest of revisions with a deleted flag per node.
///
/// Value type with copy-on-write storage. Two trees are `==` when they hold the same
/// revisions with the same parent links and flags, whatever order they were built in.
public struct RevisionTree: Sendable, Equatable {
    /// What is known about a node's deleted flag.
    ///
    /// CouchDB distinguishes a node whose body was stored (a `#leaf{}` value) from an
    /// ancestor that only appeared in someone's `_revisions` (`?REV_MISSING`); its
    /// `value_pref` lets a real value replace the missing marker but never the reverse.
    /// Keeping that distinction makes merge order irrelevant: the flag a revision ends up
    /// with does not depend on whether it was first seen as an ancestor or as a leaf.
    enum State: UInt8, Sendable {
        /// Only seen as an ancestor; reads as not deleted.
        case placeholder = 0
        case live = 1
        case deleted = 2

        init(deleted: Bool) { self = deleted ? .deleted : .live }
        var isDeleted: Bool { self == .deleted }
    }

    /// One revision in the flat node array.
    struct Node: Sendable {
        var revision: Revision
        var state: State
        /// Index of the parent node, or -1 for a root (generation 1 or stemmed).
        var parent: Int
        /// Child node indices, ascending by id bytes so traversal order is canonical.
        /// Siblings share a position, so the id alone orders them.
        var children: [Int]
    }

    var nodes: [Node] = []
    var index: [Revision: Int] = [:]

    /// Creates an empty tree.
    public init() {}

    /// Whether the tree has no revisions.
    public var isEmpty: Bool { nodes.isEmpty }

    /// The number of revisions (nodes) in the tree.
    public var revisionCount: Int { nodes.count }

    /// All revisions, in no particular order (for tests and `revs_info`). O(n).
    public var allRevisions: [Revision] { nodes.map(\.revision) }

    /// Whether the tree holds `revision`. O(1) expected (one hash of the id).
    public func contains(_ revision: Revision) -> Bool { index[revision] != nil }

    /// Whether `revision` is in the tree and has no children. O(1) expected.
    public func isLeaf(_ revision: Revision) -> Bool {
        guard let node = index[revision] else { return false }
        return nodes[node].children.isEmpty
    }

    /// The deleted flag of `revision`, or nil when absent. Ancestors only known from
    /// some `_revisions` list read as not deleted. O(1) expected.
    public func isDeleted(_ revision: Revision) -> Bool? {
        guard let node = index[revision] else { return nil }
        return nodes[node].state.isDeleted
    }

    /// The parent of `revision`, or nil when it is absent or a root. O(1) expected.
    public func parent(of revision: Revision) -> Revision? {
        guard let node = index[revision], nodes[node].parent >= 0 else { return nil }
        return nodes[nodes[node].parent].revision
    }

    /// The children of `revision`, ascending by id bytes; empty when absent or a leaf.
    /// O(children).
    public func children(of revision: Revision) -> [Revision] {
        guard let node = index[revision] else { return [] }
        return nodes[node].children.map { nodes[$0].revision }
    }

    /// Structural equality: same revisions, same parent links, same flags. Independent
    /// of node order, so trees built by merging the same paths in any order are equal.
    /// O(n).
    public static func == (lhs: RevisionTree, rhs: RevisionTree) -> Bool {
        guard lhs.nodes.count == rhs.nodes.count else { return false }
        // Same count + every lhs revision present in rhs with the same parent means the
        // revision sets and edge sets coincide (revisions are unique on both sides).
        for node in lhs.nodes {
            guard let other = rhs.index[node.revision] else { return false }
            let twin = rhs.nodes[other]
            guard twin.state == node.state else { return false }
            switch (node.parent, twin.parent) {
            case (-1, -1):
                continue
            case let (left, right) where left >= 0 && right >= 0:
                guard lhs.nodes[left].revision == rhs.nodes[right].revision else { return false }
            default:
                return false
            }
        }
        return true
    }
}
