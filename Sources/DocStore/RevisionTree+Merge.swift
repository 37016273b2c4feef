// Merging a revision path into the tree (couch_key_tree:merge/2).
//
// CouchDB walks its nested tree to line the path up with a root: if the path starts
// (oldest revision) above a root it walks down the path to the root's depth; if it starts
// below, it searches the tree at the path's starting depth. Both searches reduce, with
// revisions stored once, to "find the newest path revision the tree already has":
// everything newer is new and hangs below it, everything older must be its ancestry.
//
// Walking that ancestry upward is also where stemmed pieces re-join: when the tree's
// copy of a path revision is a root but the path knows its parent, the root is attached
// under that parent (creating it if needed), as CouchDB's `merge_at` keeps the insert
// path's nodes above a deeper root. A chain can then outgrow `_revs_limit` (an older
// revision kept for a sibling's sake): reads cut `_revisions` to the limit, as
// couch_db:make_doc does.

extension RevisionTree {
    /// The three results of a merge, as in couch_key_tree.
    public enum MergeOutcome: Sendable, Equatable {
        /// The path's new part hangs under a revision that was a leaf: a plain edit.
        case newLeaf
        /// The path's new part hangs under a revision that already had children, or the
        /// path shares nothing with a non-empty tree (new root): a conflict.
        case newBranch
        /// Nothing new hangs under a known revision: the path was already present (at
        /// most it added unknown ancestors above a stemmed root).
        case internalNode
    }

    /// Merges a path (leaf first). The leaf node's `deleted` flag is `leafDeleted`;
    /// ancestors not yet in the tree are added as not-deleted nodes; nodes already
    /// present keep their flag.
    ///
    /// - .newLeaf: the path extended an existing leaf (its parent was a leaf);
    /// - .newBranch: it added a leaf under a non-leaf node or a new root (a conflict);
    ///   the first path into an empty tree is `.newLeaf`, as in CouchDB (`merge_tree([],
    ///   Tree, []) -> {[Tree], new_leaf}`), so a document's first write is an edit;
    /// - .internalNode: nothing new (the whole path was already present).
    ///
    /// When several new links hang under known revisions (a path bridging a stemmed
    /// gap), the outcome comes from the oldest one, the place where CouchDB's merge
    /// would have lined the path up with the tree.
    ///
    /// Flags: a revision first seen as an ancestor is a placeholder; when it later
    /// arrives as a path's leaf it takes `leafDeleted` (CouchDB's `value_pref` prefers a
    /// real value to `?REV_MISSING`). A flag that came from a leaf is never changed.
    ///
    /// Inconsistent input: if the path gives a known revision a different parent than
    /// the tree has, the tree's parent stands and the path's older part is ignored (a
    /// revision id hashes its parent, so only a forged history can do this).
    ///
    /// An empty path, or one whose positions would overflow `Int`, changes nothing and
    /// returns `.internalNode`.
    ///
    /// Complexity: O(p + a) expected, with p the number of new revisions at the leaf end
    /// and a the length of the ancestry shared with the tree (both ≤ path length).
    @discardableResult
    public mutating func merge(_ path: RevisionPath, leafDeleted: Bool) -> MergeOutcome {
        let ids = path.ids
        guard !ids.isEmpty else { return .internalNode }
        guard !path.start.subtractingReportingOverflow(ids.count - 1).overflow else {
            return .internalNode
        }
        let start = path.start
        func revision(_ offset: Int) -> Revision { Revision(position: start - offset, id: ids[offset]) }
        let leafState = State(deleted: leafDeleted)
        let wasEmpty = nodes.isEmpty

        // 1. The newest path revision the tree already has.
        var anchorOffset = 0
        var anchorNode = -1
        while anchorOffset < ids.count {
            if let node = index[revision(anchorOffset)] {
                anchorNode = node
                break
            }
            anchorOffset += 1
        }

        guard anchorNode >= 0 else {
            // Nothing in common: the whole path becomes a new root, oldest first.
            var parent = -1
            for offset in stride(from: ids.count - 1, through: 0, by: -1) {
                parent = appendNode(revision(offset), state: offset == 0 ? leafState : .placeholder, parent: parent)
            }
            return wasEmpty ? .newLeaf : .newBranch
        }

        // 2. Hang the new revisions (all newer than the anchor) below it.
        var outcome = MergeOutcome.internalNode
        if anchorOffset > 0 {
            outcome = nodes[anchorNode].children.isEmpty ? .newLeaf : .newBranch
            var parent = anchorNode
            for offset in stride(from: anchorOffset - 1, through: 0, by: -1) {
                parent = appendNode(revision(offset), state: offset == 0 ? leafState : .placeholder, parent: parent)
            }
        } else if nodes[anchorNode].state == .placeholder {
            nodes[anchorNode].state = leafState
        }

        // 3. Walk the anchor's ancestry upward in step with the path's older part.
        var current = anchorNode
        var offset = anchorOffset
        while offset + 1 < ids.count {
            let older = revision(offset + 1)
            let parent = nodes[current].parent
            if parent >= 0 {
                // The tree already knows this link; a different parent means the
                // path's history is inconsistent with ours, and ours stands.
                guard nodes[parent].revision == older else { break }
                current = parent
            } else if let known = index[older] {
                // A stemmed root re-joins a revision the tree already has. This link is
                // older than any found before, so it decides the outcome.
                outcome = nodes[known].children.isEmpty ? .newLeaf : .newBranch
                attach(current, to: known)
                current = known
            } else {
                // Ancestry the tree had stemmed away (or never saw): add it above.
                let created = appendNode(older, state: .placeholder, parent: -1)
                attach(current, to: created)
                current = created
            }
            offset += 1
        }
        return outcome
    }

    /// Merges a path given as revisions, newest first, each the child of the next.
    /// Returns nil (and changes nothing) when the positions are not consecutive.
    /// Complexity: that of `merge(_:leafDeleted:)` plus O(path length) to check.
    @discardableResult
    public mutating func merge(revisions: [Revision], leafDeleted: Bool) -> MergeOutcome? {
        guard let first = revisions.first else { return nil }
        for (offset, revision) in revisions.enumerated() {
            let expected = first.position.subtractingReportingOverflow(offset)
            guard !expected.overflow, expected.partialValue == revision.position else { return nil }
        }
        return merge(RevisionPath(start: first.position, ids: revisions.map(\.id)), leafDeleted: leafDeleted)
    }
}
