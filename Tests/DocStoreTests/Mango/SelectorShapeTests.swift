import Testing
@testable import DocStore

/// `fields` and the normalized form (checked against CouchDB's eunit expectations).
@Suite struct SelectorShapeTests {
    static let fieldCases: [(String, [String])] = [
        ("{}", []), (#"{"field": 1}"#, ["field"]), (#"{"field1": {"field2": 1}}"#, ["field1.field2"]),
        (#"{"$and": []}"#, []), (#"{"$and": [{"field1": 1}, {"field2": 1}]}"#, ["field1", "field2"]),
        (#"{"$or": [{"field1": 1}, {"field2": 1}]}"#, ["field1", "field2"]),
        (#"{"$nor": [{"field1": 1}, {"field2": 1}]}"#, ["field1", "field2"]),
        (#"{"a": {"$gt": 1, "$lt": 5}, "b": 2}"#, ["a", "b"]), (#"{"a\\.b": 1}"#, ["a\\.b"]),
        (#"{"genre": {"$elemMatch": {"x": 1}}}"#, ["genre"]), (#"{"$not": {"a": 1, "b.c": 2}}"#, ["a", "b.c"]),
        (#"{"a": {"$regex": "x"}, "$or": [{"a": 1}, {"c": {"$not": {"$size": 1}}}]}"#, ["a", "c"]),
    ]

    @Test(arguments: fieldCases)
    func fields(_ selector: String, _ expected: [String]) throws {
        #expect(try Selector(json(selector)).fields == expected)
    }

    static let normalizedCases: [(String, String)] = [
        (#"{"x": {}}"#, #"{"x":{"$eq":{}}}"#),
        (#"{"$not": {"x": {}}}"#, #"{"x":{"$ne":{}}}"#),
        (#"{"x": {"a": 1}}"#, #"{"x.a":{"$eq":1}}"#),
        (#"{"x": {"a": 1, "b": 2}}"#, #"{"$and":[{"x.a":{"$eq":1}},{"x.b":{"$eq":2}}]}"#),
        (#"{"x.b": 2}"#, #"{"x.b":{"$eq":2}}"#),
        (#"{"foo": {"$and": [{"$gt": 5}, {"$lt": 10}]}}"#, #"{"$and":[{"foo":{"$gt":5}},{"foo":{"$lt":10}}]}"#),
        (#"{"foo": {"bar": {"$gt": 10}}}"#, #"{"foo.bar":{"$gt":10}}"#),
        (#"{"$not": {"foo": {"$gt": 10}}}"#, #"{"foo":{"$lte":10}}"#),
        (#"{"$not": {"$and": [{"foo": {"$gt": 10}}, {"foo": {"$lt": 5}}]}}"#,
         #"{"$or":[{"foo":{"$lte":10}},{"foo":{"$gte":5}}]}"#),
        (#"{"$nor": [{"a": {"$in": [1]}}, {"b": {"$exists": true}}]}"#,
         #"{"$and":[{"a":{"$nin":[1]}},{"b":{"$exists":false}}]}"#),
        (#"{"a": {"$not": {"$regex": "^x"}}}"#, #"{"a":{"$not":{"$regex":"^x"}}}"#),
        (#"{"a": {"$elemMatch": {"$gte": 80, "$lt": 85}}}"#, #"{"a":{"$elemMatch":{"$and":[{"$gte":80},{"$lt":85}]}}}"#),
        (#"{"a": {"$not": {"$and": []}}}"#, #"{"$or":[]}"#),
        (#"{"a\\.b": {"$mod": [3, 1]}, "c": {"$size": 2}}"#, #"{"$and":[{"a\\.b":{"$mod":[3,1]}},{"c":{"$size":2}}]}"#),
    ]

    @Test(arguments: normalizedCases)
    func normalized(_ selector: String, _ expected: String) throws {
        #expect(try Selector(json(selector)).normalized.description == expected)
    }

    @Test func selectorIsSendableAndReusable() async throws {
        let selector = try Selector(json(#"{"n": {"$mod": [2, 0]}}"#))
        let counts = await withTaskGroup(of: Int.self) { group in
            for start in 0..<4 {
                group.addTask {
                    (0..<100).filter { selector.matches(.object(["n": .number(JSONNumber(start * 100 + $0))])) }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(counts == 200)
    }
}
