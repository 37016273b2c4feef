/// CouchDB's view collation of JSON values (`couch_ejson_compare`), used by every Mango
/// comparison operator except on `_id`.
///
/// Order: `null` < `false` < `true` < numbers < strings < arrays < objects. Numbers compare by
/// value (`1 == 1.0`); strings by `StringCollation`, ICU's root collator as CouchDB calls it;
/// arrays element by element, a prefix first; objects member by member in stored
/// order, each member by key then value, a prefix first (member order matters, as in CouchDB).
public enum Collation {
    /// Negative, zero or positive as `a` sorts before, equal to or after `b`. O(size of the
    /// shorter value).
    public static func compare(_ a: JSON, _ b: JSON) -> Int {
        let ra = rank(a)
        let rb = rank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (x ? 1 : -1)
        case (.number(let x), .number(let y)):
            return compareNumbers(x, y)
        case (.string(let x), .string(let y)):
            return StringCollation.compare(x, y)
        case (.array(let x), .array(let y)):
            for i in 0..<min(x.count, y.count) {
                let c = compare(x[i], y[i])
                if c != 0 { return c }
            }
            return sign(x.count - y.count)
        case (.object(let x), .object(let y)):
            for i in 0..<min(x.count, y.count) {
                let (kx, vx) = x[i]
                let (ky, vy) = y[i]
                let keys = StringCollation.compare(kx, ky)
                if keys != 0 { return keys }
                let values = compare(vx, vy)
                if values != 0 { return values }
            }
            return sign(x.count - y.count)
        default:
            return 0
        }
    }

    /// Type rank in collation order; `false` and `true` share a rank and compare as booleans.
    private static func rank(_ value: JSON) -> Int {
        switch value {
        case .null: 0
        case .bool: 1
        case .number: 2
        case .string: 3
        case .array: 4
        case .object: 5
        }
    }

    /// -1, 0 or 1.
    static func sign(_ n: Int) -> Int {
        n == 0 ? 0 : (n < 0 ? -1 : 1)
    }
}
