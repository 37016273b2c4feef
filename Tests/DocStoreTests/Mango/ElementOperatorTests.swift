import Testing
@testable import DocStore

/// `$exists $type $mod $regex $beginsWith`, ported from CouchDB's eunit tests.
@Suite struct ElementOperatorTests {
    static let cases: [ValueCase] = [
        // $exists (one level down, as in CouchDB's test)
        .init(#"{"x": {"$exists": true}}"#, #"{"x": 0}"#, true),
        .init(#"{"x": {"$exists": true}}"#, #"{"y": 0}"#, false),
        .init(#"{"x": {"$exists": true}}"#, "{}", false),
        .init(#"{"x": {"$exists": false}}"#, #"{"x": 0}"#, false),
        .init(#"{"x": {"$exists": false}}"#, #"{"y": 0}"#, true),
        .init(#"{"x": {"$exists": false}}"#, "{}", true),
        .init(#"{"$exists": true}"#, "null", true),
        // $type
        .init(#"{"$type": "null"}"#, "null", true), .init(#"{"$type": "null"}"#, "false", false),
        .init(#"{"$type": "null"}"#, "{}", false),
        .init(#"{"$type": "boolean"}"#, "true", true), .init(#"{"$type": "boolean"}"#, "false", true),
        .init(#"{"$type": "boolean"}"#, "0", false),
        .init(#"{"$type": "number"}"#, "42", true), .init(#"{"$type": "number"}"#, "3.14", true),
        .init(#"{"$type": "number"}"#, "0", true), .init(#"{"$type": "number"}"#, "true", false),
        .init(#"{"$type": "number"}"#, "[1]", false), .init(#"{"$type": "number"}"#, #""1""#, false),
        .init(#"{"$type": "string"}"#, #""""#, true), .init(#"{"$type": "string"}"#, #""hello""#, true),
        .init(#"{"$type": "string"}"#, "[]", false),
        .init(#"{"$type": "array"}"#, "[]", true), .init(#"{"$type": "array"}"#, "[1, 2]", true),
        .init(#"{"$type": "array"}"#, "{}", false), .init(#"{"$type": "array"}"#, #""hi""#, false),
        .init(#"{"$type": "object"}"#, "{}", true), .init(#"{"$type": "object"}"#, #"{"a": 1}"#, true),
        .init(#"{"$type": "object"}"#, #"[{"a": 1}]"#, false), .init(#"{"$type": "object"}"#, "null", false),
        // $mod: integers only, Erlang rem semantics (sign of the dividend)
        .init(#"{"$mod": [28, 1]}"#, "1", true), .init(#"{"$mod": [28, 1]}"#, "29", true),
        .init(#"{"$mod": [28, 1]}"#, "57", true), .init(#"{"$mod": [28, 1]}"#, "58", false),
        .init(#"{"$mod": [28, 1]}"#, #""57""#, false), .init(#"{"$mod": [28, 1]}"#, "57.0", false),
        .init(#"{"$mod": [28, 1]}"#, "5.7e1", false), .init(#"{"$mod": [28, 1]}"#, "[57]", false),
        .init(#"{"$mod": [3, -1]}"#, "-1", true), .init(#"{"$mod": [3, 2]}"#, "-1", false),
        .init(#"{"$mod": [-3, 1]}"#, "7", true), .init(#"{"$mod": [2, 0]}"#, "-0", true),
        .init(#"{"$mod": [-1, 0]}"#, "-9223372036854775808", true),
        // $regex
        .init(#"{"$regex": "^[0-9a-f]+$"}"#, #""""#, false), .init(#"{"$regex": "^[0-9a-f]+$"}"#, #""3a0df5e""#, true),
        .init(#"{"$regex": "^[0-9a-f]+$"}"#, #""3a0gf5e""#, false), .init(#"{"$regex": "^[0-9a-f]+$"}"#, "42", false),
        .init(#"{"$regex": "oo"}"#, #""food""#, true), .init(#"{"$regex": "(?i)^FOO"}"#, #""food""#, true),
        .init(#"{"$regex": "^A"}"#, #""apple""#, false), .init(#"{"$regex": "a"}"#, #"["a"]"#, false),
        // $beginsWith
        .init(#"{"$beginsWith": "foo"}"#, #""foo""#, true), .init(#"{"$beginsWith": "foo"}"#, #""food""#, true),
        .init(#"{"$beginsWith": "foo"}"#, #""fool me once""#, true),
        .init(#"{"$beginsWith": "foo"}"#, #""more food""#, false), .init(#"{"$beginsWith": "foo"}"#, #""fo""#, false),
        .init(#"{"$beginsWith": "foo"}"#, "42", false), .init(#"{"$beginsWith": "foo"}"#, #""Foo""#, false),
        .init(#"{"$beginsWith": ""}"#, #""anything""#, true), .init(#"{"$beginsWith": "é"}"#, #""été""#, true),
        .init(#"{"$beginsWith": "e"}"#, #""été""#, false),
    ]

    @Test(arguments: cases)
    func elementOperator(_ c: ValueCase) throws {
        try c.check()
    }
}
