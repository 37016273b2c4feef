/// A revision history as replication sends it (`_revisions`): ids newest first; `start`
/// is the position of `ids[0]`, so `ids[k]` has position `start - k`.
///
/// A path need not reach back to position 1: CouchDB stems histories to `_revs_limit`,
/// so the oldest id is often some later generation.
public struct RevisionPath: Hashable, Sendable {
    /// The position of the newest revision, `ids[0]`.
    public var start: Int
    /// Revision ids, newest first.
    public var ids: [String]

    /// Creates a path from `_revisions`-style fields.
    public init(start: Int, ids: [String]) {
        self.start = start
        self.ids = ids
    }

    /// The revisions, newest first. O(n).
    ///
    /// Uses wrapping arithmetic so that an absurd `start` near `Int.min` cannot trap
    /// here; `RevisionTree.merge` refuses such paths instead.
    public var revisions: [Revision] {
        ids.enumerated().map { Revision(position: start &- $0.offset, id: $0.element) }
    }

    /// Byte-wise equality, consistent with `Revision`. O(total id length).
    public static func == (lhs: RevisionPath, rhs: RevisionPath) -> Bool {
        lhs.start == rhs.start && lhs.ids.count == rhs.ids.count
            && zip(lhs.ids, rhs.ids).allSatisfy { Revision.idEqual($0, $1) }
    }

    /// Hashes consistently with `==`. O(total id length).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(start)
        hasher.combine(ids.count)
        for (offset, id) in ids.enumerated() {
            hasher.combine(Revision(position: offset, id: id))
        }
    }
}
