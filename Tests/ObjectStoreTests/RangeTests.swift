import TestSupport
import Testing
@testable import ObjectStore

@Suite struct RangeTests {
    static let kinds: [(String, [UInt8])] = [("json", jsonBytes(5500)), ("random", randomBytes(5500, seed: 9))]

    @Test(arguments: [0, 1])
    func rangesAcrossChunkBoundaries(kindIndex: Int) async throws {
        let (kind, bytes) = Self.kinds[kindIndex]
        let store = try TemporaryStore(chunkSize: 1000)
        try await store.store.createBucket("rng")
        try await store.put("rng", "o", bytes)
        var cases: [(ByteRange, ClosedRange<Int>)] = [
            (.bounded(first: 0, last: 0), 0...0),
            (.bounded(first: 999, last: 1000), 999...1000),
            (.bounded(first: 1000, last: 1999), 1000...1999),
            (.bounded(first: 500, last: 4700), 500...4700),
            (.bounded(first: 5000, last: 99_999), 5000...5499),
            (.bounded(first: 5499, last: 5499), 5499...5499),
            (.from(4999), 4999...5499),
            (.from(0), 0...5499),
            (.suffix(1), 5499...5499),
            (.suffix(501), 4999...5499),
            (.suffix(100_000), 0...5499),
        ]
        var random = SplitMix64(seed: 42)
        for _ in 0..<40 {
            let first = Int(random.next() % 5500)
            let last = first + Int(random.next() % UInt64(5500 - first))
            cases.append((.bounded(first: first, last: last), first...last))
        }
        for (range, expected) in cases {
            let content = try store.store.getObject(bucket: "rng", key: "o", range: range)
            #expect(content.range == expected, "\(kind) \(range)")
            var pieces = 0
            var got: [UInt8] = []
            for try await piece in content.body {
                pieces += 1
                #expect(piece.count <= 1000)
                got.append(contentsOf: piece)
            }
            #expect(got == Array(bytes[expected]), "\(kind) \(range)")
            // Only the chunks the range touches are read.
            #expect(pieces == expected.upperBound / 1000 - expected.lowerBound / 1000 + 1, "\(kind) \(range)")
        }
        for range in [ByteRange.from(5500), .bounded(first: 5500, last: 6000), .suffix(0), .bounded(first: 10, last: 5), .from(-1)] {
            await expectError(.invalidRange) { try store.store.getObject(bucket: "rng", key: "o", range: range) }
        }
    }

    @Test func resolution() throws {
        #expect(try ByteRange.bounded(first: 2, last: 100).resolved(size: 10) == 2...9)
        #expect(try ByteRange.suffix(3).resolved(size: 10) == 7...9)
        #expect(throws: ObjectStoreError.self) { try ByteRange.suffix(3).resolved(size: 0) }
    }
}
