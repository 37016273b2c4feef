/// A Mango request CouchDB would refuse: its HTTP status and `error`/`reason` pair,
/// worded as `mango_error.erl` words them (terms printed as Erlang's `~w` prints them).
public struct MangoError: Error, Sendable, Equatable {
    public var status: Int
    public var error: String
    public var reason: String

    public init(_ status: Int, _ error: String, _ reason: String) {
        self.status = status
        self.error = error
        self.reason = reason
    }

    init(_ selector: SelectorError) {
        self.init(400, selector.error, selector.message)
    }

    static func invalidKey(_ key: String) -> MangoError { MangoError(400, "invalid_key", "Invalid key \(key) for this request.") }
    static func missingKey(_ key: String) -> MangoError { MangoError(400, "missing_required_key", "Missing required key: \(key)") }
    static func nonNegativeInteger(_ value: JSON) -> MangoError {
        MangoError(400, "invalid_non_neg_integer", "\(ErlangFormat.term(value)) is not an integer greater than or equal to zero")
    }
    static func positiveInteger(_ value: JSON) -> MangoError {
        MangoError(400, "invalid_pos_integer", "\(ErlangFormat.term(value)) is not an integer greater than zero")
    }
    static func boolean(_ value: JSON) -> MangoError { MangoError(400, "invalid_boolean", "Invalid boolean value: \(ErlangFormat.term(value))") }
    static func string(_ value: JSON) -> MangoError { MangoError(400, "invalid_string", "Invalid string: \(ErlangFormat.term(value))") }
    static func bookmark(_ value: JSON) -> MangoError { MangoError(400, "invalid_bookmark", "Invalid bookmark value: \(value.serializedString)") }
    static let noUsableSortIndex = MangoError(400, "no_usable_index", "No index exists for this sort, try indexing by the sort fields.")
    static let noUsablePartitionedSortIndex = MangoError(
        400, "no_usable_index", "No partitioned index exists for this sort, try indexing by the sort fields.")
    static let noUsableGlobalSortIndex = MangoError(
        400, "no_usable_index", "No global index exists for this sort, try indexing by the sort fields.")
    static let emptyName = MangoError(400, "invalid_empty_string", "Index name or ddoc cannot be empty string")
}

/// Erlang's `~w` rendering of a JSON term as jiffy decodes it (`<<"text">>`, `[1,2]`,
/// `{[{<<"key">>,value}]}`, atoms `null`/`true`/`false`), for CouchDB's error reasons.
enum ErlangFormat {
    static func term(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return number(n)
        case .string(let s): return binary(s)
        case .array(let elements): return "[" + elements.map(term).joined(separator: ",") + "]"
        case .object(let object):
            return "{[" + object.map { "{" + binary($0.key) + "," + term($0.value) + "}" }.joined(separator: ",") + "]}"
        }
    }

    /// `~p`: like `~w`, but printable binaries as `<<"text">>`.
    static func pretty(_ value: JSON) -> String {
        switch value {
        case .string(let s) where !s.isEmpty && s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }):
            return "<<\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\">>"
        case .array(let elements): return "[" + elements.map(pretty).joined(separator: ",") + "]"
        case .object(let object):
            return "{[" + object.map { "{" + pretty(.string($0.key)) + "," + pretty($0.value) + "}" }.joined(separator: ",") + "]}"
        default: return term(value)
        }
    }

    /// A binary as `~w` prints it: its bytes (`<<97,98>>`).
    static func binary(_ s: String) -> String {
        "<<" + s.utf8.map { String($0) }.joined(separator: ",") + ">>"
    }

    /// Integers as written; floats as Erlang's shortest round-trip form (`1.5`, `1.0e10`).
    static func number(_ n: JSONNumber) -> String {
        if n.isInteger, let i = n.int64Value, !n.text.contains(".") && !n.text.lowercased().contains("e") { return String(i) }
        let d = n.doubleValue
        var text = "\(d)"
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if !mantissa.contains(".") { mantissa += ".0" }
            var exponent = String(text[text.index(after: e)...])
            if exponent.hasPrefix("+") { exponent.removeFirst() }
            text = mantissa + "e" + exponent
        }
        return text
    }
}
