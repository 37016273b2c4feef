import Foundation
import DocStore
import Testing

/// Deep histories: nothing may recurse, and extending a 1000-deep leaf must be cheap.
@Suite struct DeepTreeTests {
    static func hexID(_ number: Int) -> String {
        let digits = String(number, radix: 16)
        return String(repeating: "0", count: max(0, 32 - digits.count)) + digits
    }

    static func chain(depth: Int) -> RevisionTree {
        var tree = RevisionTree()
        tree.merge(RevisionPath(start: 1, ids: [hexID(1)]), leafDeleted: false)
        for position in 2...depth {
            tree.merge(RevisionPath(start: position, ids: [hexID(position), hexID(position - 1)]), leafDeleted: false)
        }
        return tree
    }

    @Test func thousandDeepTreeExtendsWithItsFullHistory() {
        var tree = Self.chain(depth: 1000)
        tree.merge(RevisionPath(start: 500, ids: ["branch", Self.hexID(499)]), leafDeleted: false)
        // Replication sends the whole stemmed history with every new revision.
        let fullHistory = (1...1001).reversed().map(Self.hexID)
        var copy = tree
        #expect(copy.merge(RevisionPath(start: 1001, ids: fullHistory), leafDeleted: false) == .newLeaf)

        tree.merge(RevisionPath(start: 1001, ids: fullHistory), leafDeleted: false)
        #expect(tree.winner?.revision == Revision(position: 1001, id: Self.hexID(1001)))
        #expect(tree.conflicts == [Revision(position: 500, id: "branch")])
        #expect(tree.path(to: tree.winner!.revision)?.ids == fullHistory)
        tree.stem(toDepth: 100)
        // Each leaf keeps its last 100 revisions: 902…1001 and 401…499 + "branch".
        #expect(tree.revisionCount == 200)
        #expect(tree.path(to: tree.winner!.revision)?.ids.count == 100)
        #expect(tree.path(to: Revision(position: 500, id: "branch"))?.start == 500)
        #expect(tree.path(to: Revision(position: 500, id: "branch"))?.ids.count == 100)
    }

    @Test func veryDeepTreeNeedsNoRecursion() throws {
        let depth = 30_000
        var tree = Self.chain(depth: depth)
        tree.merge(RevisionPath(start: 2, ids: ["side", Self.hexID(1)]), leafDeleted: true)
        let bytes = tree.encoded()
        let decoded = try RevisionTree(decoding: bytes)
        #expect(decoded == tree)
        #expect(decoded.leaves.count == 2)
        #expect(tree.leaves(descendingFrom: Revision(position: 1, id: Self.hexID(1))).count == 2)
        #expect(tree.path(to: tree.winner!.revision)?.ids.count == depth)
        var stemmed = tree
        stemmed.stem(toDepth: 10)
        #expect(stemmed.revisionCount == 12)  // 10 deep revisions + "side" and its parent
        var purged = tree
        #expect(purged.removeLeaves([tree.winner!.revision]).count == 1)
        #expect(purged.revisionCount == 2)
    }
}
