import Testing
@testable import DocStore

/// `$lt $lte $eq $ne $gte $gt`, ported from CouchDB's eunit `match_*_test`s plus cross-type cases.
@Suite struct ComparisonOperatorTests {
    static let cases: [ValueCase] = [
        // $lt
        .init(#"{"$lt": 5}"#, "4", true), .init(#"{"$lt": 5}"#, "5", false), .init(#"{"$lt": 5}"#, "6", false),
        .init(#"{"$lt": "hello"}"#, #""held""#, true), .init(#"{"$lt": "hello"}"#, #""hello""#, false),
        .init(#"{"$lt": "hello"}"#, #""help""#, false),
        .init(#"{"$lt": [1, 2, 3]}"#, "[1, 2, 2]", true), .init(#"{"$lt": [1, 2, 3]}"#, "[1, 2]", true),
        .init(#"{"$lt": [1, 2, 3]}"#, "[1, 2, 3]", false), .init(#"{"$lt": [1, 2, 3]}"#, "[1, 2, 4]", false),
        .init(#"{"$lt": [1, 2, 3]}"#, "[1, 3]", false),
        // $lte
        .init(#"{"$lte": 5}"#, "4", true), .init(#"{"$lte": 5}"#, "5", true), .init(#"{"$lte": 5}"#, "6", false),
        .init(#"{"$lte": "hello"}"#, #""hello""#, true), .init(#"{"$lte": "hello"}"#, #""help""#, false),
        .init(#"{"$lte": [1, 2, 3]}"#, "[1, 2, 3]", true), .init(#"{"$lte": [1, 2, 3]}"#, "[1, 3]", false),
        // $gt
        .init(#"{"$gt": 5}"#, "4", false), .init(#"{"$gt": 5}"#, "5", false), .init(#"{"$gt": 5}"#, "6", true),
        .init(#"{"$gt": "hello"}"#, #""held""#, false), .init(#"{"$gt": "hello"}"#, #""help""#, true),
        .init(#"{"$gt": [1, 2, 3]}"#, "[1, 2]", false), .init(#"{"$gt": [1, 2, 3]}"#, "[1, 2, 4]", true),
        .init(#"{"$gt": [1, 2, 3]}"#, "[1, 3]", true),
        // $gte
        .init(#"{"$gte": 5}"#, "4", false), .init(#"{"$gte": 5}"#, "5", true), .init(#"{"$gte": 5}"#, "6", true),
        .init(#"{"$gte": [1, 2, 3]}"#, "[1, 2, 2]", false), .init(#"{"$gte": [1, 2, 3]}"#, "[1, 2, 3]", true),
        // $eq
        .init(#"{"$eq": 5}"#, "5", true), .init(#"{"$eq": 5}"#, "6", false),
        .init(#"{"$eq": "hello"}"#, #""hello""#, true), .init(#"{"$eq": "hello"}"#, #""help""#, false),
        .init(#"{"$eq": [1, [2, 3, 4], 5]}"#, "[1, [2, 3, 4], 5]", true),
        .init(#"{"$eq": [1, [2, 3, 4], 5]}"#, "[1, [2, 3, 4]]", false),
        .init(#"{"$eq": [1, [2, 3, 4], 5]}"#, "[1, [2, 3, 4], 5, 6]", false),
        .init(#"{"$eq": [1, [2, 3, 4], 5]}"#, "[1, [2, 7, 4], 5]", false),
        .init(#"{"$eq": {"a": {"b": {"c": 7}}}}"#, #"{"a": {"b": {"c": 7}}}"#, true),
        .init(#"{"$eq": {"a": {"b": {"c": 7}}}}"#, #"{"a": {"b": {"c": 8}}}"#, false),
        .init(#"{"$eq": {"a": {"b": {"c": 7}}}}"#, #"{"a": {"b": {"d": 7}}}"#, false),
        .init(#"{"$eq": {"a": {"b": {"c": 7}}}}"#, #"{"a": {"d": {"c": 7}}}"#, false),
        .init(#"{"$eq": {"a": 1, "b": 2}}"#, #"{"b": 2, "a": 1}"#, false),  // member order matters
        .init(#"{"$eq": 1}"#, "1.0", true), .init(#"{"$eq": 100}"#, "1e2", true),
        .init(#"{"$eq": "abc"}"#, #""ABC""#, false), .init(#"{"$eq": null}"#, "null", true),
        .init(#"{"$eq": false}"#, "0", false), .init(#"{"$eq": "1"}"#, "1", false),
        .init(#"{"$eq": "x"}"#, #"["x"]"#, false),  // no implicit array element match
        .init(#"{"$eq": ["x"]}"#, #"["x"]"#, true),
        // $ne
        .init(#"{"$ne": 5}"#, "5", false), .init(#"{"$ne": 5}"#, "6", true),
        .init(#"{"$ne": "hello"}"#, #""hello""#, false), .init(#"{"$ne": "hello"}"#, #""help""#, true),
        .init(#"{"$ne": [1, [2, 3, 4], 5]}"#, "[1, [2, 3, 4], 5]", false),
        .init(#"{"$ne": [1, [2, 3, 4], 5]}"#, "[1, [2, 7, 4], 5]", true),
        .init(#"{"$ne": {"a": {"b": {"c": 7}}}}"#, #"{"a": {"b": {"c": 8}}}"#, true),
        .init(#"{"$ne": "x"}"#, #"["x"]"#, true),
        // Range operators collate across types: null < false < true < numbers < strings < arrays < objects.
        .init(#"{"$gt": null}"#, "false", true), .init(#"{"$gt": null}"#, "0", true),
        .init(#"{"$gt": null}"#, #""""#, true), .init(#"{"$gt": null}"#, "[]", true),
        .init(#"{"$gt": null}"#, "{}", true), .init(#"{"$gt": null}"#, "null", false),
        .init(#"{"$lt": 5}"#, #""a""#, false), .init(#"{"$lt": "a"}"#, "99", true),
        .init(#"{"$gt": 1}"#, "[0]", true), .init(#"{"$lte": true}"#, "false", true),
        .init(#"{"$lte": true}"#, "null", true), .init(#"{"$lte": true}"#, "0", false),
        .init(#"{"$lt": {}}"#, #"["z"]"#, true), .init(#"{"$gte": {}}"#, #"{"a": 1}"#, true),
        // Strings collate case-insensitively first, lowercase before uppercase.
        .init(#"{"$lt": "b"}"#, #""A""#, true), .init(#"{"$lt": "B"}"#, #""b""#, true),
        .init(#"{"$gt": "Z"}"#, #""a""#, false),
        // Numbers compare by value.
        .init(#"{"$gt": 1}"#, "1.5", true), .init(#"{"$lt": -1}"#, "-1.5", true),
        .init(#"{"$gte": 9007199254740993}"#, "9007199254740993", true),
    ]

    @Test(arguments: cases)
    func comparison(_ c: ValueCase) throws {
        try c.check()
    }
}
