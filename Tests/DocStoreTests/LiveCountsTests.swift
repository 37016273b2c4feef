import Foundation
import LMDB
import TestSupport
import Testing
@testable import DocStore

/// `_all_docs` offsets come from per-bucket counts of live documents: after random
/// creations, deletions, replicated branches and purges (enough to split buckets many
/// times), every bucket's count matches its documents and every offset matches a count
/// of the ids before it.
@Suite struct LiveCountsTests {
    /// Checks the buckets against the documents, and offsets for `probes` start keys both ways.
    static func check(_ db: DocumentDatabase, live: Set<String>, probes: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sorted = live.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        let buckets = try db.environment.read { txn in try LiveCounts.buckets(txn, db.tables) }
        #expect(buckets.first?.bound == LiveCounts.firstBound, sourceLocation: sourceLocation)
        #expect(buckets.reduce(0) { $0 + $1.count } == live.count, sourceLocation: sourceLocation)
        for (index, bucket) in buckets.enumerated() {
            let lower = Array(bucket.bound.dropFirst())
            let upper = index + 1 < buckets.count ? Array(buckets[index + 1].bound.dropFirst()) : nil
            let inside = sorted.filter { id in
                !id.lexicographicallyPrecedes(lower) && (upper.map { id.lexicographicallyPrecedes($0) } ?? true)
            }
            #expect(inside.count == bucket.count, "bucket \(index)", sourceLocation: sourceLocation)
            #expect(bucket.count <= 2 * LiveCounts.target, sourceLocation: sourceLocation)
        }
        for probe in probes {
            let key = Array(probe.utf8)
            let before = sorted.filter { $0.lexicographicallyPrecedes(key) }.count
            var options = AllDocumentsOptions()
            options.startKey = probe
            options.limit = 1
            #expect(try db.allDocuments(options).offset == before, "ascending from \(probe)", sourceLocation: sourceLocation)
            options.descending = true
            let after = sorted.filter { key.lexicographicallyPrecedes($0) }.count
            #expect(try db.allDocuments(options).offset == after, "descending from \(probe)", sourceLocation: sourceLocation)
        }
    }

    @Test func countsFollowEveryKindOfWrite() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        var random = SplitMix64(seed: 42)
        func randomID() -> String { String(format: "id-%08x", UInt32.random(in: 0...UInt32.max, using: &random)) }
        var live = Set<String>()
        // Creations in bulk, in random id order: buckets split as they fill.
        for _ in 0..<6 {
            let ids = (0..<1000).map { _ in randomID() }
            _ = try await db.update(ids.map { doc($0, ["n": 1]) })
            live.formUnion(ids)
        }
        let probes = (0..<40).map { _ in randomID() } + ["", "id-", "zzz", live.sorted()[100], live.sorted()[3000]]
        try Self.check(db, live: live, probes: probes)

        // Deletions of a third, some of them recreated.
        let doomed = live.sorted().enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        _ = try await db.update(doomed.map { doc($0, rev: db.winner($0), deleted: true) })
        live.subtract(doomed)
        let revived = Array(doomed.prefix(200))
        _ = try await db.update(revived.map { doc($0, rev: db.winner($0), deleted: false) })
        live.formUnion(revived)
        try Self.check(db, live: live, probes: probes)

        // Replicated writes: a deleted branch on a new id stays dead; a live branch
        // revives a deleted document.
        let hash = String(repeating: "a", count: 32)
        _ = try await db.update([try DocumentUpdate(json: ["_id": "repl-dead", "_rev": .string("1-\(hash)"), "_deleted": true])], newEdits: false)
        let deadOne = doomed[500]
        _ = try await db.update([try DocumentUpdate(json: ["_id": .string(deadOne), "_rev": .string("1-\(hash)")])], newEdits: false)
        live.insert(deadOne)
        try Self.check(db, live: live, probes: probes + ["repl-dead", deadOne])

        // Purges: of a live document's only revision, and of a deleted one's.
        let purgedLive = live.sorted()[10]
        let purgedDead = doomed[700]
        _ = try await db.purge([
            ExactString(purgedLive): [try #require(Revision(db.winner(purgedLive) ?? ""))],
            ExactString(purgedDead): try db.allDocuments({ var o = AllDocumentsOptions(); o.keys = [purgedDead]; return o }()).rows.compactMap {
                if case .deleted(let revision) = $0.value { return revision } else { return nil }
            },
        ])
        live.remove(purgedLive)
        try Self.check(db, live: live, probes: probes + [purgedLive, purgedDead])

        // Deleting nearly everything empties buckets, which join their neighbours.
        let survivors = Set(live.sorted().prefix(5))
        let rest = live.subtracting(survivors).sorted()
        _ = try await db.update(rest.map { doc($0, rev: db.winner($0), deleted: true) })
        try Self.check(db, live: survivors, probes: probes)
    }

    @Test func countsAreBuiltForFilesFromBeforeThem() async throws {
        let store = try TemporaryStore()
        let db = try store.database()
        let ids = (0..<3000).map { String(format: "doc-%05d", ($0 * 7919) % 3000) }
        _ = try await db.update(ids.map { doc($0) })
        // Make the file look as if it was written before the counts existed.
        try db.environment.write { txn in
            try txn.removeAll(db.tables.counts)
            _ = try txn.delete(db.tables.meta, key: MetaKey.liveCounts)
        }
        let path = store.directory
        let reopened = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: path))
        let again = try reopened.database("db")
        try Self.check(again, live: Set(ids), probes: ["doc-00000", "doc-01500", "doc-02999", "e"])
    }
}
