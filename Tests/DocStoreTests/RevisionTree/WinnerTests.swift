import DocStore
import Testing

/// Winner examples from CouchDB's "Replication and conflicts" documentation.
@Suite struct WinnerTests {
    @Test func higherIdWinsAtEqualPosition() {
        let tree = build([(path("1-x", "2-a"), false), (path("1-x", "2-b"), false)])
        #expect(tree.winner == .init(revision: rev("2-b"), deleted: false))
        #expect(tree.conflicts == [rev("2-a")])
        #expect(tree.deletedConflicts == [])
    }

    @Test func documentationExampleWithThreeConflictingLeaves() {
        // GET /db/test?conflicts=true in conflicts.rst: winner 2-b91b…, then _conflicts
        // in this exact order.
        let ids = ["5bc3c6319edf62d4c624277fdd0ae191", "65db2a11b5172bf928e3bcf59f728970",
                   "b91bb807b4685080c6a651115ff558f5"]
        var tree = RevisionTree()
        for id in ids { tree.merge(RevisionPath(start: 2, ids: [id, "967a00dff5e02add41819138abb3284d"]), leafDeleted: false) }
        #expect(tree.winner?.revision.description == "2-b91bb807b4685080c6a651115ff558f5")
        #expect(tree.conflicts.map(\.description)
            == ["2-65db2a11b5172bf928e3bcf59f728970", "2-5bc3c6319edf62d4c624277fdd0ae191"])
    }

    @Test func deletedLeafLosesToShorterLiveLeaf() {
        let tree = build([(path("1-a", "2-b", "3-c"), true), (path("1-a", "2-d"), false)])
        #expect(tree.winner == .init(revision: rev("2-d"), deleted: false))
        #expect(tree.conflicts == [])
        #expect(tree.deletedConflicts == [rev("3-c")])
    }

    @Test func longerHistoryBeatsHigherId() {
        let tree = build([(path("1-a", "2-b", "3-a"), false), (path("1-a", "2-z"), false)])
        #expect(tree.winner?.revision == rev("3-a"))
        #expect(tree.conflicts == [rev("2-z")])
    }

    @Test func allDeletedPicksTheDeepestDeletedLeaf() {
        let tree = build([(path("1-a", "2-b", "3-c"), true), (path("1-a", "2-z"), true), (path("1-a", "2-y"), true)])
        #expect(tree.winner == .init(revision: rev("3-c"), deleted: true))
        #expect(tree.conflicts == [])
        #expect(tree.deletedConflicts == [rev("2-z"), rev("2-y")])
    }

    @Test func resolvingAConflictByDeletion() {
        // The worked example: A→(B|C), then C is deleted by adding D under it.
        var tree = build([(path("1-A", "2-B"), false), (path("1-A", "2-C"), false)])
        #expect(tree.conflicts.count == 1)
        #expect(tree.merge(path("1-A", "2-C", "3-D"), leafDeleted: true) == .newLeaf)
        #expect(tree.winner == .init(revision: rev("2-B"), deleted: false))
        #expect(tree.conflicts == [])
        #expect(tree.deletedConflicts == [rev("3-D")])
    }

    @Test func winnerIsFirstLeafAndEmptyTreeHasNone() {
        #expect(RevisionTree().winner == nil)
        #expect(RevisionTree().conflicts == [])
        let tree = build([(path("1-a"), false), (path("1-b"), true), (path("1-c"), false)])
        #expect(tree.leaves.map(\.revision) == [rev("1-c"), rev("1-a"), rev("1-b")])
        #expect(tree.winner == tree.leaves.first)
    }

    @Test func keyTreeOrderListsRootsFromLastAndLeavesDepthFirst() {
        // CouchDB 3.4.3's _bulk_get of {1-a, 1-b, 1-d→2-c} answers 2-c, 1-b, 1-a; under one
        // root, leaves come depth-first with siblings ascending.
        let tree = build([
            (path("1-a"), false), (path("1-b"), true), (path("1-d", "2-c"), false),
            (path("1-e", "2-f", "3-z"), false), (path("1-e", "2-f", "3-y"), false), (path("1-e", "2-g"), true),
        ])
        #expect(tree.leavesInKeyTreeOrder.map(\.revision) == [rev("3-y"), rev("3-z"), rev("2-g"), rev("2-c"), rev("1-b"), rev("1-a")])
        #expect(tree.leavesInKeyTreeOrder.map(\.deleted) == [false, false, true, false, true, false])
        #expect(Set(tree.leavesInKeyTreeOrder) == Set(tree.leaves))
    }
}
