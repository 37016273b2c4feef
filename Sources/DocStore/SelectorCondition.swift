/// A terminal condition operator with its validated argument.
enum SelectorCondition: Sendable {
    /// `$lt`.
    case lessThan(JSON)
    /// `$lte`.
    case lessThanOrEqual(JSON)
    /// `$eq` (also implicit equality).
    case equal(JSON)
    /// `$ne`.
    case notEqual(JSON)
    /// `$gte`.
    case greaterThanOrEqual(JSON)
    /// `$gt`.
    case greaterThan(JSON)
    /// `$in`.
    case `in`([JSON])
    /// `$nin`.
    case notIn([JSON])
    /// `$all`.
    case all([JSON])
    /// `$exists`.
    case exists(Bool)
    /// `$type`.
    case type(TypeName)
    /// `$mod` with a non-zero divisor.
    case mod(divisor: Int64, remainder: Int64)
    /// `$size`.
    case size(Int)
    /// `$regex`.
    case regex(MangoRegex)
    /// `$beginsWith`.
    case beginsWith(String)

    /// The condition with the opposite result, for the operators CouchDB negates in place
    /// (`negate/1`); nil for operators that must stay wrapped in `$not`.
    var negated: SelectorCondition? {
        switch self {
        case .lessThan(let v): .greaterThanOrEqual(v)
        case .lessThanOrEqual(let v): .greaterThan(v)
        case .equal(let v): .notEqual(v)
        case .notEqual(let v): .equal(v)
        case .greaterThanOrEqual(let v): .lessThan(v)
        case .greaterThan(let v): .lessThanOrEqual(v)
        case .in(let vs): .notIn(vs)
        case .notIn(let vs): .in(vs)
        case .exists(let b): .exists(!b)
        case .all, .type, .mod, .size, .regex, .beginsWith: nil
        }
    }

    /// The operator name and argument as they appear in a selector.
    var json: (op: String, argument: JSON) {
        switch self {
        case .lessThan(let v): ("$lt", v)
        case .lessThanOrEqual(let v): ("$lte", v)
        case .equal(let v): ("$eq", v)
        case .notEqual(let v): ("$ne", v)
        case .greaterThanOrEqual(let v): ("$gte", v)
        case .greaterThan(let v): ("$gt", v)
        case .in(let vs): ("$in", .array(vs))
        case .notIn(let vs): ("$nin", .array(vs))
        case .all(let vs): ("$all", .array(vs))
        case .exists(let b): ("$exists", .bool(b))
        case .type(let t): ("$type", .string(t.rawValue))
        case .mod(let d, let r): ("$mod", .array([.number(JSONNumber(d)), .number(JSONNumber(r))]))
        case .size(let n): ("$size", .number(JSONNumber(n)))
        case .regex(let r): ("$regex", .string(r.pattern))
        case .beginsWith(let p): ("$beginsWith", .string(p))
        }
    }

    /// The JSON type names `$type` accepts (CouchDB's `mango_json:type/1`).
    enum TypeName: String, Sendable {
        case null, boolean, number, string, array, object

        /// The type name of `value`.
        init(of value: JSON) {
            switch value {
            case .null: self = .null
            case .bool: self = .boolean
            case .number: self = .number
            case .string: self = .string
            case .array: self = .array
            case .object: self = .object
            }
        }
    }
}
