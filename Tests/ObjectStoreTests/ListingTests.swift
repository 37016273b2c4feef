import TestSupport
import Testing
@testable import ObjectStore

/// ListObjects against a naive reference over random key sets (seeded; the seed is in
/// every failure message), and the law that paging through a listing with `nextMarker`
/// yields exactly the unpaged listing.
@Suite struct ListingTests {
    struct Page: Equatable {
        var entries: [String] = []  // objects as "k:<key>", common prefixes as "p:<prefix>"
        var isTruncated = false
        var nextMarker: String?
    }

    /// The definition, on a sorted array: filter, roll up, cut at maxKeys.
    static func reference(
        _ keys: [[UInt8]], prefix: String, delimiter: String?, startAfter: String?, maxKeys: Int
    ) -> Page {
        let prefix = Array(prefix.utf8)
        let delimiter = delimiter.map { Array($0.utf8) }
        func rollUp(_ key: [UInt8]) -> [UInt8]? {
            guard let delimiter, !delimiter.isEmpty, key.count >= prefix.count + delimiter.count else { return nil }
            for start in prefix.count...(key.count - delimiter.count) where Array(key[start..<start + delimiter.count]) == delimiter {
                return Array(key[..<(start + delimiter.count)])
            }
            return nil
        }
        let marker = startAfter.map { Array($0.utf8) }
        let markerPrefix = marker.flatMap { $0.starts(with: prefix) && rollUp($0) == $0 ? $0 : nil }
        var entries: [(String, String)] = []
        var seen: Set<[UInt8]> = []
        for key in keys where key.starts(with: prefix) {
            if let marker, !marker.lexicographicallyPrecedes(key) { continue }
            if let markerPrefix, key.starts(with: markerPrefix) { continue }
            if let common = rollUp(key) {
                if seen.insert(common).inserted { entries.append(("p:" + String(decoding: common, as: UTF8.self), String(decoding: common, as: UTF8.self))) }
            } else {
                entries.append(("k:" + String(decoding: key, as: UTF8.self), String(decoding: key, as: UTF8.self)))
            }
        }
        guard maxKeys > 0 else { return Page() }
        let taken = entries.prefix(maxKeys)
        let truncated = entries.count > maxKeys
        return Page(entries: taken.map(\.0), isTruncated: truncated, nextMarker: truncated ? taken.last?.1 : nil)
    }

    static func page(_ listing: ObjectListing) -> Page {
        // Merge objects and prefixes back into one ordered list, as S3 returns them.
        var merged = listing.objects.map { ($0.key, "k:" + $0.key) } + listing.commonPrefixes.map { ($0, "p:" + $0) }
        merged.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        return Page(entries: merged.map(\.1), isTruncated: listing.isTruncated, nextMarker: listing.nextMarker)
    }

    static func randomKeys(_ random: inout SplitMix64) -> [String] {
        let alphabet = ["a", "b", "/", ".", "é", "-"]
        var keys: Set<String> = []
        let count = 20 + Int(random.next() % 120)
        for _ in 0..<count {
            var key = ""
            if random.next() % 10 == 0 {
                key = String(repeating: "x", count: 398 + Int(random.next() % 4)) + (random.next() % 2 == 0 ? "/" : "")
            }
            for _ in 0..<(1 + Int(random.next() % 6)) { key += alphabet[Int(random.next() % UInt64(alphabet.count))] }
            keys.insert(key)
        }
        return Array(keys)
    }

    @Test(arguments: 0..<12)
    func matchesTheReferenceAndPagesConcatenate(round: Int) async throws {
        let seed = UInt64(round) &* 0x9E37_79B9 &+ 12_345
        var random = SplitMix64(seed: seed)
        let store = try TemporaryStore()
        try await store.store.createBucket("list")
        try await store.store.createBucket("lisu")  // neighbours must not leak in
        try await store.put("lisu", "a", [1])
        let keys = Self.randomKeys(&random)
        for key in keys { try await store.store.putObject(bucket: "list", key: key, body: Pieces([1])) }
        let sorted = keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        let prefixes = ["", "a", "a/", "b.", "é", "x", String(repeating: "x", count: 399)]
        let delimiters: [String?] = [nil, "/", "a/", "é", "x"]
        for _ in 0..<25 {
            let prefix = prefixes[Int(random.next() % UInt64(prefixes.count))]
            let delimiter = delimiters[Int(random.next() % UInt64(delimiters.count))]
            let startAfter: String? =
                switch random.next() % 3 {
                case 0: nil
                case 1: keys[Int(random.next() % UInt64(keys.count))]
                default: prefix + ["a/", "b", "é/", "/"][Int(random.next() % 4)]
                }
            let maxKeys = Int(random.next() % 8)
            let context = "seed \(seed) prefix \(prefix.prefix(8))… delimiter \(delimiter ?? "nil") after \(startAfter?.prefix(12) ?? "nil") max \(maxKeys)"
            let listing = try store.store.listObjects(
                bucket: "list", prefix: prefix, delimiter: delimiter, startAfter: startAfter, maxKeys: maxKeys)
            let expected = Self.reference(sorted, prefix: prefix, delimiter: delimiter, startAfter: startAfter, maxKeys: maxKeys)
            #expect(Self.page(listing) == expected, "\(context)")

            // Paging with nextMarker visits the unpaged listing, each entry once.
            let all = Self.reference(sorted, prefix: prefix, delimiter: delimiter, startAfter: startAfter, maxKeys: .max)
            var paged: [String] = []
            var marker = startAfter
            var pages = 0
            while pages < 1000 {
                pages += 1
                let page = try store.store.listObjects(
                    bucket: "list", prefix: prefix, delimiter: delimiter, startAfter: marker, maxKeys: max(maxKeys, 1))
                paged += Self.page(page).entries
                guard page.isTruncated else { break }
                marker = page.nextMarker
            }
            #expect(paged == all.entries, "\(context)")
        }
    }

    @Test func commonPrefixesCountOnceTowardMaxKeys() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("bkt")
        for key in ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"] { try await store.put("bkt", key, [1]) }
        // The s3-tests sequence (test_bucket_list_delimiter_prefix with max-keys 1).
        var marker: String?
        var seen: [String] = []
        repeat {
            let page = try store.store.listObjects(bucket: "bkt", delimiter: "/", startAfter: marker, maxKeys: 1)
            seen += page.objects.map(\.key) + page.commonPrefixes
            marker = page.isTruncated ? page.nextMarker : nil
        } while marker != nil
        #expect(seen == ["asdf", "boo/", "cquux/"])
        let zero = try store.store.listObjects(bucket: "bkt", maxKeys: 0)
        #expect(zero.objects.isEmpty && !zero.isTruncated)
        let all = try store.store.listObjects(bucket: "bkt", prefix: "boo/", delimiter: "/")
        #expect(all.objects.map(\.key) == ["boo/bar"])
        #expect(all.commonPrefixes == ["boo/baz/"])
        #expect(!all.isTruncated && all.nextMarker == nil)
        #expect(all.objects[0].etag == "\"" + md5Hex([1]) + "\"" && all.objects[0].size == 1)
    }
}
