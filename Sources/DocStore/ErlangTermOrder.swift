/// Erlang's native term order and equality on decoded JSON, which CouchDB uses in two places:
/// conditions on `_id` compare with `mango_json:cmp_raw/2`, and `$all` tests membership with
/// `lists:member/2` (exact `=:=` matching).
///
/// With jiffy's decoding, numbers are Erlang numbers (integer literals become integers, all
/// other literals floats), `null`/`true`/`false` atoms, objects `{Proplist}` tuples, arrays
/// lists and strings binaries. The term order is therefore numbers < atoms (`false` < `null` <
/// `true`, alphabetically) < objects < arrays < strings, with strings compared bytewise.
enum ErlangTermOrder {
    /// Negative, zero or positive, like `Collation.compare` but in Erlang term order.
    static func compare(_ a: JSON, _ b: JSON) -> Int {
        let ra = rank(a)
        let rb = rank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return Collation.compareNumbers(x, y)
        case (.string(let x), .string(let y)):
            return compareBytes(x, y)
        case (.array(let x), .array(let y)):
            for i in 0..<min(x.count, y.count) {
                let c = compare(x[i], y[i])
                if c != 0 { return c }
            }
            return Collation.sign(x.count - y.count)
        case (.object(let x), .object(let y)):
            for i in 0..<min(x.count, y.count) {
                let keys = compareBytes(x[i].key, y[i].key)
                if keys != 0 { return keys }
                let values = compare(x[i].value, y[i].value)
                if values != 0 { return values }
            }
            return Collation.sign(x.count - y.count)
        default:
            return 0  // Atoms: equal rank means the same atom.
        }
    }

    /// Rank in Erlang term order; each atom gets its own rank.
    private static func rank(_ value: JSON) -> Int {
        switch value {
        case .number: 0
        case .bool(false): 1
        case .null: 2
        case .bool(true): 3
        case .object: 4
        case .array: 5
        case .string: 6
        }
    }

    /// Bytewise UTF-8 comparison (Erlang binary order, equal to Unicode scalar order).
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var ai = a.utf8.makeIterator()
        var bi = b.utf8.makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    /// Erlang equality on decoded JSON. With `exact` this is `=:=` (an integer never equals a
    /// float: `1` vs `1.0`), otherwise `==` (numbers by value). Strings compare bytewise, objects
    /// member by member in order.
    static func equal(_ a: JSON, _ b: JSON, exact: Bool) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)):
            if exact && x.isInteger != y.isInteger { return false }
            if x.isInteger && y.isInteger && (x.int64Value == nil || y.int64Value == nil) {
                return x.text == y.text  // Big integers: canonical literal text.
            }
            return Collation.compareNumbers(x, y) == 0
        case (.string(let x), .string(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i], exact: exact) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count {
                guard x[i].key.utf8.elementsEqual(y[i].key.utf8), equal(x[i].value, y[i].value, exact: exact)
                else { return false }
            }
            return true
        default:
            return false
        }
    }
}
