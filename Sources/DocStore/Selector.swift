/// A parsed, validated and normalized Mango selector: the query language of `_find`,
/// `_changes?filter=_selector`, partial indexes and replication selectors.
///
/// Semantics follow CouchDB 3.4 (`mango_selector.erl`): an object is an implicit `$and` of its
/// members; field names may be dotted paths (`"a.b"`, `"tags.0"`, `\.` for a literal dot); a
/// non-object operand means `$eq`, while an object operand without operators is a set of
/// subfield conditions (`{"imdb": {"rating": 8}}` is `{"imdb.rating": 8}`; only `{}` means
/// equality with an object). A condition on a missing field never matches, except
/// `$exists: false`; in particular `$ne`, `$nin` and a negated `$eq` do not match documents
/// lacking the field. Arrays are never searched implicitly: `{"tags": "x"}` compares the whole
/// value (use `$elemMatch`, `$all` or `$in`, which looks inside arrays). Comparisons use
/// `Collation`, except on `_id`, which compares in Erlang term order.
///
/// Departures from CouchDB: `$type` rejects unknown type names (CouchDB silently never
/// matches), `$mod` rejects a zero divisor (CouchDB fails at match time), `$text` is rejected
/// (no text indexes), and `$nor` inside `$elemMatch`/`$allMatch`/`$keyMapMatch` means "none
/// match" (CouchDB crashes into a non-match there).
public struct Selector: Sendable {
    /// The normalized tree; `.and([])` for the empty selector.
    let root: SelectorNode

    /// The document fields the selector reads at the top level, as dotted paths (dots inside a
    /// key escaped as `\.`), in order of first appearance and without duplicates. Conditions
    /// inside `$elemMatch`/`$allMatch`/`$keyMapMatch` contribute their array or object field
    /// only. Empty for the empty selector.
    public let fields: [String]

    /// Parses and validates `json`, which must be an object; `{}` matches every document.
    /// Throws a `SelectorError` carrying CouchDB's error name and reason for unknown operators,
    /// malformed operands, uncompilable `$regex` patterns, empty field-name segments and
    /// top-level conditions without a field. O(size of the selector).
    public init(_ json: JSON) throws(SelectorError) {
        guard case .object(let object) = json else { throw .notAnObject(json) }
        isMatchAll = object.isEmpty
        if object.isEmpty {
            root = .and([])
        } else {
            root = try SelectorNormalizer.normalize(try SelectorParser.parse(json))
        }
        var seen = Set<String>()
        var names: [String] = []
        Self.collectFields(root, into: &names, seen: &seen)
        fields = names
    }

    /// True when `document` (a document body, or any JSON value) satisfies the selector.
    /// O(size of the selector × path lengths), plus regex matching.
    public func matches(_ document: JSON) -> Bool {
        SelectorEvaluator.matches(root, document, .collation)
    }

    /// True when a stored document satisfies the selector, matched in the form CouchDB
    /// matches changes and replication filters against: the JSON with `_id`, `_rev`,
    /// `_deleted` and stubs. The one filter for `_changes?filter=_selector`, local and
    /// HTTP replication sources alike.
    public func matches(_ document: Document) -> Bool {
        matches(.object(document.json()))
    }

    /// The normalized selector in CouchDB's JSON form, as `_explain` reports it: every
    /// condition under its full field path, implicit operators made explicit, negations pushed
    /// down (`{"$not": {"a": 1}}` becomes `{"a": {"$ne": 1}}`).
    public var normalized: JSON {
        // `{}` stays `{}` (CouchDB keeps it so, and matches everything with it), while an
        // explicit `{"$and": []}` is the query that matches nothing.
        isMatchAll ? .object([:]) : Self.render(root)
    }

    /// The empty selector `{}`.
    let isMatchAll: Bool

    /// Walks `$and`/`$or`/`$not`/`$nor` collecting field paths.
    private static func collectFields(_ node: SelectorNode, into names: inout [String], seen: inout Set<String>) {
        switch node {
        case .and(let nodes), .or(let nodes), .nor(let nodes):
            for n in nodes { collectFields(n, into: &names, seen: &seen) }
        case .not(let inner):
            collectFields(inner, into: &names, seen: &seen)
        case .field(let path, _):
            guard !path.isEmpty else { return }
            let name = FieldPath.join(path)
            if seen.insert(name).inserted { names.append(name) }
        case .elemMatch, .allMatch, .keyMapMatch, .condition:
            return
        }
    }

    /// The JSON form of a node.
    private static func render(_ node: SelectorNode) -> JSON {
        func single(_ key: String, _ value: JSON) -> JSON {
            var object = JSONObject()
            object.appendUnchecked(key: key, value: value)
            return .object(object)
        }
        switch node {
        case .and(let nodes): return single("$and", .array(nodes.map(render)))
        case .or(let nodes): return single("$or", .array(nodes.map(render)))
        case .nor(let nodes): return single("$nor", .array(nodes.map(render)))
        case .not(let inner): return single("$not", render(inner))
        case .elemMatch(let inner): return single("$elemMatch", render(inner))
        case .allMatch(let inner): return single("$allMatch", render(inner))
        case .keyMapMatch(let inner): return single("$keyMapMatch", render(inner))
        case .field(let path, let inner):
            return path.isEmpty ? render(inner) : single(FieldPath.join(path), render(inner))
        case .condition(let condition):
            let (op, argument) = condition.json
            return single(op, argument)
        }
    }
}
