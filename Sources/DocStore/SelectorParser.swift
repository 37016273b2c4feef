/// Validates selector JSON and turns it into a `SelectorNode` tree (CouchDB's `norm_ops/1`).
///
/// Rules, as in `mango_selector.erl`: an object with several members is an implicit `$and` of
/// one-member objects; a member whose key starts with `$` is an operator; any other member is a
/// field condition whose key may be a dotted path; a non-object value, or `{}`, is an implicit
/// `$eq`. Operator arguments are validated here, and the first problem found (members in order,
/// depth first) is thrown.
enum SelectorParser {
    /// Deepest object/array nesting accepted, so matching can never exhaust the stack.
    static let maxDepth = 200

    /// Parses one selector (sub)expression. O(size of the selector) plus regex compilation.
    static func parse(_ json: JSON, depth: Int = 0) throws(SelectorError) -> SelectorNode {
        guard depth <= maxDepth else { throw .nestedTooDeeply }
        guard case .object(let object) = json, !object.isEmpty else {
            return .condition(.equal(json))
        }
        if object.count == 1 {
            return try member(object[0].key, object[0].value, depth: depth)
        }
        var parts: [SelectorNode] = []
        parts.reserveCapacity(object.count)
        for (key, value) in object {
            parts.append(try member(key, value, depth: depth))
        }
        return .and(parts)
    }

    /// One `key: value` member: an operator or a field condition.
    private static func member(_ key: String, _ value: JSON, depth: Int) throws(SelectorError) -> SelectorNode {
        if key.utf8.first == UInt8(ascii: "$") {
            return try operatorNode(key, value, depth: depth)
        }
        return .field(try FieldPath.parse(key), try parse(value, depth: depth + 1))
    }

    /// Parses each element of an array argument as a selector.
    private static func list(_ op: String, _ argument: JSON, depth: Int) throws(SelectorError) -> [SelectorNode] {
        guard case .array(let items) = argument else { throw .badArgument(op, argument) }
        var nodes: [SelectorNode] = []
        nodes.reserveCapacity(items.count)
        for item in items {
            nodes.append(try parse(item, depth: depth + 1))
        }
        return nodes
    }

    /// Parses an object argument (`$not`, `$elemMatch`, `$allMatch`, `$keyMapMatch`).
    private static func object(_ op: String, _ argument: JSON, depth: Int) throws(SelectorError) -> SelectorNode {
        guard case .object = argument else { throw .badArgument(op, argument) }
        return try parse(argument, depth: depth + 1)
    }

    /// Validates one operator and its argument.
    private static func operatorNode(_ op: String, _ argument: JSON, depth: Int) throws(SelectorError) -> SelectorNode {
        switch op {
        case "$and": return .and(try list(op, argument, depth: depth))
        case "$or": return .or(try list(op, argument, depth: depth))
        case "$nor": return .nor(try list(op, argument, depth: depth))
        case "$not": return .not(try object(op, argument, depth: depth))
        case "$elemMatch": return .elemMatch(try object(op, argument, depth: depth))
        case "$allMatch": return .allMatch(try object(op, argument, depth: depth))
        case "$keyMapMatch": return .keyMapMatch(try object(op, argument, depth: depth))
        case "$lt": return .condition(.lessThan(argument))
        case "$lte": return .condition(.lessThanOrEqual(argument))
        case "$eq": return .condition(.equal(argument))
        case "$ne": return .condition(.notEqual(argument))
        case "$gte": return .condition(.greaterThanOrEqual(argument))
        case "$gt": return .condition(.greaterThan(argument))
        case "$in", "$nin", "$all":
            guard case .array(let values) = argument else { throw .badArgument(op, argument) }
            return .condition(op == "$in" ? .in(values) : op == "$nin" ? .notIn(values) : .all(values))
        case "$exists":
            guard case .bool(let flag) = argument else { throw .badArgument(op, argument) }
            return .condition(.exists(flag))
        case "$type":
            guard case .string(let name) = argument, let type = SelectorCondition.TypeName(rawValue: name) else {
                throw .badArgument(op, argument)
            }
            return .condition(.type(type))
        case "$size":
            guard let n = argument.int64Value, n >= 0, let size = Int(exactly: n) else {
                throw .badArgument(op, argument)
            }
            return .condition(.size(size))
        case "$mod":
            guard case .array(let pair) = argument, pair.count == 2,
                let divisor = pair[0].int64Value, let remainder = pair[1].int64Value, divisor != 0
            else { throw .badArgument(op, argument) }
            return .condition(.mod(divisor: divisor, remainder: remainder))
        case "$regex":
            // CouchDB has no bad_arg clause for a non-string pattern; it falls through to
            // "Invalid operator". A pattern that does not compile is a bad_arg.
            guard case .string(let pattern) = argument else { throw .invalidOperator(op) }
            do {
                return .condition(.regex(try MangoRegex(pattern)))
            } catch {
                throw .badArgument(op, argument)
            }
        case "$beginsWith":
            guard case .string(let prefix) = argument else { throw .invalidOperator(op) }
            return .condition(.beginsWith(prefix))
        case "$where", "$geoWithin", "$geoIntersects", "$near", "$nearSphere", "$text":
            throw .notSupported(op)
        default:
            throw .invalidOperator(op)
        }
    }
}
