/// CouchDB's `norm_fields/1` and `norm_negations/1`: pushes field paths down to the conditions
/// and negations down to the leaves, reproducing CouchDB's results including their quirks.
///
/// Two consequences worth knowing (both covered by CouchDB's own tests): `{"$not": {"a": 1}}`
/// becomes `{"a": {"$ne": 1}}` and so does not match documents without `a`; and
/// `{"a": {"$not": {"$and": []}}}` becomes `{"$or": []}`, which matches everything. Negations
/// inside `$elemMatch`/`$allMatch`/`$keyMapMatch` are left in place (CouchDB never reaches them
/// either) and are evaluated literally.
enum SelectorNormalizer {
    /// Normalizes a parsed selector. Throws `invalid_selector` when the top-level condition has
    /// no field name (`{"$gt": 1}`); like CouchDB, only the top level is checked.
    static func normalize(_ node: SelectorNode) throws(SelectorError) -> SelectorNode {
        let normalized = negations(fields(node, path: []))
        if case .field(let path, _) = normalized, path.isEmpty {
            throw .missingFieldName
        }
        return normalized
    }

    /// Prefixes every condition with the path of the fields enclosing it.
    static func fields(_ node: SelectorNode, path: [String]) -> SelectorNode {
        switch node {
        case .and(let nodes): .and(nodes.map { fields($0, path: path) })
        case .or(let nodes): .or(nodes.map { fields($0, path: path) })
        case .nor(let nodes): .nor(nodes.map { fields($0, path: path) })
        case .not(let inner): .not(fields(inner, path: path))
        case .elemMatch(let inner): .field(path, .elemMatch(fields(inner, path: [])))
        case .allMatch(let inner): .field(path, .allMatch(fields(inner, path: [])))
        case .keyMapMatch(let inner): .field(path, .keyMapMatch(fields(inner, path: [])))
        case .condition: .field(path, node)
        case .field(let segments, let inner): fields(inner, path: path + segments)
        }
    }

    /// Removes `$not`/`$nor` where CouchDB does, applying De Morgan's laws.
    static func negations(_ node: SelectorNode) -> SelectorNode {
        switch node {
        case .not(let inner): negate(inner)
        case .nor(let nodes): .and(nodes.map(negate))
        case .and(let nodes): .and(nodes.map(negations))
        case .or(let nodes): .or(nodes.map(negations))
        case .elemMatch(let inner): .elemMatch(negations(inner))
        case .allMatch(let inner): .allMatch(negations(inner))
        case .keyMapMatch(let inner): .keyMapMatch(negations(inner))
        case .field, .condition: node
        }
    }

    /// The negation of `node`, pushed as far down as CouchDB pushes it.
    static func negate(_ node: SelectorNode) -> SelectorNode {
        switch node {
        case .not(let inner): negations(inner)
        case .nor(let nodes): .or(nodes.map(negations))
        case .and(let nodes): .or(nodes.map(negate))
        case .or(let nodes): .and(nodes.map(negate))
        case .field(let path, let inner): .field(path, negate(inner))
        case .condition(let condition):
            if let flipped = condition.negated { .condition(flipped) } else { .not(node) }
        case .elemMatch, .allMatch, .keyMapMatch: .not(node)
        }
    }
}
