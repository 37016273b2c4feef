import DocStore
import Testing

/// Seeded property tests for stemming and purging (200 cases each).
@Suite struct StemPropertyTests {
    /// Distance from `revision` to its nearest descendant leaf.
    static func nearestLeaf(_ tree: RevisionTree, _ revision: Revision) -> Int {
        tree.leaves(descendingFrom: revision).map { $0.revision.position - revision.position }.min()!
    }

    @Test func stemmingKeepsLeavesAndRecentHistory() {
        forEachSeed(base: 0x7000) { seed, rng in
            let (_, paths) = MergePropertyTests.scenario(&rng)
            let original = build(paths)
            let depth = rng.int(1...6)
            var stemmed = original
            stemmed.stem(toDepth: depth)

            #expect(stemmed.leaves == original.leaves, "seed \(seed)")
            // Exactly the revisions with a leaf fewer than `depth` generations below remain.
            let expected = original.allRevisions.filter { Self.nearestLeaf(original, $0) < depth }
            #expect(Set(stemmed.allRevisions) == Set(expected), "seed \(seed)")
            for revision in stemmed.allRevisions {
                #expect(Self.nearestLeaf(stemmed, revision) < depth, "seed \(seed) depth \(depth)")
                // Links between surviving revisions survive (CouchDB 3.x stem_tree).
                if let parent = original.parent(of: revision), stemmed.contains(parent) {
                    #expect(stemmed.parent(of: revision) == parent, "seed \(seed)")
                }
                #expect(stemmed.isDeleted(revision) == original.isDeleted(revision), "seed \(seed)")
            }
            // Every leaf keeps its last `depth` revisions (or its whole history).
            for leaf in original.leaves {
                let before = original.path(to: leaf.revision)!.revisions
                let after = stemmed.path(to: leaf.revision)!.revisions
                let keep = min(depth, before.count)
                #expect(Array(after.prefix(keep)) == Array(before.prefix(keep)), "seed \(seed)")
                #expect(after.count <= before.count, "seed \(seed)")
            }
            // A single chain ends up exactly min(depth, length) long (CouchDB's
            // prop_stem_path_expect_size_to_get_smaller).
            let roots = original.allRevisions.filter { original.parent(of: $0) == nil }
            if original.leaves.count == 1, roots.count == 1 {
                let length = original.revisionCount
                #expect(stemmed.revisionCount == min(length, depth), "seed \(seed)")
                #expect(stemmed.path(to: original.leaves[0].revision)!.ids.count == min(length, depth), "seed \(seed)")
            }
            var twice = stemmed
            twice.stem(toDepth: depth)
            #expect(twice == stemmed, "seed \(seed): stemming is idempotent")
        }
    }

    @Test func stemmingDeeperThanTheTreeChangesNothing() {
        forEachSeed(base: 0x8000) { seed, rng in
            let (_, paths) = MergePropertyTests.scenario(&rng)
            let original = build(paths)
            let deepest = original.leaves.map { original.path(to: $0.revision)!.ids.count }.max()!
            var stemmed = original
            stemmed.stem(toDepth: deepest + rng.int(0...3))
            #expect(stemmed == original, "seed \(seed)")
        }
    }

    @Test func stemmingThenMergingBackRestoresTheTree() {
        forEachSeed(base: 0x9000) { seed, rng in
            let (_, paths) = MergePropertyTests.scenario(&rng)
            let original = build(paths)
            var tree = original
            tree.stem(toDepth: rng.int(1...4))
            for (path, deleted) in paths.shuffled(using: &rng) { tree.merge(path, leafDeleted: deleted) }
            #expect(tree.leaves == original.leaves, "seed \(seed)")
            #expect(tree == original, "seed \(seed)")
        }
    }

    @Test func purgingRemovesLeavesAndOrphanedAncestors() {
        forEachSeed(base: 0xA000) { seed, rng in
            let (universe, paths) = MergePropertyTests.scenario(&rng)
            let original = build(paths)
            let requested = (0..<rng.int(0...4)).map { _ in
                rng.chance(0.7) ? rng.pick(original.leaves).revision : rng.pick(universe.all)
            }
            var tree = original
            let removed = tree.removeLeaves(requested)
            let leafSet = Set(original.leaves.map(\.revision))
            var expectedRemoved: [Revision] = []
            for revision in requested where leafSet.contains(revision) && !expectedRemoved.contains(revision) {
                expectedRemoved.append(revision)
            }
            #expect(removed == expectedRemoved, "seed \(seed)")
            // What remains is exactly the ancestry of the remaining leaves.
            let remainingLeaves = original.leaves.filter { !removed.contains($0.revision) }
            #expect(tree.leaves == remainingLeaves, "seed \(seed)")
            var expectedNodes: Set<Revision> = []
            for leaf in remainingLeaves { expectedNodes.formUnion(original.path(to: leaf.revision)!.revisions) }
            #expect(Set(tree.allRevisions) == expectedNodes, "seed \(seed)")
            for revision in tree.allRevisions {
                #expect(tree.path(to: revision) == original.path(to: revision), "seed \(seed)")
            }
        }
    }
}
