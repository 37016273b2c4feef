import DocStore
import Testing

/// Ports of src/couch/test/eunit/couch_key_tree_tests.erl. The remove/get/stem cases
/// there use position 0; they are shifted to start at 1 here (our parser refuses 0).
/// Paths are written oldest first.
@Suite struct CouchDBCasesTests {
    struct MergeCase: CustomTestStringConvertible, Sendable {
        let name: String
        let initial: [RevisionPath]
        let merged: RevisionPath
        let expected: String
        let outcome: RevisionTree.MergeOutcome
        var testDescription: String { name }
    }

    static let twoChildSibs = [path("1-1", "2-1a"), path("1-1", "2-1b")]
    static let twoChild = [path("1-1", "2-1a", "3-1aa")]

    static let mergeCases: [MergeCase] = [
        .init(name: "should_merge_with_empty_tree", initial: [], merged: path("1-1"),
              expected: "1-1", outcome: .newLeaf),
        .init(name: "should_merge_reflexive", initial: [path("1-1")], merged: path("1-1"),
              expected: "1-1", outcome: .internalNode),
        .init(name: "should_merge_prefix_of_a_tree_with_tree", initial: [path("1-1"), path("1-2")],
              merged: path("1-1"), expected: "1-1 1-2", outcome: .internalNode),
        .init(name: "should_produce_conflict_on_merge_with_unrelated_branch",
              initial: [path("1-1"), path("1-2")], merged: path("1-3"),
              expected: "1-1 1-2 1-3", outcome: .newBranch),
        .init(name: "should_merge_reflexive_for_child_nodes", initial: twoChild,
              merged: path("1-1", "2-1a", "3-1aa"), expected: "1-1(2-1a(3-1aa))", outcome: .internalNode),
        .init(name: "should_merge_tree_to_itself (1a)", initial: twoChildSibs,
              merged: path("1-1", "2-1a"), expected: "1-1(2-1a,2-1b)", outcome: .internalNode),
        .init(name: "should_merge_tree_to_itself (1b)", initial: twoChildSibs,
              merged: path("1-1", "2-1b"), expected: "1-1(2-1a,2-1b)", outcome: .internalNode),
        .init(name: "should_merge_tree_of_odd_length", initial: twoChildSibs,
              merged: path("1-1", "2-1a", "3-1aa"), expected: "1-1(2-1a(3-1aa),2-1b)", outcome: .newLeaf),
        .init(name: "should_merge_tree_with_stem", initial: twoChildSibs, merged: path("2-1a"),
              expected: "1-1(2-1a,2-1b)", outcome: .internalNode),
        .init(name: "should_merge_with_stem_at_deeper_level",
              initial: [path("1-1", "2-1a"), path("1-1", "2-1b", "3-1bb")], merged: path("3-1bb"),
              expected: "1-1(2-1a,2-1b(3-1bb))", outcome: .internalNode),
        .init(name: "should_merge_with_stem_at_deeper_level_with_deeper_paths",
              initial: [path("2-1a"), path("2-1b", "3-1bb")], merged: path("3-1bb"),
              expected: "2-1a 2-1b(3-1bb)", outcome: .internalNode),
        .init(name: "should_merge_single_tree_with_deeper_stem", initial: twoChild, merged: path("3-1aa"),
              expected: "1-1(2-1a(3-1aa))", outcome: .internalNode),
        .init(name: "should_merge_tree_with_large_stem", initial: twoChild, merged: path("2-1a", "3-1aa"),
              expected: "1-1(2-1a(3-1aa))", outcome: .internalNode),
        .init(name: "should_merge_stems", initial: [path("2-1a", "3-1aa")], merged: path("3-1aa"),
              expected: "2-1a(3-1aa)", outcome: .internalNode),
        .init(name: "should_create_conflicts_on_merge", initial: [path("1-1", "2-1a")], merged: path("3-1aa"),
              expected: "1-1(2-1a) 3-1aa", outcome: .newBranch),
        // CouchDB's merge leaves 3-1aa duplicated and its stem repairs it; we re-join at once.
        .init(name: "should_create_no_conflicts_on_merge", initial: [path("1-1", "2-1a"), path("3-1aa")],
              merged: path("1-1", "2-1a", "3-1aa"), expected: "1-1(2-1a(3-1aa))", outcome: .newLeaf),
        // COUCHDB-902: the path names only one of two branches; the other is untouched.
        .init(name: "should_ignore_conflicting_branch",
              initial: [path("1-foo", "2-foo2"), path("1-foo", "2-foo3")],
              merged: path("1-foo", "2-foo3", "3-foo4"), expected: "1-foo(2-foo2,2-foo3(3-foo4))",
              outcome: .newLeaf),
        // Extra: a stemmed piece re-joins when a longer history bridges the gap.
        .init(name: "stemmed root re-joins its ancestry",
              initial: [path("1-a"), path("3-c", "4-d")], merged: path("1-a", "2-b", "3-c"),
              expected: "1-a(2-b(3-c(4-d)))", outcome: .newLeaf),
        .init(name: "bridging under a non-leaf is a branch",
              initial: [path("1-a", "2-b", "3-x"), path("3-c")], merged: path("1-a", "2-b", "3-c", "4-d"),
              expected: "1-a(2-b(3-c(4-d),3-x))", outcome: .newBranch),
        .init(name: "adding only ancestors above a root is internal",
              initial: [path("3-c", "4-d")], merged: path("1-a", "2-b", "3-c"),
              expected: "1-a(2-b(3-c(4-d)))", outcome: .internalNode),
    ]

    @Test(arguments: mergeCases)
    func merge(_ testCase: MergeCase) {
        var tree = RevisionTree()
        for initial in testCase.initial { tree.merge(initial, leafDeleted: false) }
        let outcome = tree.merge(testCase.merged, leafDeleted: false)
        #expect(shape(tree) == testCase.expected)
        #expect(outcome == testCase.outcome)
        // Like merge_and_stem in the Erlang suite: stemming at 10 changes nothing here.
        var stemmed = tree
        stemmed.stem(toDepth: 10)
        #expect(stemmed == tree)
    }

    @Test func mergeKeepsExistingValues() {
        // COUCHDB-902 again, with values: the tree's flags win over the path's
        // placeholders (value_pref keeps the stored leaf value).
        var tree = RevisionTree()
        tree.merge(path("1-foo", "2-foo2"), leafDeleted: false)
        tree.merge(path("1-foo", "2-foo3"), leafDeleted: true)
        tree.merge(path("1-foo", "2-foo3", "3-foo4"), leafDeleted: false)
        #expect(shape(tree) == "1-foo(2-foo2,2-foo3!(3-foo4))")
        tree.merge(path("1-foo", "2-foo2"), leafDeleted: true)  // an existing leaf keeps its flag
        #expect(tree.isDeleted(rev("2-foo2")) == false)
    }

    @Test func placeholderTakesTheLeafFlagLater() {
        var tree = RevisionTree()
        tree.merge(path("1-a", "2-b", "3-c"), leafDeleted: false)
        #expect(tree.merge(path("1-a", "2-b"), leafDeleted: true) == .internalNode)
        #expect(tree.isDeleted(rev("2-b")) == true)
        var other = RevisionTree()
        other.merge(path("1-a", "2-b"), leafDeleted: true)
        other.merge(path("1-a", "2-b", "3-c"), leafDeleted: false)
        #expect(other == tree)
    }

    @Test func inconsistentAncestryKeepsTheTreesParent() {
        var tree = RevisionTree()
        tree.merge(path("1-a", "2-x"), leafDeleted: false)
        #expect(tree.merge(path("1-b", "2-x", "3-y"), leafDeleted: false) == .newLeaf)
        #expect(shape(tree) == "1-a(2-x(3-y))")
    }
}
