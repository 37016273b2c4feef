/// A validated `_find` / `_explain` body (`mango_opts:validate_find/1`).
public struct FindRequest: Sendable {
    public var selector: Selector
    /// `[]`, `[ddoc]` or `[ddoc, name]` (ddoc without `_design/` when given so).
    public var useIndex: [String] = []
    public var bookmark: String?
    public var limit = 25
    public var skip = 0
    /// Sort fields and the one direction they share (CouchDB refuses mixed directions).
    public var sort: [(field: String, direction: String)] = []
    /// Projection; nil for all fields.
    public var fields: [String]?
    public var r = 1
    public var conflicts = false
    public var stale: Bool = false
    public var update = true
    public var stable = false
    public var executionStats = false
    public var allowFallback = true
    /// The partition a query is scoped to (`/db/_partition/{p}/_find`, or `partition`);
    /// nil for a global query.
    public var partition: String?
    /// The body as given, in CouchDB's option order, for `_explain`'s `opts`.
    var rawSort: JSON = .object([:])

    public var descending: Bool { sort.first?.direction == "desc" }
    public var sortFields: [String] { sort.map(\.field) }

    static let keys: Set<String> = [
        "selector", "use_index", "bookmark", "limit", "skip", "sort", "fields", "partition", "r", "conflicts", "stale",
        "update", "stable", "execution_stats", "allow_fallback",
    ]

    /// Validates a request body; `scope` is the partition of a `/db/_partition/{p}/`
    /// path (mango_httpd:maybe_set_partition/1).
    /// - Throws: `MangoError` with CouchDB's wording.
    public init(_ given: JSONObject, partition scope: String? = nil) throws(MangoError) {
        var body = given
        if let scope {
            // CouchDB compares the path's partition (an Erlang string) with the body's
            // (a binary): they never match, so any `partition` in the body is refused.
            if let other = body["partition"] {
                throw MangoError(500, "unknown_error", "Unknown Error: mango_httpd :: {bad_partition,\(ErlangFormat.term(other))}")
            }
            body["partition"] = .string(scope)
        }
        guard let selectorJSON = body["selector"] else { throw .missingKey("selector") }
        guard case .object = selectorJSON else {
            throw MangoError(400, "invalid_selector_json", "Selector must be a JSON object, not: \(ErlangFormat.term(selectorJSON))")
        }
        do {
            selector = try Selector(selectorJSON)
        } catch {
            throw MangoError(error)
        }
        if let value = body["use_index"] { useIndex = try Self.useIndex(value) }
        if let value = body["bookmark"] {
            switch value {
            case .null: bookmark = nil
            case .string(let s): bookmark = s.isEmpty ? nil : s
            default: throw MangoError(500, "unknown_error", "Unknown Error: mango_opts :: {invalid_bookmark,\(ErlangFormat.term(value))}")
            }
        }
        if let value = body["limit"] { limit = try Self.nonNegative(value) }
        if let value = body["skip"] { skip = try Self.nonNegative(value) }
        if let value = body["sort"] { (sort, rawSort) = try Self.sort(value) }
        if let value = body["fields"] { fields = try Self.fields(value) }
        if let value = body["partition"] {
            guard case .string(let p) = value else { throw MangoError(400, "illegal_partition", "Partition must be a string") }
            if !p.isEmpty {
                do { try Partition.validate(p) } catch { throw MangoError(400, error.code.rawValue, error.reason) }
                partition = p
            }
        }
        if let value = body["r"] {
            guard let n = value.int64Value, value.numberValue?.isInteger == true, n > 0 else { throw .positiveInteger(value) }
            r = Int(n)
        }
        if let value = body["conflicts"] { conflicts = try Self.boolean(value) }
        if let value = body["stale"] {
            switch value {
            case .string("ok"): stale = true
            case .string("false"), .bool(false): stale = false
            default: throw MangoError(500, "unknown_error", "Unknown Error: mango_opts :: {invalid_ok_or_false_value,\(ErlangFormat.term(value))}")
            }
        }
        if let value = body["update"] { update = try Self.boolean(value) }
        if let value = body["stable"] { stable = try Self.boolean(value) }
        if let value = body["execution_stats"] { executionStats = try Self.boolean(value) }
        if let value = body["allow_fallback"] { allowFallback = try Self.boolean(value) }
        if let unknown = body.first(where: { !Self.keys.contains($0.key) }) { throw .invalidKey(unknown.key) }
    }

    private static func nonNegative(_ value: JSON) throws(MangoError) -> Int {
        guard let n = value.int64Value, value.numberValue?.isInteger == true, !(value.numberValue!.text.contains(".")), n >= 0 else {
            throw .nonNegativeInteger(value)
        }
        return Int(min(n, Int64(Int32.max)))
    }

    private static func boolean(_ value: JSON) throws(MangoError) -> Bool {
        guard case .bool(let b) = value else { throw .boolean(value) }
        return b
    }

    static func useIndex(_ value: JSON) throws(MangoError) -> [String] {
        let invalid = MangoError(400, "invalid_index_name", "Invalid index name: \(ErlangFormat.term(value))")
        switch value {
        case .null: return []
        case .string(let name):
            let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            switch parts.count {
            case 1: return parts
            case 2: return parts[0] == "_design" ? [parts[1]] : parts
            case 3 where parts[0] == "_design": return [parts[1], parts[2]]
            default: throw invalid
            }
        case .array(let items):
            let names = items.compactMap(\.stringValue)
            guard names.count == items.count, names.count <= 2 else { throw invalid }
            return names
        default: throw invalid
        }
    }

    private static func sort(_ value: JSON) throws(MangoError) -> ([(field: String, direction: String)], JSON) {
        guard case .array(let items) = value else {
            throw MangoError(400, "invalid_sort_json", "Sort must be an array of sort specs, not: \(ErlangFormat.pretty(value))")
        }
        var result: [(field: String, direction: String)] = []
        var object = JSONObject()
        for item in items {
            switch item {
            case .string(let field) where !field.isEmpty:
                result.append((field, "asc"))
            case .object(let spec) where spec.count == 1:
                let (field, direction) = spec.first!
                guard direction.stringValue == "asc" || direction.stringValue == "desc" else {
                    throw MangoError(400, "invalid_sort_field", "Invalid sort field: \(ErlangFormat.pretty(item))")
                }
                result.append((field, direction.stringValue!))
            default:
                throw MangoError(400, "invalid_sort_field", "Invalid sort field: \(ErlangFormat.pretty(item))")
            }
            object[result.last!.field] = .string(result.last!.direction)
        }
        if Set(result.map(\.direction)).count > 1 {
            throw MangoError(400, "unsupported_mixed_sort", "Sorts currently only support a single direction for all fields.")
        }
        return (result, .object(object))
    }

    private static func fields(_ value: JSON) throws(MangoError) -> [String]? {
        guard case .array(let items) = value else {
            throw MangoError(400, "invalid_fields", "Fields must be an array of strings, not: \(ErlangFormat.term(value))")
        }
        if items.isEmpty { return nil }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else {
                throw MangoError(400, "invalid_field", "Invalid JSON for field spec: \(ErlangFormat.term(item))")
            }
            names.append(name)
        }
        return names
    }
}
