import DocStore
import Testing

/// remove_leafs, leaf retrieval, leaf counting and stemming cases from
/// couch_key_tree_tests.erl (positions shifted from 0 to 1).
@Suite struct CouchDBRemoveStemTests {
    static func twoChildSibs() -> RevisionTree { build([(path("1-1", "2-1a"), false), (path("1-1", "2-1b"), false)]) }
    static func stemmed() -> RevisionTree { build([(path("2-1a", "3-1aa"), false)]) }
    static func twoChild() -> RevisionTree { build([(path("1-1", "2-1a", "3-1aa"), false)]) }

    @Test func removingNoLeavesHasNoEffect() {
        var tree = Self.twoChildSibs()
        #expect(tree.removeLeaves([]) == [])
        #expect(tree == Self.twoChildSibs())
    }

    @Test func removingAnInternalNodeHasNoEffect() {
        var tree = Self.twoChildSibs()
        #expect(tree.removeLeaves([rev("1-1")]) == [])
        #expect(shape(tree) == "1-1(2-1a,2-1b)")
    }

    @Test func removesALeaf() {
        var tree = Self.twoChildSibs()
        #expect(tree.removeLeaves([rev("2-1b")]) == [rev("2-1b")])
        #expect(shape(tree) == "1-1(2-1a)")
    }

    @Test func removingAllLeavesEmptiesTheTree() {
        var tree = Self.twoChildSibs()
        #expect(tree.removeLeaves([rev("2-1b"), rev("2-1a")]) == [rev("2-1b"), rev("2-1a")])
        #expect(tree.isEmpty)
        #expect(tree == RevisionTree())
    }

    @Test func removingAnInternalNodeOfAStemmedTreeHasNoEffect() {
        var tree = Self.stemmed()
        #expect(tree.removeLeaves([rev("2-1a")]) == [])
        #expect(shape(tree) == "2-1a(3-1aa)")
    }

    @Test func removingTheLastLeafEmptiesTheTree() {
        var tree = Self.stemmed()
        #expect(tree.removeLeaves([rev("3-1aa")]) == [rev("3-1aa")])
        #expect(tree.isEmpty)
    }

    @Test func removalReportsEachLeafOnceAndIgnoresUnknowns() {
        var tree = Self.twoChildSibs()
        #expect(tree.removeLeaves([rev("2-1a"), rev("9-zz"), rev("2-1a")]) == [rev("2-1a")])
        #expect(shape(tree) == "1-1(2-1b)")
    }

    @Test func gathersLeaves() {
        let tree = Self.twoChildSibs()
        #expect(tree.leaves(descendingFrom: rev("1-x")) == [])
        #expect(tree.leaves(descendingFrom: rev("2-1a")).map(\.revision) == [rev("2-1a")])
        #expect(Set(tree.leaves(descendingFrom: rev("1-1")).map(\.revision)) == [rev("2-1a"), rev("2-1b")])
        let oneChild = build([(path("1-1", "2-1a"), false)])
        #expect(oneChild.leaves(descendingFrom: rev("1-1")).map(\.revision) == [rev("2-1a")])
    }

    @Test func retrievesFullKeyPaths() {
        let tree = Self.twoChildSibs()
        #expect(tree.path(to: rev("1-1")) == RevisionPath(start: 1, ids: ["1"]))
        #expect(tree.path(to: rev("2-1a")) == RevisionPath(start: 2, ids: ["1a", "1"]))
        #expect(tree.path(to: rev("2-zz")) == nil)
        #expect(Self.stemmed().path(to: rev("3-1aa")) == RevisionPath(start: 3, ids: ["1aa", "1a"]))
    }

    @Test func countsLeaves() {
        #expect(RevisionTree().leaves.isEmpty)
        #expect(build([(path("1-1"), false)]).leaves.count == 1)
        #expect(Self.twoChildSibs().leaves.count == 2)
        #expect(build([(path("3-1bb"), false)]).leaves.count == 1)
    }

    @Test func stemmingDeeperThanTheTreeChangesNothing() {
        var tree = Self.twoChild()
        tree.stem(toDepth: 3)
        #expect(tree == Self.twoChild())
    }

    @Test func stemmingToOneKeepsTheDeepestNode() {
        var tree = Self.twoChild()
        tree.stem(toDepth: 1)
        #expect(shape(tree) == "3-1aa")
    }

    @Test func stemmingToTwoKeepsTheTwoDeepestNodes() {
        var tree = Self.twoChild()
        tree.stem(toDepth: 2)
        #expect(shape(tree) == "2-1a(3-1aa)")
    }

    @Test func stemmingSplitsARoot() {
        var tree = build([(path("1-r", "2-a", "3-a1"), false), (path("1-r", "2-b", "3-b1", "4-b2"), false)])
        tree.stem(toDepth: 2)
        #expect(shape(tree) == "2-a(3-a1) 3-b1(4-b2)")
    }

    @Test func stemmingKeepsLinksBetweenKeptRevisions() {
        // CouchDB 3.x stem_tree: 1-r survives for 2-A's sake and keeps its link to 2-B,
        // so 3-C's history shows three revisions although the limit is two.
        var tree = build([(path("1-r", "2-A"), false), (path("1-r", "2-B", "3-C"), false)])
        tree.stem(toDepth: 2)
        #expect(shape(tree) == "1-r(2-A,2-B(3-C))")
        tree.stem(toDepth: 1)
        #expect(shape(tree) == "2-A 3-C")
    }
}
