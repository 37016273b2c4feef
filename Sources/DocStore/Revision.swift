/// A revision: position (generation, ≥ 1) and an opaque id (normally 32 lowercase hex).
///
/// Equality, hashing and ordering look at the UTF-8 bytes of `id`, not at Swift's
/// Unicode canonical equivalence: CouchDB compares `{Pos, RevId}` as Erlang terms, where
/// ids are binaries, so two ids that differ only in Unicode normalisation are different
/// revisions there and must be here too.
public struct Revision: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The generation: 1 for a document's first revision, parent's position + 1 after that.
    public var position: Int
    /// The opaque id; CouchDB makes it an MD5 over the parent revision and the content.
    public var id: String

    /// Creates a revision from its parts. Any position is accepted here (CouchDB's own
    /// key-tree tests use position 0); only the string parser insists on ≥ 1.
    public init(position: Int, id: String) {
        self.position = position
        self.id = id
    }

    /// Parses `"N-id"`. O(length of `string`).
    ///
    /// `N` must be plain decimal digits with value ≥ 1 that fit in `Int`: no sign, no
    /// leading zero, so `"01-a"`, `"+1-a"`, `"0-a"` and `"-1-a"` are rejected. CouchDB's
    /// `list_to_integer` would read `"01"` and `"+1"` as 1; we refuse them so that every
    /// accepted string is exactly `description` of the result (one spelling per revision,
    /// which matters when revisions are echoed back or used as keys). The id is everything
    /// after the first `-`, must be non-empty, and may itself contain `-`.
    public init?(_ string: String) {
        let bytes = string.utf8
        guard let dash = bytes.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let digits = bytes[bytes.startIndex..<dash]
        // Empty number, a leading zero, or the value 0 itself are all refused here.
        guard let first = digits.first, first != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        let idStart = bytes.index(after: dash)
        guard idStart != bytes.endIndex else { return nil }
        // `idStart` follows an ASCII byte, so it is a valid character boundary.
        self.init(position: value, id: String(string[idStart...]))
    }

    /// `"N-id"`. O(length of `id`).
    public var description: String { "\(position)-\(id)" }

    /// Byte-wise equality of position and id. O(length of `id`).
    public static func == (lhs: Revision, rhs: Revision) -> Bool {
        lhs.position == rhs.position && Revision.idEqual(lhs.id, rhs.id)
    }

    /// Hashes the position and the id's UTF-8 bytes. O(length of `id`).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(position)
        let hashed: Void? = id.utf8.withContiguousStorageIfAvailable { buffer in
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
        if hashed == nil {
            for byte in id.utf8 { hasher.combine(byte) }
        }
        // Terminate so ("ab", "c") style concatenations cannot collide structurally.
        hasher.combine(id.utf8.count)
    }

    /// Orders by position, then by the id's bytes, as Erlang orders `{Pos, RevId}`.
    /// O(length of the shorter id).
    public static func < (lhs: Revision, rhs: Revision) -> Bool {
        if lhs.position != rhs.position { return lhs.position < rhs.position }
        return idPrecedes(lhs.id, rhs.id)
    }

    /// Byte-order comparison of ids (Erlang binary order, which is also what
    /// `memcmp`-style sorting of UTF-8 gives). O(length of the shorter id).
    static func idPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Byte-wise id equality. O(length of the ids).
    static func idEqual(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
    }
}
