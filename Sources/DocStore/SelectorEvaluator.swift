/// Evaluates a normalized `SelectorNode` against a JSON value (CouchDB's `match/3`).
enum SelectorEvaluator {
    /// The comparison in force: view collation, or Erlang term order below an `_id` field.
    enum Order {
        /// `mango_json:cmp/2`.
        case collation
        /// `mango_json:cmp_raw/2`.
        case raw

        /// Negative, zero or positive.
        func compare(_ a: JSON, _ b: JSON) -> Int {
            switch self {
            case .collation: Collation.compare(a, b)
            case .raw: ErlangTermOrder.compare(a, b)
            }
        }
    }

    /// Whether `value` satisfies `node`.
    static func matches(_ node: SelectorNode, _ value: JSON, _ order: Order) -> Bool {
        switch node {
        case .and(let nodes):
            return nodes.allSatisfy { matches($0, value, order) }
        case .or(let nodes):
            return nodes.isEmpty || nodes.contains { matches($0, value, order) }
        case .nor(let nodes):
            return !nodes.contains { matches($0, value, order) }
        case .not(let inner):
            return !matches(inner, value, order)
        case .field(let path, let condition):
            if path.isEmpty { return matches(condition, value, order) }
            switch FieldPath.lookup(path, in: value) {
            case .found(let found):
                let isID = path.count == 1 && path[0] == "_id"
                return matches(condition, found, isID ? .raw : order)
            case .notFound:
                if case .condition(.exists(false)) = condition { return true }
                return false
            case .badPath:
                return false
            }
        case .elemMatch(let inner):
            guard case .array(let elements) = value else { return false }
            return elements.contains { matches(inner, $0, order) }
        case .allMatch(let inner):
            guard case .array(let elements) = value, !elements.isEmpty else { return false }
            return elements.allSatisfy { matches(inner, $0, order) }
        case .keyMapMatch(let inner):
            guard case .object(let object) = value else { return false }
            return object.contains { matches(inner, .string($0.key), order) }
        case .condition(let condition):
            return evaluate(condition, value, order)
        }
    }

    /// Whether a present `value` satisfies one condition operator.
    static func evaluate(_ condition: SelectorCondition, _ value: JSON, _ order: Order) -> Bool {
        switch condition {
        case .lessThan(let arg): return order.compare(value, arg) < 0
        case .lessThanOrEqual(let arg): return order.compare(value, arg) <= 0
        case .equal(let arg): return order.compare(value, arg) == 0
        case .notEqual(let arg): return order.compare(value, arg) != 0
        case .greaterThanOrEqual(let arg): return order.compare(value, arg) >= 0
        case .greaterThan(let arg): return order.compare(value, arg) > 0
        case .in(let args):
            return isIn(args, value, order)
        case .notIn(let args):
            if case .array = value { return args.isEmpty || !isIn(args, value, order) }
            return args.allSatisfy { order.compare(value, $0) != 0 }
        case .all(let args):
            guard !args.isEmpty, case .array(let elements) = value else { return false }
            let hasAll = args.allSatisfy { arg in
                elements.contains { ErlangTermOrder.equal($0, arg, exact: true) }
            }
            if hasAll { return true }
            if args.count == 1, case .array = args[0] {
                return ErlangTermOrder.equal(args[0], value, exact: false)
            }
            return false
        case .exists(let shouldExist):
            return shouldExist
        case .type(let name):
            return SelectorCondition.TypeName(of: value) == name
        case .mod(let divisor, let remainder):
            guard case .number(let n) = value, n.isInteger, let dividend = n.int64Value else { return false }
            return dividend.remainderReportingOverflow(dividingBy: divisor).partialValue == remainder
        case .size(let count):
            guard case .array(let elements) = value else { return false }
            return elements.count == count
        case .regex(let regex):
            guard case .string(let s) = value else { return false }
            return regex.matches(s)
        case .beginsWith(let prefix):
            guard case .string(let s) = value else { return false }
            return s.utf8.starts(with: prefix.utf8)
        }
    }

    /// `$in`: an array value matches when any of its elements equals any argument (the array as
    /// a whole is never compared); any other value when it equals an argument.
    private static func isIn(_ args: [JSON], _ value: JSON, _ order: Order) -> Bool {
        if case .array(let elements) = value {
            return args.contains { arg in elements.contains { order.compare($0, arg) == 0 } }
        }
        return args.contains { order.compare(value, $0) == 0 }
    }
}
