import DocStore
import TestSupport
import Testing

/// Seeded property tests for merging and the winner rule (200 cases each).
@Suite struct MergePropertyTests {
    static func scenario(_ rng: inout SplitMix64) -> (Universe, [(RevisionPath, Bool)]) {
        var universe = Universe(rng: SplitMix64(seed: rng.next()))
        universe.grow(size: rng.int(1...40))
        let paths = universe.randomPaths()
        return (universe, paths)
    }

    @Test func mergeOrderDoesNotMatter() {
        forEachSeed(base: 0x1000) { seed, rng in
            let (_, paths) = Self.scenario(&rng)
            let first = build(paths)
            let second = build(paths.shuffled(using: &rng))
            let third = build(paths.reversed())
            #expect(first == second, "seed \(seed)")
            #expect(first == third, "seed \(seed)")
            #expect(first.encoded() == second.encoded(), "seed \(seed)")
            #expect(shape(first) == shape(second), "seed \(seed)")
        }
    }

    @Test func mergingIsIdempotent() {
        forEachSeed(base: 0x2000) { seed, rng in
            let (_, paths) = Self.scenario(&rng)
            let tree = build(paths)
            for (path, deleted) in paths {
                var again = tree
                #expect(again.merge(path, leafDeleted: deleted) == .internalNode, "seed \(seed)")
                #expect(again == tree, "seed \(seed)")
                // The flag of an already-known leaf does not change either.
                #expect(again.merge(path, leafDeleted: !deleted) == .internalNode, "seed \(seed)")
                #expect(again == tree, "seed \(seed)")
            }
        }
    }

    @Test func noRevisionIsLost() {
        forEachSeed(base: 0x3000) { seed, rng in
            let (universe, paths) = Self.scenario(&rng)
            let tree = build(paths)
            var expected: Set<Revision> = []
            for (path, _) in paths { expected.formUnion(path.revisions) }
            #expect(Set(tree.allRevisions) == expected, "seed \(seed)")
            #expect(tree.revisionCount == expected.count, "seed \(seed)")
            for revision in universe.all {
                #expect(tree.contains(revision) == expected.contains(revision), "seed \(seed)")
            }
            // Every link the paths state is in the tree.
            for (path, _) in paths {
                let revisions = path.revisions
                for (newer, older) in zip(revisions, revisions.dropFirst()) {
                    #expect(tree.parent(of: newer) == older, "seed \(seed)")
                }
            }
        }
    }

    @Test func outcomesMatchTheirDefinitions() {
        forEachSeed(base: 0x4000) { seed, rng in
            let (start, paths) = Self.scenario(&rng)
            var universe = start
            var tree = build(paths)
            // Extending a leaf with [new, leaf] is an edit; under an inner node a branch.
            let target = rng.pick(tree.allRevisions)
            let wasLeaf = tree.isLeaf(target)
            let child = universe.makeChild(of: target)
            let outcome = tree.merge(universe.path([child, target]), leafDeleted: false)
            #expect(outcome == (wasLeaf ? .newLeaf : .newBranch), "seed \(seed)")
            // A history sharing nothing is a new root: a conflict.
            let stranger = universe.makeChild(of: nil)
            #expect(tree.merge(universe.path([stranger]), leafDeleted: false) == .newBranch, "seed \(seed)")
        }
    }

    @Test func winnerIsTheMaximumLeaf() {
        forEachSeed(base: 0x5000) { seed, rng in
            var (universe, paths) = Self.scenario(&rng)
            universe.deletedChance = 0.5
            paths += universe.randomPaths()
            let tree = build(paths)
            let leaves = tree.leaves
            let best = leaves.max(by: winnerKeyLess)
            #expect(tree.winner == best, "seed \(seed)")
            #expect(leaves == leaves.sorted { winnerKeyLess($1, $0) }, "seed \(seed)")
            let rest = Array(leaves.dropFirst())
            #expect(tree.conflicts == rest.filter { !$0.deleted }.map(\.revision), "seed \(seed)")
            #expect(tree.deletedConflicts == rest.filter(\.deleted).map(\.revision), "seed \(seed)")
            // Leaves are exactly the revisions without children.
            #expect(Set(leaves.map(\.revision)) == Set(tree.allRevisions.filter { tree.children(of: $0).isEmpty }),
                    "seed \(seed)")
            for leaf in leaves { #expect(tree.isDeleted(leaf.revision) == leaf.deleted, "seed \(seed)") }
        }
    }

    @Test func descendantLeavesAndPathsAgree() {
        forEachSeed(base: 0x6000) { seed, rng in
            let (_, paths) = Self.scenario(&rng)
            let tree = build(paths)
            let leaves = tree.leaves
            for revision in tree.allRevisions {
                guard let history = tree.path(to: revision) else {
                    Issue.record("missing path, seed \(seed)")
                    continue
                }
                #expect(history.revisions.first == revision, "seed \(seed)")
                #expect(tree.parent(of: history.revisions.last!) == nil, "seed \(seed)")
                let expected = leaves.filter { tree.path(to: $0.revision)!.revisions.contains(revision) }
                #expect(tree.leaves(descendingFrom: revision) == expected, "seed \(seed)")
            }
        }
    }
}
