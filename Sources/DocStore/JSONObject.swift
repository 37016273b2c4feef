/// An ordered JSON object: key/value pairs in insertion (or document) order, keys unique.
///
/// CouchDB documents are returned with their keys in the order the client wrote them, so a plain
/// `Dictionary` will not do. Storage is a single contiguous array of pairs (one allocation per
/// object, cheap to build while parsing); key lookup is a linear scan, which beats hashing for
/// the small objects that dominate real documents. Equality is order-sensitive.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One member of the object.
    public typealias Element = (key: String, value: JSON)
    /// Positions are plain offsets into the ordered pairs.
    public typealias Index = Int

    /// Stored as a struct rather than a tuple: the compiler emits direct copy/destroy code for
    /// it, where tuple arrays go through slower generic runtime paths.
    @usableFromInline
    struct Member: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSON

        @inlinable
        init(key: String, value: JSON) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline
    var storage: [Member]

    /// The address of a member's value, so the serializer can read it in place (no copy).
    @inline(__always)
    static func valuePointer(_ member: UnsafePointer<Member>) -> UnsafePointer<JSON> {
        (UnsafeRawPointer(member) + MemoryLayout<Member>.offset(of: \Member.value)!).assumingMemoryBound(to: JSON.self)
    }

    /// Wraps members whose keys are already known to be unique (used by the parser).
    @inlinable
    init(uniqueMembers: [Member]) {
        storage = uniqueMembers
    }

    /// Creates an empty object.
    @inlinable
    public init() {
        storage = []
    }

    /// Creates an object from pairs in order. A repeated key keeps the position of its first
    /// occurrence and the value of its last, matching how the parser treats duplicate keys. O(n²).
    public init(_ pairs: [(String, JSON)]) {
        storage = []
        storage.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Dictionary-literal syntax; duplicate keys behave as in `init(_:)`.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }

    /// Always 0.
    @inlinable
    public var startIndex: Int { 0 }

    /// The number of members.
    @inlinable
    public var endIndex: Int { storage.count }

    /// The member at `position` (in document order).
    @inlinable
    public subscript(position: Int) -> Element {
        let member = storage[position]
        return (key: member.key, value: member.value)
    }

    /// The position of `key`, or nil. O(n).
    @inlinable
    public func index(forKey key: String) -> Int? {
        storage.firstIndex { $0.key.hasSameBytes(as: key) }
    }

    /// Gets the value for `key`, or nil. Setting nil removes the key; setting an existing key
    /// replaces its value in place; setting a new key appends it. O(n).
    @inlinable
    public subscript(key: String) -> JSON? {
        get {
            for pair in storage where pair.key.hasSameBytes(as: key) { return pair.value }
            return nil
        }
        set {
            if let i = index(forKey: key) {
                if let newValue {
                    storage[i].value = newValue
                } else {
                    storage.remove(at: i)
                }
            } else if let newValue {
                storage.append(Member(key: key, value: newValue))
            }
        }
    }

    /// The keys in order. O(n): builds a new array.
    public var keys: [String] {
        storage.map(\.key)
    }

    /// The values in key order. O(n): builds a new array.
    public var values: [JSON] {
        storage.map(\.value)
    }

    /// Removes `key` and returns its old value, preserving the order of the other keys. O(n).
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = index(forKey: key) else { return nil }
        return storage.remove(at: i).value
    }

    /// Appends a member without checking for an existing key. The caller guarantees uniqueness;
    /// this is the fast path for code that builds objects from known-distinct keys. Amortized O(1).
    @inlinable
    public mutating func appendUnchecked(key: String, value: JSON) {
        storage.append(Member(key: key, value: value))
    }

    /// Reserves room for `minimumCapacity` members to avoid regrowth while building.
    @inlinable
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        storage.reserveCapacity(minimumCapacity)
    }

    /// Order-sensitive equality: same keys with equal values in the same order. O(n).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for i in lhs.storage.indices {
            let a = lhs.storage[i], b = rhs.storage[i]
            if !a.key.hasSameBytes(as: b.key) || a.value != b.value { return false }
        }
        return true
    }

    /// Hashes count, keys and values in order, consistent with `==`. O(n).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        for pair in storage {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}
