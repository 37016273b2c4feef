/// An order-preserving JSON value: objects keep key order, numbers keep their literal text.
///
/// This is the in-memory form of every CouchDB document body and request/response payload, so it
/// favors cheap construction and lossless round trips over convenience: `parse` reads raw bytes
/// without Foundation, and `serialize(into:)` writes compact bytes in stored key order.
public enum JSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, kept as its literal text.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object with ordered, unique keys.
    case object(JSONObject)
}

extension JSON {
    /// The member `key` when this is an object containing it, else nil. O(n) in the member count.
    @inlinable
    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range, else nil.
    @inlinable
    public subscript(index: Int) -> JSON? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// The string payload, or nil for other kinds.
    @inlinable
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean payload, or nil for other kinds.
    @inlinable
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The exact integer when this is an integer literal fitting `Int64`, else nil (see `JSONNumber`).
    @inlinable
    public var int64Value: Int64? {
        if case .number(let n) = self { return n.int64Value }
        return nil
    }

    /// The nearest double when this is a number, else nil.
    @inlinable
    public var doubleValue: Double? {
        if case .number(let n) = self { return n.doubleValue }
        return nil
    }

    /// JavaScript's truthiness of the value (`if (value)`): false for null, false, 0 and
    /// "", true for everything else, empty arrays and objects included.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .number(let n): n.doubleValue != 0
        case .string(let s): !s.isEmpty
        case .array, .object: true
        }
    }

    /// The number payload, or nil for other kinds.
    @inlinable
    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The object payload, or nil for other kinds.
    @inlinable
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The array payload, or nil for other kinds.
    @inlinable
    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// True only for `null`.
    @inlinable
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialization, handy in logs and test failure messages. O(size).
    public var description: String { serializedString }
}

extension JSON: ExpressibleByNilLiteral {
    /// `nil` is `null`.
    @inlinable
    public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    /// A boolean literal.
    @inlinable
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    /// An integer literal.
    @inlinable
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
}

extension JSON: ExpressibleByFloatLiteral {
    /// A float literal, printed in Swift's shortest round-trip form (`1.5`, `3.0`).
    @inlinable
    public init(floatLiteral value: Double) {
        if let n = JSONNumber(value) { self = .number(n) } else { self = .null }
    }
}

extension JSON: ExpressibleByStringLiteral {
    /// A string literal.
    @inlinable
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    /// An array literal.
    @inlinable
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// An object literal; key order is kept and a repeated key keeps its first position, last value.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(elements))
    }
}
