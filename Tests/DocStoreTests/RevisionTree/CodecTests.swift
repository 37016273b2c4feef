import DocStore
import TestSupport
import Testing

@Suite struct CodecTests {
    @Test func roundTrips() throws {
        try forEachSeedThrowing(base: 0xB000) { seed, rng in
            let (_, paths) = MergePropertyTests.scenario(&rng)
            var tree = build(paths)
            if rng.chance(0.3) { tree.stem(toDepth: rng.int(1...4)) }
            let bytes = tree.encoded()
            let decoded = try RevisionTree(decoding: bytes)
            #expect(decoded == tree, "seed \(seed)")
            #expect(decoded.encoded() == bytes, "seed \(seed)")
            #expect(shape(decoded) == shape(tree), "seed \(seed)")
            let viaPointer = try bytes.withUnsafeBytes { try RevisionTree(decoding: $0) }
            #expect(viaPointer == tree, "seed \(seed)")
        }
    }

    @Test func roundTripsEdgeValues() throws {
        var tree = RevisionTree()
        tree.merge(RevisionPath(start: Int.max, ids: ["max", "max-1"]), leafDeleted: true)
        tree.merge(RevisionPath(start: 0, ids: ["zero", "minus-one"]), leafDeleted: false)
        tree.merge(RevisionPath(start: Int.min, ids: [""]), leafDeleted: false)
        tree.merge(RevisionPath(start: 5, ids: ["e\u{301}", "\u{E9}"]), leafDeleted: false)
        #expect(try RevisionTree(decoding: tree.encoded()) == tree)
        #expect(try RevisionTree(decoding: RevisionTree().encoded()) == RevisionTree())
    }

    @Test func rejectsMalformedInput() {
        let valid = build([(path("1-a", "2-b"), false), (path("1-a", "2-c"), true)]).encoded()
        // (bytes, words the error message must contain): each case fails for its own reason.
        let cases: [([UInt8], String)] = [
            ([], "truncated"), ([2, 0], "version"), ([1], "truncated"), ([1, 1], "exceeds"),
            (Array(valid.dropLast()), "truncated"), (valid + [0], "trailing"),
            ([1, 0x80], "truncated"), ([1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "overflows"),
            ([1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x80, 0x00], "too long"),
            ([1, 1, 9, 2, 1, 0x61, 0], "state"),
            ([1, 1, 1, 2, 2, 0xC3, 0x28, 0], "UTF-8"),
            ([1, 2, 1, 2, 1, 0x61, 0, 1, 2, 1, 0x61, 0], "duplicate"),
            ([1, 2, 1, 2, 1, 0x61, 1], "truncated"),
            ([1, 1, 1, 2, 1, 0x61, 1], "exceeds"),  // a child promised beyond the count
            ([1, 1, 1, 0x80, 0x00, 1, 0x61, 0], "non-minimal"),
            ([1, 2, 1, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 1, 0x61, 1, 1, 1, 0x62, 0],
             "position overflow"),  // root at Int.max cannot have a child
        ]
        for (bytes, reason) in cases {
            do {
                _ = try RevisionTree(decoding: bytes)
                Issue.record("\(bytes) decoded")
            } catch {
                #expect(error.message.contains(reason), "\(bytes): \(error.message)")
            }
        }
    }

    @Test func decodingGarbageNeverCrashes() {
        forEachSeed(base: 0xC000, cases: 2000) { seed, rng in
            var bytes: [UInt8]
            if rng.chance(0.5) {
                bytes = (0..<rng.int(0...64)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if rng.chance(0.5), !bytes.isEmpty { bytes[0] = 1 }
            } else {
                let (_, paths) = MergePropertyTests.scenario(&rng)
                bytes = build(paths).encoded()
                for _ in 0..<rng.int(1...4) {
                    switch rng.int(0...3) {
                    case 0: bytes[rng.int(0...(bytes.count - 1))] = UInt8.random(in: 0...255, using: &rng)
                    case 1: bytes.removeLast(rng.int(0...(bytes.count - 1)))
                    case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: rng.int(0...bytes.count))
                    default: bytes[rng.int(0...(bytes.count - 1))] ^= 0x80
                    }
                    if bytes.isEmpty { break }
                }
            }
            if let tree = try? RevisionTree(decoding: bytes) {
                // Whatever decodes is a well-formed tree that round-trips.
                #expect((try? RevisionTree(decoding: tree.encoded())) == tree, "seed \(seed)")
                _ = tree.leaves
                var copy = tree
                copy.stem(toDepth: 2)
                _ = copy.removeLeaves(tree.leaves.map(\.revision))
                #expect(copy.isEmpty, "seed \(seed)")
            }
        }
    }
}

func forEachSeedThrowing(
    base: UInt64, cases: Int = 200, _ body: (UInt64, inout SplitMix64) throws -> Void
) throws {
    for offset in 0..<UInt64(cases) {
        let seed = base &+ offset
        var rng = SplitMix64(seed: seed)
        do { try body(seed, &rng) } catch {
            Issue.record("seed \(seed): \(error)")
            throw error
        }
    }
}
