/// CouchDB's built-in reduce functions (`couch_query_servers:builtin_reduce`), computed
/// in Swift over all the rows of a group at once (no JavaScript, no rereduce needed).
///
/// Numbers keep Erlang's arithmetic: integers stay integers, any float makes the
/// result a float. An invalid `_sum` or `_stats` input does not fail the query: the
/// reduction becomes CouchDB's `{"error": "builtin_reduce_error", …}` object.
enum BuiltInReduce {
    static let sumError = "The _sum function requires that map values be numbers, arrays of numbers, or objects. Objects cannot be mixed with other data structures. Objects can be arbitrarily nested, provided that the values for all fields are themselves numbers, arrays of numbers, or objects."

    /// Reduces `rows` (key, value) with the built-in `name`.
    static func reduce(_ name: String, keys: [JSON], values: [JSON]) -> JSON {
        switch name {
        case "_count": return .number(JSONNumber(values.count))
        case "_sum": return sum(values)
        case "_stats": return stats(values)
        default: return approximateCountDistinct(keys)
        }
    }

    // MARK: _sum

    private struct InvalidValue: Error {
        let value: JSON
    }

    private static func sum(_ values: [JSON]) -> JSON {
        var total: JSON = .number(JSONNumber(0))
        do {
            for value in values {
                if case .object(let object) = value, object["error"]?.stringValue == "builtin_reduce_error" { return value }
                total = try add(value, total)
            }
        } catch {
            return ["error": "builtin_reduce_error", "reason": .string(sumError), "caused_by": error.value]
        }
        return total
    }

    private static func add(_ value: JSON, _ total: JSON) throws(InvalidValue) -> JSON {
        switch (value, total) {
        case (.number(let a), .number(let b)): return .number(Arithmetic.add(a, b))
        case (.array(let a), .array(let b)): return .array(try addArrays(b, a))
        case (.number, .array(let b)): return .array(try addArrays(b, [value]))
        case (.array(let a), .number): return .array(try addArrays([total], a))
        case (.object(let a), .number(let b)) where b.isInteger && b.int64Value == 0: return .object(a)
        case (.object(let a), .object(let b)): return .object(try addObjects(a, b))
        default: throw InvalidValue(value: value)
        }
    }

    private static func addArrays(_ xs: [JSON], _ ys: [JSON]) throws(InvalidValue) -> [JSON] {
        var result: [JSON] = []
        for i in 0..<max(xs.count, ys.count) {
            if i >= xs.count { result.append(ys[i]); continue }
            if i >= ys.count { result.append(xs[i]); continue }
            guard case .number(let x) = xs[i], case .number(let y) = ys[i] else { throw InvalidValue(value: .array(Array(xs[i...]))) }
            result.append(.number(Arithmetic.add(x, y)))
        }
        return result
    }

    /// Member-wise sum; members come out in Erlang's term order of their keys (bytes).
    private static func addObjects(_ a: JSONObject, _ b: JSONObject) throws(InvalidValue) -> JSONObject {
        var keys = Set<String>()
        for (key, _) in a { keys.insert(key) }
        for (key, _) in b { keys.insert(key) }
        var result = JSONObject()
        for key in keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            switch (a[key], b[key]) {
            case (let x?, let y?): result[key] = try add(x, y)
            case (let x?, nil): result[key] = x
            case (nil, let y?): result[key] = y
            default: break
            }
        }
        return result
    }

    // MARK: _stats

    private struct Stats {
        var sum, count, min, max, sumsqr: JSONNumber

        init(_ x: JSONNumber) {
            (sum, count, min, max, sumsqr) = (x, JSONNumber(1), x, x, Arithmetic.multiply(x, x))
        }

        init?(_ object: JSONObject) {
            guard let sum = object["sum"]?.numberValue, let count = object["count"]?.numberValue, let min = object["min"]?.numberValue,
                let max = object["max"]?.numberValue, let sumsqr = object["sumsqr"]?.numberValue
            else { return nil }
            (self.sum, self.count, self.min, self.max, self.sumsqr) = (sum, count, min, max, sumsqr)
        }

        mutating func merge(_ other: Stats) {
            sum = Arithmetic.add(sum, other.sum)
            count = Arithmetic.add(count, other.count)
            if other.min.doubleValue < min.doubleValue { min = other.min }
            if other.max.doubleValue > max.doubleValue { max = other.max }
            sumsqr = Arithmetic.add(sumsqr, other.sumsqr)
        }

        var json: JSON {
            ["sum": .number(sum), "count": .number(count), "min": .number(min), "max": .number(max), "sumsqr": .number(sumsqr)]
        }
    }

    private static func stats(_ values: [JSON]) -> JSON {
        func one(_ value: JSON) throws(InvalidValue) -> Stats {
            switch value {
            case .number(let n): return Stats(n)
            case .object(let o):
                guard let stats = Stats(o) else { throw InvalidValue(value: value) }
                return stats
            default: throw InvalidValue(value: value)
            }
        }
        guard let first = values.first else { return .number(JSONNumber(0)) }
        do throws(InvalidValue) {
            if case .array(let firstArray) = first {
                var accumulators = try firstArray.map(one)
                for value in values.dropFirst() {
                    guard case .array(let elements) = value else { throw InvalidValue(value: value) }
                    for (i, element) in elements.prefix(accumulators.count).enumerated() { accumulators[i].merge(try one(element)) }
                    accumulators = Array(accumulators.prefix(elements.count))
                }
                return .array(accumulators.map(\.json))
            }
            var accumulator = try one(first)
            for value in values.dropFirst() { accumulator.merge(try one(value)) }
            return accumulator.json
        } catch {
            let reason = "The _stats function requires that map values be numbers or arrays of numbers, not '\(error.value.serializedString)'"
            return ["error": "builtin_reduce_error", "reason": .string(reason)]
        }
    }

    // MARK: _approx_count_distinct

    /// The number of distinct keys. Exact here, where CouchDB estimates with a
    /// HyperLogLog of precision 11 (equal for small counts, within ~2% beyond).
    private static func approximateCountDistinct(_ keys: [JSON]) -> JSON {
        var seen = Set<[UInt8]>()
        for key in keys { seen.insert(key.serialized()) }
        return .number(JSONNumber(seen.count))
    }
}

/// Erlang's number arithmetic on JSON numbers: integer while both are integers and the
/// result fits, float otherwise.
enum Arithmetic {
    static func add(_ a: JSONNumber, _ b: JSONNumber) -> JSONNumber {
        if let x = a.int64Value, let y = b.int64Value, a.isInteger, b.isInteger {
            let (sum, overflow) = x.addingReportingOverflow(y)
            if !overflow { return JSONNumber(sum) }
        }
        return JSONNumber(a.doubleValue + b.doubleValue) ?? JSONNumber(0)
    }

    static func multiply(_ a: JSONNumber, _ b: JSONNumber) -> JSONNumber {
        if let x = a.int64Value, let y = b.int64Value, a.isInteger, b.isInteger {
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            if !overflow { return JSONNumber(product) }
        }
        return JSONNumber(a.doubleValue * b.doubleValue) ?? JSONNumber(0)
    }
}
