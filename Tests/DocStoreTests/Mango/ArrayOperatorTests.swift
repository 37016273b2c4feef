import Testing
@testable import DocStore

/// `$in $nin $all $size $elemMatch $allMatch $keyMapMatch`, ported from CouchDB's eunit tests.
@Suite struct ArrayOperatorTests {
    static let mixed = #"[42, false, "bar", [["nested"], "list"], {"b": 2}]"#

    static let cases: [ValueCase] = [
        // $in
        .init(#"{"$in": []}"#, "0", false), .init(#"{"$in": []}"#, "true", false),
        .init(#"{"$in": []}"#, #""foo""#, false),
        .init(#"{"$in": \#(mixed)}"#, "42", true), .init(#"{"$in": \#(mixed)}"#, "false", true),
        .init(#"{"$in": \#(mixed)}"#, #""bar""#, true), .init(#"{"$in": \#(mixed)}"#, #"{"b": 2}"#, true),
        .init(#"{"$in": \#(mixed)}"#, "43", false), .init(#"{"$in": \#(mixed)}"#, "true", false),
        .init(#"{"$in": \#(mixed)}"#, #""bars""#, false),
        .init(#"{"$in": \#(mixed)}"#, #"{"b": 2, "c": 3}"#, false),
        // An array value matches when one of its elements is in the list...
        .init(#"{"$in": \#(mixed)}"#, "[0, 42]", true), .init(#"{"$in": \#(mixed)}"#, "[0, false]", true),
        .init(#"{"$in": \#(mixed)}"#, #"[0, "bar"]"#, true),
        .init(#"{"$in": \#(mixed)}"#, #"[0, {"b": 2}]"#, true),
        // ...so an array candidate only matches when nested one level deeper.
        .init(#"{"$in": \#(mixed)}"#, #"[["nested"], "list"]"#, false),
        .init(#"{"$in": \#(mixed)}"#, #"[0, [["nested"], "list"]]"#, true),
        .init(#"{"$in": [1]}"#, "1.0", true), .init(#"{"$in": [1, 2]}"#, "[]", false),
        // $nin
        .init(#"{"$nin": []}"#, "0", true), .init(#"{"$nin": []}"#, #""foo""#, true),
        .init(#"{"$nin": []}"#, "[]", true),
        .init(#"{"$nin": \#(mixed)}"#, "42", false), .init(#"{"$nin": \#(mixed)}"#, #""bar""#, false),
        .init(#"{"$nin": \#(mixed)}"#, "43", true), .init(#"{"$nin": \#(mixed)}"#, #"{"b": 2, "c": 3}"#, true),
        .init(#"{"$nin": \#(mixed)}"#, "[0, 42]", false),
        .init(#"{"$nin": \#(mixed)}"#, #"[["nested"], "list"]"#, true),
        .init(#"{"$nin": \#(mixed)}"#, #"[0, [["nested"], "list"]]"#, false),
        // $all: empty matches nothing
        .init(#"{"$all": []}"#, "[]", false), .init(#"{"$all": []}"#, "[42]", false),
        .init(#"{"$all": []}"#, "{}", false), .init(#"{"$all": []}"#, #""foo""#, false),
        // any order, extra elements allowed
        .init(#"{"$all": [1, 2, 3, 4]}"#, "[3, 2, 4, 1]", true),
        .init(#"{"$all": [1, 2, 3, 4]}"#, "[0, 4, 3, 5, 2, 1, 6]", true),
        .init(#"{"$all": [1, 2, 3, 4]}"#, "[3, 2, 4]", false), .init(#"{"$all": [1, 2, 3, 4]}"#, "[]", false),
        // $all: [List] also matches the list itself, or a list containing it
        .init(#"{"$all": [[1, 2, 3, 4]]}"#, "[1, 2, 3, 4]", true),
        .init(#"{"$all": [[1, 2, 3, 4]]}"#, "[4, 3, 2, 1]", false),
        .init(#"{"$all": [[1, 2, 3, 4]]}"#, "[1, 3, 4]", false),
        .init(#"{"$all": [[1, 2, 3, 4]]}"#, "[5, [1, 2, 3, 4], 6]", true),
        .init(#"{"$all": [[1, 2, 3, 4]]}"#, "[5, [1, 3, 2, 4], 6]", false),
        .init(#"{"$all": ["hello"]}"#, #""hello""#, false), .init(#"{"$all": ["hello"]}"#, #"["hello"]"#, true),
        .init(#"{"$all": ["hello"]}"#, #"[0, "hello", 1]"#, true),
        .init(#"{"$all": [{"a": 1}]}"#, #"[{"a": 1}]"#, true),
        .init(#"{"$all": [{"a": 1}]}"#, #"[{"a": 1, "b": 2}]"#, false),
        // membership is Erlang's exact =:=: an integer never equals a float...
        .init(#"{"$all": [1]}"#, "[1.0]", false), .init(#"{"$all": [1.0]}"#, "[1.0]", true),
        // ...but the whole-list form uses ==, where it does
        .init(#"{"$all": [[1]]}"#, "[1.0]", true),
        // $size
        .init(#"{"$size": 3}"#, "3", false), .init(#"{"$size": 3}"#, #""fun""#, false),
        .init(#"{"$size": 3}"#, "[0, 0, 0]", true), .init(#"{"$size": 3}"#, "[0, 0]", false),
        .init(#"{"$size": 3}"#, "[0, 0, 0, 0]", false), .init(#"{"$size": 0}"#, "[]", true),
        .init(#"{"$size": 0}"#, "{}", false),
        // $elemMatch
        .init(#"{"$elemMatch": {"$eq": 0}}"#, "[]", false), .init(#"{"$elemMatch": {"$eq": 0}}"#, "[0]", true),
        .init(#"{"$elemMatch": {"$eq": 0}}"#, "[1]", false), .init(#"{"$elemMatch": {"$eq": 0}}"#, "[0, 1]", true),
        .init(#"{"$elemMatch": {"$ne": 0}}"#, "[]", false), .init(#"{"$elemMatch": {"$ne": 0}}"#, "[0]", false),
        .init(#"{"$elemMatch": {"$ne": 0}}"#, "[1]", true), .init(#"{"$elemMatch": {"$ne": 0}}"#, "[0, 1]", true),
        .init(#"{"$elemMatch": {"$gte": 80, "$lt": 85}}"#, "[70, 82, 90]", true),
        .init(#"{"$elemMatch": {"$gte": 80, "$lt": 85}}"#, "[70, 90]", false),
        .init(#"{"$elemMatch": {"a": 1, "b": 2}}"#, #"[{"a": 1, "b": 2}]"#, true),
        .init(#"{"$elemMatch": {"a": 1, "b": 2}}"#, #"[{"a": 1}, {"b": 2}]"#, false),
        .init(#"{"$elemMatch": {"$eq": 0}}"#, "0", false), .init(#"{"$elemMatch": {"$eq": 0}}"#, #"{"a": 0}"#, false),
        .init(#"{"$elemMatch": {"$elemMatch": {"$eq": 1}}}"#, "[[0], [1]]", true),
        // $allMatch: false on empty lists
        .init(#"{"$allMatch": {"$eq": 0}}"#, "[]", false), .init(#"{"$allMatch": {"$eq": 0}}"#, "[0]", true),
        .init(#"{"$allMatch": {"$eq": 0}}"#, "[1]", false), .init(#"{"$allMatch": {"$eq": 0}}"#, "[0, 1]", false),
        .init(#"{"$allMatch": {"a": {"$gt": 1}}}"#, #"[{"a": 2}, {"a": 3}]"#, true),
        .init(#"{"$allMatch": {"a": {"$gt": 1}}}"#, #"[{"a": 2}, {"b": 3}]"#, false),
        .init(#"{"$allMatch": {"$eq": 0}}"#, "0", false),
        // $keyMapMatch
        .init(#"{"$keyMapMatch": {"$regex": "^[a-z]+$"}}"#, #"{"hello": 0}"#, true),
        .init(#"{"$keyMapMatch": {"$regex": "^[a-z]+$"}}"#, #"{"a": 1, "b": 2}"#, true),
        .init(#"{"$keyMapMatch": {"$regex": "^[a-z]+$"}}"#, #"{"a": 1, "b4": 2}"#, true),
        .init(#"{"$keyMapMatch": {"$regex": "^[a-z]+$"}}"#, #"{"b4": 2}"#, false),
        .init(#"{"$keyMapMatch": {"$regex": "^[a-z]+$"}}"#, "{}", false),
        .init(#"{"$keyMapMatch": {"$eq": "a"}}"#, #"["a"]"#, false),
        .init(#"{"$keyMapMatch": {"$in": ["x", "y"]}}"#, #"{"y": null}"#, true),
    ]

    @Test(arguments: cases)
    func arrayOperator(_ c: ValueCase) throws {
        try c.check()
    }
}
