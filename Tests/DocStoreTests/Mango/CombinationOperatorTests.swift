import Testing
@testable import DocStore

/// `$and $or $not $nor` and nesting, including the consequences of CouchDB's normalization.
@Suite struct CombinationOperatorTests {
    static let cases: [MatchCase] = [
        // $and: empty matches anything; several conditions must all match.
        .init(#"{"x": {"$and": []}}"#, #"{"x": 0}"#, true), .init(#"{"x": {"$and": []}}"#, "{}", true),
        .init(#"{"$and": []}"#, #"{"a": 1}"#, true),
        .init(#"{"x": {"$and": [{"$gt": 3}, {"$lt": 7}]}}"#, #"{"x": 6}"#, true),
        .init(#"{"x": {"$and": [{"$gt": 3}, {"$lt": 7}]}}"#, #"{"x": 2}"#, false),
        .init(#"{"x": {"$and": [{"$gt": 3}, {"$lt": 7}]}}"#, #"{"x": 9}"#, false),
        .init(#"{"x": {"$and": [{"$gt": 3}, {"$lt": 7}]}}"#, "{}", false),
        .init(#"{"x": {"$not": {"$and": [{"$gt": 3}, {"$lt": 7}]}}}"#, #"{"x": 6}"#, false),
        .init(#"{"x": {"$not": {"$and": [{"$gt": 3}, {"$lt": 7}]}}}"#, #"{"x": 2}"#, true),
        .init(#"{"x": {"$not": {"$and": [{"$gt": 3}, {"$lt": 7}]}}}"#, "{}", false),
        // {"x": {"$not": {"$and": []}}} normalizes to {"$or": []}: matches even without x.
        .init(#"{"x": {"$not": {"$and": []}}}"#, #"{"x": []}"#, true),
        .init(#"{"x": {"$not": {"$and": []}}}"#, "{}", true),
        // $or
        .init(#"{"x": {"$or": []}}"#, #"{"x": false}"#, true), .init(#"{"x": {"$or": []}}"#, "{}", true),
        .init(#"{"x": {"$not": {"$or": []}}}"#, "{}", true),
        .init(#"{"x": {"$or": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 6}"#, false),
        .init(#"{"x": {"$or": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 2}"#, true),
        .init(#"{"x": {"$or": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 9}"#, true),
        .init(#"{"x": {"$or": [{"$lt": 3}, {"$gt": 7}]}}"#, "{}", false),
        .init(#"{"x": {"$not": {"$or": [{"$lt": 3}, {"$gt": 7}]}}}"#, #"{"x": 6}"#, true),
        .init(#"{"x": {"$not": {"$or": [{"$lt": 3}, {"$gt": 7}]}}}"#, #"{"x": 2}"#, false),
        .init(#"{"x": {"$not": {"$or": [{"$lt": 3}, {"$gt": 7}]}}}"#, "{}", false),
        .init(#"{"$or": [{"a": 1}, {"b": 1}]}"#, #"{"b": 1}"#, true),
        .init(#"{"$or": [{"a": 1}, {"b": 1}]}"#, #"{"c": 1}"#, false),
        // $nor
        .init(#"{"x": {"$nor": []}}"#, #"{"x": 0}"#, true), .init(#"{"x": {"$nor": []}}"#, "{}", true),
        .init(#"{"x": {"$nor": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 6}"#, true),
        .init(#"{"x": {"$nor": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 2}"#, false),
        .init(#"{"x": {"$nor": [{"$lt": 3}, {"$gt": 7}]}}"#, #"{"x": 9}"#, false),
        .init(#"{"x": {"$nor": [{"$lt": 3}, {"$gt": 7}]}}"#, "{}", false),
        .init(#"{"$nor": [{"a": 1}, {"b": 1}]}"#, #"{"a": 2, "b": 2}"#, true),
        .init(#"{"$nor": [{"a": 1}, {"b": 1}]}"#, #"{"a": 2}"#, false),  // b must exist: {"b": {"$ne": 1}}
        // $not: negations are pushed to the leaves, so the field must still exist...
        .init(#"{"$not": {"x": 5}}"#, "{}", false), .init(#"{"$not": {"x": 5}}"#, #"{"x": 6}"#, true),
        .init(#"{"$not": {"x": 5}}"#, #"{"x": 5}"#, false),
        .init(#"{"x": {"$not": {"$eq": 0}}}"#, "{}", false),
        // ...unless $exists is part of the negated condition.
        .init(#"{"x": {"$not": {"$exists": true, "$eq": 0}}}"#, #"{"x": 1}"#, true),
        .init(#"{"x": {"$not": {"$exists": true, "$eq": 0}}}"#, #"{"x": 0}"#, false),
        .init(#"{"x": {"$not": {"$exists": true, "$eq": 0}}}"#, "{}", true),
        .init(#"{"$not": {"$not": {"x": 1}}}"#, #"{"x": 1}"#, true),
        .init(#"{"x": {"$not": {"$regex": "^a"}}}"#, #"{"x": "bc"}"#, true),
        .init(#"{"x": {"$not": {"$regex": "^a"}}}"#, "{}", false),
        .init(#"{"x": {"$not": {"$size": 1}}}"#, #"{"x": 5}"#, true),
        .init(#"{"x": {"$not": {"$in": [1, 2]}}}"#, #"{"x": 3}"#, true),
        // Inside $elemMatch negations are evaluated literally (CouchDB does not normalize there).
        .init(#"{"a": {"$elemMatch": {"$not": {"b": 1}}}}"#, #"{"a": [{"c": 1}]}"#, true),
        .init(#"{"a": {"$elemMatch": {"$not": {"b": 1}}}}"#, #"{"a": [{"b": 1}]}"#, false),
        .init(#"{"a": {"$elemMatch": {"$nor": [{"$eq": 1}]}}}"#, #"{"a": [1, 2]}"#, true),
        .init(#"{"a": {"$elemMatch": {"$nor": [{"$eq": 1}]}}}"#, #"{"a": [1]}"#, false),
        .init(#"{"a": {"$not": {"$elemMatch": {"$eq": 1}}}}"#, #"{"a": [2]}"#, true),
        .init(#"{"a": {"$not": {"$elemMatch": {"$eq": 1}}}}"#, #"{"a": 1}"#, true),
        .init(#"{"a": {"$not": {"$allMatch": {"$eq": 1}}}}"#, #"{"a": []}"#, true),
        // Implicit and of several fields and operators.
        .init(#"{"a": {"$gt": 1, "$lt": 5}, "b": "x"}"#, #"{"a": 3, "b": "x"}"#, true),
        .init(#"{"a": {"$gt": 1, "$lt": 5}, "b": "x"}"#, #"{"a": 6, "b": "x"}"#, false),
        .init(#"{"a": {"$gt": 1, "$lt": 5}, "b": "x"}"#, #"{"a": 3}"#, false),
        .init(#"{"$or": [{"a": 1}, {"$and": [{"b": 2}, {"c": {"$gt": 3}}]}]}"#, #"{"b": 2, "c": 4}"#, true),
        .init(#"{"$or": [{"a": 1}, {"$and": [{"b": 2}, {"c": {"$gt": 3}}]}]}"#, #"{"b": 2, "c": 3}"#, false),
        .init(#"{"a": {"$gt": 1, "b": 2}}"#, #"{"a": {"b": 2}}"#, true),
    ]

    @Test(arguments: cases)
    func combination(_ c: MatchCase) throws {
        try c.check()
    }

    @Test func emptySelectorMatchesEverything() throws {
        let selector = try Selector(json("{}"))
        for doc in ["{}", #"{"x": {}}"#, #"{"x": {"a": 1}}"#, #"{"x": []}"#, "null", "[1]"] {
            #expect(selector.matches(try json(doc)))
        }
        #expect(selector.fields.isEmpty)
    }
}
