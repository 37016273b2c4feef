import Foundation

extension String {
    /// Whether the two strings have the same UTF-8 bytes.
    ///
    /// CouchDB compares document ids, attachment names and JSON keys as bytes. Swift's `==`
    /// is Unicode canonical equivalence: it calls "café" (NFC, `U+00E9`) and "café" (NFD,
    /// `e` + `U+0301`) equal, and would merge two documents CouchDB keeps apart.
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        guard count > 0 else { return true }
        if let same = utf8.withContiguousStorageIfAvailable({ mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in memcmp(mine.baseAddress!, theirs.baseAddress!, count) == 0 }
        }), let same {
            return same
        }
        return utf8.elementsEqual(other.utf8)
    }
}

/// A string that is equal to another, and hashes, by its UTF-8 bytes: the key of
/// dictionaries and sets of document ids and attachment names (see `hasSameBytes(as:)`).
public struct ExactString: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let string: String

    @inlinable
    public init(_ string: String) {
        self.string = string
    }

    public init(stringLiteral value: String) {
        string = value
    }

    public var description: String { string }

    @inlinable
    public static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.string.hasSameBytes(as: rhs.string)
    }

    /// Byte order of the UTF-8 forms (CouchDB's order of ids in `_all_docs` and `_changes`).
    public static func < (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        if string.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }
}
