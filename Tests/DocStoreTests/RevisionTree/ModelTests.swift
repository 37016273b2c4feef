import DocStore
import TestSupport
import Testing

/// Random operations against `NaiveForest`, compared after every step.
@Suite struct ModelTests {
    @Test func randomOperationsMatchTheNaiveModel() {
        forEachSeed(base: 0xD000) { seed, rng in
            var universe = Universe(rng: SplitMix64(seed: rng.next()))
            universe.deletedChance = rng.chance(0.5) ? 0.2 : 0.5
            var tree = RevisionTree()
            var model = NaiveForest()
            @discardableResult
            func apply(_ path: RevisionPath, _ deleted: Bool) -> RevisionTree.MergeOutcome {
                model.merge(path, leafDeleted: deleted)
                return tree.merge(path, leafDeleted: deleted)
            }

            for step in 0..<rng.int(5...40) {
                let present = tree.allRevisions
                let leaves = tree.leaves.map(\.revision)
                var description = ""
                switch rng.int(0...99) {
                case 0..<35 where !leaves.isEmpty:
                    // Extend a leaf, sending a random slice of its true history.
                    let parent = rng.pick(leaves)
                    let child = universe.makeChild(of: parent)
                    let history = universe.ancestry(of: child)
                    let length = rng.chance(0.4) ? 2 : rng.int(1...history.count)
                    let outcome = apply(universe.path(history.prefix(length)), universe.deleted[child]!)
                    if length == 2 { #expect(outcome == .newLeaf, "seed \(seed) step \(step)") }
                    description = "extend \(parent)"
                case 35..<50 where !present.isEmpty:
                    // Branch from any revision (a conflict when it is not a leaf).
                    let parent = rng.pick(present)
                    let wasLeaf = tree.isLeaf(parent)
                    let child = universe.makeChild(of: parent)
                    let outcome = apply(universe.path([child, parent]), universe.deleted[child]!)
                    #expect(outcome == (wasLeaf ? .newLeaf : .newBranch), "seed \(seed) step \(step)")
                    description = "branch \(parent)"
                case 50..<62:
                    // A new history, possibly sent already stemmed.
                    var top = universe.makeChild(of: nil)
                    for _ in 0..<rng.int(0...3) { top = universe.makeChild(of: top) }
                    let history = universe.ancestry(of: top)
                    let outcome = apply(universe.path(history.prefix(rng.int(1...history.count))), universe.deleted[top]!)
                    #expect(outcome == (present.isEmpty ? .newLeaf : .newBranch), "seed \(seed) step \(step)")
                    description = "new root \(top)"
                case 62..<75 where !universe.all.isEmpty:
                    // Re-send some known history (re-joins stemmed pieces, revives purged).
                    let target = rng.pick(universe.all)
                    apply(universe.randomPath(to: target), universe.deleted[target]!)
                    description = "resend \(target)"
                case 75..<88:
                    let depth = rng.int(1...5)
                    tree.stem(toDepth: depth)
                    model.stem(depth: depth)
                    description = "stem \(depth)"
                default:
                    var requested: [Revision] = []
                    for _ in 0..<rng.int(0...2) where !leaves.isEmpty { requested.append(rng.pick(leaves)) }
                    if rng.chance(0.3), !present.isEmpty { requested.append(rng.pick(present)) }
                    let removed = tree.removeLeaves(requested)
                    #expect(removed == model.purge(requested), "seed \(seed) step \(step)")
                    description = "purge \(requested)"
                }
                compare(tree, model, universe, "seed \(seed) step \(step) (\(description))")
            }

        }
    }

    func compare(_ tree: RevisionTree, _ model: NaiveForest, _ universe: Universe, _ context: String) {
        let expectedLeaves = model.leaves
        #expect(tree.leaves == expectedLeaves, "\(context)")
        #expect(tree.winner == expectedLeaves.first, "\(context)")
        let rest = expectedLeaves.dropFirst()
        #expect(tree.conflicts == rest.filter { !$0.deleted }.map(\.revision), "\(context)")
        #expect(tree.deletedConflicts == rest.filter(\.deleted).map(\.revision), "\(context)")
        let nodes = model.nodes
        #expect(tree.revisionCount == nodes.count, "\(context)")
        for revision in universe.all {
            #expect(tree.contains(revision) == nodes.contains(revision), "\(context) contains \(revision)")
        }
        let parents = model.parents
        for revision in nodes {
            #expect(tree.parent(of: revision) == parents[revision], "\(context) parent of \(revision)")
        }
    }
}
