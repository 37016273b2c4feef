/// One page of ListObjects / ListObjectsV2.
public struct ObjectListing: Sendable, Hashable {
    /// Objects in UTF-8 byte order of their keys.
    public var objects: [ObjectSummary] = []
    /// Common prefixes (each counted once toward `maxKeys`), in the same order.
    public var commonPrefixes: [String] = []
    /// Whether more entries follow.
    public var isTruncated = false
    /// When truncated: the last key or common prefix of this page. Passing it as
    /// `startAfter` continues the listing (V1's NextMarker; the S3 layer wraps it in
    /// V2's continuation token).
    public var nextMarker: String?
}

extension ObjectStore {
    /// Lists a bucket's objects whose keys start with `prefix`, after `startAfter`, in
    /// UTF-8 byte order. With a `delimiter`, keys that contain it after the prefix roll
    /// up into one common prefix (up to and including the delimiter), which counts once
    /// toward `maxKeys`. A `startAfter` that is itself such a common prefix (the
    /// `nextMarker` of a page that ended on one) skips every key under it, so a
    /// continuation never repeats a prefix.
    ///
    /// One read snapshot; O(log n + maxKeys) seeks: the keys under a common prefix are
    /// skipped with one seek, not visited.
    /// - Throws: `NoSuchBucket`, `InvalidArgument` for a negative `maxKeys`.
    public func listObjects(
        bucket: String, prefix: String = "", delimiter: String? = nil, startAfter: String? = nil, maxKeys: Int = 1000
    ) throws -> ObjectListing {
        guard maxKeys >= 0 else { throw ObjectStoreError(.invalidArgument, "max-keys must be a non-negative integer.") }
        let prefix = Array(prefix.utf8)
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        func rollUp(_ key: [UInt8]) -> [UInt8]? {
            guard let delimiter, let end = key.endOfFirstMatch(of: delimiter, from: prefix.count) else { return nil }
            return Array(key[..<end])
        }
        var start = prefix
        var inclusive = true
        if let marker = startAfter.map({ Array($0.utf8) }), !marker.lexicographicallyPrecedes(prefix) {
            (start, inclusive) = (marker, false)
            if marker.hasPrefix(prefix), rollUp(marker) == marker {
                guard let successor = marker.prefixSuccessor else { return ObjectListing() }
                (start, inclusive) = (successor, true)
            }
        }
        return try environment.read { txn in
            _ = try requireBucket(txn, bucket)
            var listing = ObjectListing()
            guard maxKeys > 0 else { return listing }
            var count = 0
            try ObjectIndex.walk(txn, tables, bucket: bucket, from: start, inclusive: inclusive) { key, value in
                guard key.hasPrefix(prefix) else { return .stop }
                if count == maxKeys {
                    listing.isTruncated = true
                    return .stop
                }
                count += 1
                if let common = rollUp(key) {
                    let text = String(decoding: common, as: UTF8.self)
                    listing.commonPrefixes.append(text)
                    listing.nextMarker = text
                    guard let successor = common.prefixSuccessor else { return .stop }
                    return .skip(to: successor)
                }
                let summary = try ObjectRecord.Summary(decoding: value).listing
                listing.objects.append(summary)
                listing.nextMarker = summary.key
                return .next
            }
            if !listing.isTruncated { listing.nextMarker = nil }
            return listing
        }
    }
}

extension [UInt8] {
    /// The index just past the first occurrence of `pattern` at or after `start`.
    func endOfFirstMatch(of pattern: [UInt8], from start: Int) -> Int? {
        guard !pattern.isEmpty, count - start >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= count {
            if self[index] == pattern[0], self[index..<index + pattern.count].elementsEqual(pattern) {
                return index + pattern.count
            }
            index += 1
        }
        return nil
    }
}
