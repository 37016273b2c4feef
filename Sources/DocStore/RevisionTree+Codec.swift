// Compact binary storage form.
//
// Layout (version 1), all integers unsigned LEB128 unless noted:
//
//   version byte (1) · node count · node records in canonical preorder
//
// A node record is: state byte (0 placeholder, 1 live, 2 deleted) · position as a
// zigzag varint, present only for roots · id length · id bytes (UTF-8) · child count.
// Roots come in ascending revision order and children in ascending id order, so equal
// trees encode to equal bytes. A non-root's position is its parent's plus one and its
// parent is implied by the preorder, which keeps a 1000-deep chain at about 36 bytes
// per revision (the id dominates).
//
// Decoding treats the input as hostile: every length is bounded by the bytes left,
// revisions must be unique, and the structure must account for exactly `count` records.

extension RevisionTree {
    static let formatVersion: UInt8 = 1

    /// Compact binary form for storage; equal trees give equal bytes.
    /// O(n + r log r + total id length).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [RevisionTree.formatVersion]
        out.reserveCapacity(1 + nodes.count * 36)
        RevisionTree.appendVarint(UInt64(nodes.count), to: &out)
        for node in preorder() {
            let entry = nodes[node]
            out.append(entry.state.rawValue)
            if entry.parent < 0 {
                let position = Int64(entry.revision.position)
                RevisionTree.appendVarint(UInt64(bitPattern: (position << 1) ^ (position >> 63)), to: &out)
            }
            let id = entry.revision.id.utf8
            RevisionTree.appendVarint(UInt64(id.count), to: &out)
            out.append(contentsOf: id)
            RevisionTree.appendVarint(UInt64(entry.children.count), to: &out)
        }
        return out
    }

    /// Decodes `encoded()` output; rejects malformed input with `RevisionTreeError`
    /// (never crashes). O(b + n log c) for b bytes, n nodes, c the largest sibling group
    /// (only if siblings arrive unsorted).
    public init(decoding bytes: [UInt8]) throws(RevisionTreeError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(RevisionTreeError) -> RevisionTree in try RevisionTree(decoding: raw) }
        }
        self = try result.get()
    }

    /// Decodes `encoded()` output; rejects malformed input with `RevisionTreeError`
    /// (never crashes). O(b + n log c) for b bytes, n nodes, c the largest sibling group
    /// (only if siblings arrive unsorted).
    public init(decoding bytes: UnsafeRawBufferPointer) throws(RevisionTreeError) {
        var reader = TreeReader(bytes)
        guard try reader.byte() == RevisionTree.formatVersion else {
            throw RevisionTreeError(message: "unknown format version")
        }
        // Every record takes at least 3 bytes, which bounds the count before we reserve.
        let count = try reader.count(atMost: reader.remaining / 3)
        var tree = RevisionTree()
        tree.nodes.reserveCapacity(count)
        tree.index.reserveCapacity(count)

        // Nodes still owed children, innermost last; `owed` is their total.
        var pending: [(node: Int, children: Int)] = []
        var owed = 0
        for _ in 0..<count {
            guard let state = State(rawValue: try reader.byte()) else {
                throw RevisionTreeError(message: "bad node state")
            }
            let parent: Int
            let position: Int
            if let top = pending.last {
                parent = top.node
                let next = tree.nodes[parent].revision.position.addingReportingOverflow(1)
                guard !next.overflow else { throw RevisionTreeError(message: "position overflow") }
                position = next.partialValue
                owed -= 1
                if top.children == 1 {
                    pending.removeLast()
                } else {
                    pending[pending.count - 1].children -= 1
                }
            } else {
                parent = -1
                position = try reader.signed()
            }
            let id = try reader.string(length: try reader.count(atMost: reader.remaining))
            // Children must fit in the records not yet read and not already owed.
            let recordsLeft = count - tree.nodes.count - 1
            let children = try reader.count(atMost: recordsLeft - owed)

            let revision = Revision(position: position, id: id)
            guard tree.index[revision] == nil else {
                throw RevisionTreeError(message: "duplicate revision \(revision)")
            }
            let node = tree.nodes.count
            tree.nodes.append(Node(revision: revision, state: state, parent: parent, children: []))
            tree.index[revision] = node
            if parent >= 0 { tree.nodes[parent].children.append(node) }
            if children > 0 {
                pending.append((node, children))
                owed += children
            }
        }
        guard pending.isEmpty else { throw RevisionTreeError(message: "missing child records") }
        guard reader.isAtEnd else { throw RevisionTreeError(message: "trailing bytes") }

        // Our encoder writes siblings sorted; accept other orders but restore the
        // invariant that the rest of the code relies on.
        for node in tree.nodes.indices where tree.nodes[node].children.count > 1 {
            let children = tree.nodes[node].children
            let isSorted = zip(children, children.dropFirst()).allSatisfy {
                Revision.idPrecedes(tree.nodes[$0].revision.id, tree.nodes[$1].revision.id)
            }
            if !isSorted {
                // Siblings share a position and revisions are unique, so ids differ.
                tree.nodes[node].children = children.sorted {
                    Revision.idPrecedes(tree.nodes[$0].revision.id, tree.nodes[$1].revision.id)
                }
            }
        }
        self = tree
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
