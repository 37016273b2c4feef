import Testing
@testable import DocStore

/// Nested and dotted paths, escaping, array indexes, missing fields and `_id` ordering.
@Suite struct FieldPathTests {
    static let cases: [MatchCase] = [
        // Subfields: nested objects and dotted names are the same thing.
        .init(#"{"imdb": {"rating": 8}}"#, #"{"imdb": {"rating": 8, "votes": 10}}"#, true),
        .init(#"{"imdb.rating": 8}"#, #"{"imdb": {"rating": 8, "votes": 10}}"#, true),
        .init(#"{"imdb": {"rating": {"$eq": 8}}}"#, #"{"imdb": {"rating": 8}}"#, true),
        .init(#"{"imdb": {"rating": 8}}"#, #"{"imdb": {"rating": 7}}"#, false),
        .init(#"{"a": {"b.c": {"d": 1}}}"#, #"{"a": {"b": {"c": {"d": 1}}}}"#, true),
        // An object operand is a set of subfield conditions, not object equality; {} is equality.
        .init(#"{"x": {"a": 1}}"#, #"{"x": {"a": 1, "b": 2}}"#, true),
        .init(#"{"x": {"a": 1, "b": 2}}"#, #"{"x": {"b": 2, "a": 1}}"#, true),
        .init(#"{"x": {"a": 1, "b": 2}}"#, #"{"x": {"a": 1}}"#, false),
        .init(#"{"x": {"a": 1}}"#, #"{"x": []}"#, false),
        .init(#"{"x": {}}"#, #"{"x": {}}"#, true), .init(#"{"x": {}}"#, #"{"x": {"a": 1}}"#, false),
        .init(#"{"x": {}}"#, "{}", false), .init(#"{"x": {}}"#, #"{"x": []}"#, false),
        .init(#"{"$not": {"x": {}}}"#, #"{"x": {"a": 1}}"#, true), .init(#"{"$not": {"x": {}}}"#, "{}", false),
        .init(#"{"x": {"$eq": {"a": 1}}}"#, #"{"x": {"a": 1, "b": 2}}"#, false),
        // Escaped dots name a key containing a dot.
        .init(#"{"a\\.b": 1}"#, #"{"a.b": 1}"#, true), .init(#"{"a\\.b": 1}"#, #"{"a": {"b": 1}}"#, false),
        .init(#"{"a.b": 1}"#, #"{"a.b": 1}"#, false),
        .init(#"{"x.a\\.b.c": 1}"#, #"{"x": {"a.b": {"c": 1}}}"#, true),
        // Array positions.
        .init(#"{"tags.0": "x"}"#, #"{"tags": ["x", "y"]}"#, true),
        .init(#"{"tags.1": "x"}"#, #"{"tags": ["x", "y"]}"#, false),
        .init(#"{"tags.01": "y"}"#, #"{"tags": ["x", "y"]}"#, true),
        .init(#"{"tags.-1": "y"}"#, #"{"tags": ["x", "y"]}"#, false),
        .init(#"{"items.1.n": 2}"#, #"{"items": [{"n": 1}, {"n": 2}]}"#, true),
        .init(#"{"a.0": 1}"#, #"{"a": {"0": 1}}"#, true),
        .init(#"{"items.n": 1}"#, #"{"items": [{"n": 1}]}"#, false),
        // A bad path (index out of range, key on a scalar or array) fails even $exists: false.
        .init(#"{"tags.5": {"$exists": false}}"#, #"{"tags": ["x"]}"#, false),
        .init(#"{"a.b": {"$exists": false}}"#, #"{"a": 5}"#, false),
        .init(#"{"a.b": {"$exists": false}}"#, #"{"a": {}}"#, true),
        .init(#"{"a.b": {"$exists": false}}"#, "{}", true),
        // No implicit matching of array elements; $in, $all and $elemMatch look inside.
        .init(#"{"tags": "x"}"#, #"{"tags": ["x"]}"#, false),
        .init(#"{"tags": ["x"]}"#, #"{"tags": ["x"]}"#, true),
        .init(#"{"tags": {"$in": ["x"]}}"#, #"{"tags": ["x", "y"]}"#, true),
        .init(#"{"tags": {"$gt": "a"}}"#, #"{"tags": ["b"]}"#, true),  // an array sorts after every string
        // null is a value; missing is not.
        .init(#"{"a": null}"#, #"{"a": null}"#, true), .init(#"{"a": null}"#, "{}", false),
        .init(#"{"a": {"$exists": true}}"#, #"{"a": null}"#, true),
        // _id compares in Erlang term order (numbers < atoms < objects < arrays < strings, bytewise).
        .init(#"{"_id": {"$gt": null}}"#, #"{"_id": "abc"}"#, true),
        .init(#"{"_id": {"$lt": []}}"#, #"{"_id": "abc"}"#, false),
        .init(#"{"name": {"$lt": []}}"#, #"{"name": "abc"}"#, true),
        .init(#"{"_id": {"$gt": "Z"}}"#, #"{"_id": "a"}"#, true),
        .init(#"{"name": {"$gt": "Z"}}"#, #"{"name": "a"}"#, false),
        .init(#"{"_id": {"$gt": {}}}"#, #"{"_id": "abc"}"#, true),
        .init(#"{"name": {"$gt": {}}}"#, #"{"name": "abc"}"#, false),
        .init(#"{"_id": {"$in": ["a", "b"]}}"#, #"{"_id": "b"}"#, true),
        .init(#"{"_id": {"$gte": "_design/", "$lt": "_design0"}}"#, #"{"_id": "_design/abc"}"#, true),
        .init(#"{"_id": {"$lt": "_design/ZZZZ"}}"#, #"{"_id": "_design/abc"}"#, false),
        .init(#"{"_id": {"$beginsWith": "f"}}"#, #"{"_id": "foo"}"#, true),
        .init(#"{"user_id": {"$beginsWith": "f"}}"#, #"{"_id": "foo", "user_id": 11}"#, false),
        .init(#"{"user_id": "11"}"#, #"{"_id": "foo", "user_id": 11}"#, false),
    ]

    @Test(arguments: cases)
    func path(_ c: MatchCase) throws {
        try c.check()
    }

    /// Every condition on a missing field fails, except `$exists: false`.
    static let missing: [(String, Bool)] = [
        (#"{"$eq": 1}"#, false), (#"{"$ne": 1}"#, false), (#"{"$lt": 1}"#, false), (#"{"$gt": null}"#, false),
        (#"{"$in": [1]}"#, false), (#"{"$nin": [1]}"#, false), (#"{"$nin": []}"#, false), (#"{"$all": [1]}"#, false),
        (#"{"$size": 0}"#, false), (#"{"$mod": [2, 0]}"#, false), (#"{"$regex": ""}"#, false),
        (#"{"$type": "null"}"#, false), (#"{"$beginsWith": ""}"#, false), (#"{"$elemMatch": {}}"#, false),
        (#"{"$allMatch": {}}"#, false), (#"{"$keyMapMatch": {}}"#, false), (#"{"$exists": true}"#, false),
        (#"{"$exists": false}"#, true), (#"{"$not": {"$exists": true}}"#, true), (#"{"$not": {"$eq": 1}}"#, false),
        (#"{"$not": {"$size": 1}}"#, false), (#"{"$not": {"$in": [1]}}"#, false),
    ]

    @Test(arguments: missing)
    func missingField(_ condition: String, _ expected: Bool) throws {
        let selector = try Selector(json(#"{"a": \#(condition)}"#))
        #expect(selector.matches(try json(#"{"b": 1}"#)) == expected)
    }
}
