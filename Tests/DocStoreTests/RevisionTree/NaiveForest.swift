import DocStore

/// Reference model: a plain set of root-to-leaf paths (oldest first), with every
/// operation written the slow, obvious way.
struct NaiveForest {
    var paths: Set<[Revision]> = []
    /// Deleted flags of revisions that arrived as some path's leaf.
    var flags: [Revision: Bool] = [:]

    var nodes: Set<Revision> { Set(paths.flatMap { $0 }) }

    /// Parent links implied by consecutive path entries.
    var parents: [Revision: Revision] {
        var result: [Revision: Revision] = [:]
        for path in paths { for (older, newer) in zip(path, path.dropFirst()) { result[newer] = older } }
        return result
    }

    /// Revisions never followed by anything in any path.
    var leafSet: Set<Revision> {
        var inner: Set<Revision> = []
        for path in paths { inner.formUnion(path.dropLast()) }
        return nodes.subtracting(inner)
    }

    var leaves: [RevisionTree.Leaf] {
        leafSet.map { RevisionTree.Leaf(revision: $0, deleted: flags[$0] ?? false) }
            .sorted { winnerKeyLess($1, $0) }
    }

    mutating func merge(_ path: RevisionPath, leafDeleted: Bool) {
        let newestFirst = path.revisions
        if flags[newestFirst[0]] == nil { flags[newestFirst[0]] = leafDeleted }
        // Re-link through the known parents so the stored path runs to its real root.
        var chain = Array(newestFirst.reversed())
        let parents = self.parents
        while let up = parents[chain[0]] { chain.insert(up, at: 0) }
        paths.insert(chain)
        normalize()
    }

    /// Rebuilds the path set as all root-to-leaf chains of the union of links.
    mutating func normalize() {
        let parents = self.parents
        var rebuilt: Set<[Revision]> = []
        for leaf in leafSet {
            var chain = [leaf]
            while let up = parents[chain[0]] { chain.insert(up, at: 0) }
            rebuilt.insert(chain)
        }
        paths = rebuilt
    }

    /// Keeps nodes with a leaf fewer than `depth` generations below; links between kept
    /// nodes survive.
    mutating func stem(depth: Int) {
        let parents = self.parents
        var nearest: [Revision: Int] = [:]
        for leaf in leafSet {
            var node: Revision? = leaf
            var distance = 0
            while let current = node {
                nearest[current] = min(nearest[current] ?? .max, distance)
                distance += 1
                node = parents[current]
            }
        }
        var runs: Set<[Revision]> = []
        for path in paths {
            var run: [Revision] = []
            for revision in path {
                if nearest[revision]! < depth {
                    run.append(revision)
                } else if !run.isEmpty {
                    runs.insert(run)
                    run = []
                }
            }
            if !run.isEmpty { runs.insert(run) }
        }
        paths = runs
        let kept = nodes
        flags = flags.filter { kept.contains($0.key) }
        normalize()
    }

    /// Drops requested leaves; then ancestors left without children, repeatedly.
    mutating func purge(_ revisions: [Revision]) -> [Revision] {
        let leaves = leafSet
        var removed: [Revision] = []
        for revision in revisions where leaves.contains(revision) && !removed.contains(revision) {
            removed.append(revision)
        }
        var remaining = paths.filter { !removed.contains($0.last!) }
        // A path whose leaf went loses its tail up to the first node still needed.
        var needed: Set<Revision> = []
        for path in remaining { needed.formUnion(path) }
        for path in paths where removed.contains(path.last!) {
            let kept = Array(path.prefix { needed.contains($0) })
            if !kept.isEmpty { remaining.insert(kept) }
        }
        paths = remaining
        let kept = nodes
        flags = flags.filter { kept.contains($0.key) }
        normalize()
        return removed
    }
}
