import Testing
@testable import DocStore

/// Selectors CouchDB rejects: each must throw a `SelectorError` (never crash) with CouchDB's
/// error name and, where given, reason text.
@Suite struct InvalidSelectorTests {
    static let cases: [InvalidCase] = [
        .init("5", "invalid_selector_json", "Selector must be a JSON object, not: 5"),
        .init("[]", "invalid_selector_json"), .init("null", "invalid_selector_json"),
        .init(#"{"$foo": 1}"#, "invalid_operator", "Invalid operator: $foo"),
        .init(#"{"a": {"$foo": 1}}"#, "invalid_operator", "Invalid operator: $foo"),
        .init(#"{"a": {"$eq": 1, "$bogus": 2}}"#, "invalid_operator", "Invalid operator: $bogus"),
        .init(#"{"a": {"$in": 5}}"#, "bad_arg", "Bad argument for operator $in: 5"),
        .init(#"{"a": {"$nin": {}}}"#, "bad_arg", "Bad argument for operator $nin: {[]}"),
        .init(#"{"a": {"$all": "x"}}"#, "bad_arg", "Bad argument for operator $all: <<120>>"),
        .init(#"{"$and": {}}"#, "bad_arg", "Bad argument for operator $and: {[]}"),
        .init(#"{"$or": 1}"#, "bad_arg"), .init(#"{"$nor": "x"}"#, "bad_arg"),
        .init(#"{"$not": []}"#, "bad_arg", "Bad argument for operator $not: []"),
        .init(#"{"a": {"$not": 1}}"#, "bad_arg"),
        .init(#"{"a": {"$elemMatch": []}}"#, "bad_arg", "Bad argument for operator $elemMatch: []"),
        .init(#"{"a": {"$allMatch": 1}}"#, "bad_arg"), .init(#"{"a": {"$keyMapMatch": "x"}}"#, "bad_arg"),
        .init(#"{"a": {"$size": -1}}"#, "bad_arg", "Bad argument for operator $size: -1"),
        .init(#"{"a": {"$size": 1.5}}"#, "bad_arg"), .init(#"{"a": {"$size": "1"}}"#, "bad_arg"),
        .init(#"{"a": {"$size": 1e1}}"#, "bad_arg"),
        .init(#"{"a": {"$mod": [0, 1]}}"#, "bad_arg", "Bad argument for operator $mod: [0,1]"),
        .init(#"{"a": {"$mod": [2]}}"#, "bad_arg"), .init(#"{"a": {"$mod": [2.5, 1]}}"#, "bad_arg"),
        .init(#"{"a": {"$mod": [2, 1.0]}}"#, "bad_arg"), .init(#"{"a": {"$mod": "x"}}"#, "bad_arg"),
        .init(#"{"a": {"$mod": [2, 1, 0]}}"#, "bad_arg"),
        .init(#"{"a": {"$exists": "yes"}}"#, "bad_arg", "Bad argument for operator $exists: <<121,101,115>>"),
        .init(#"{"a": {"$exists": 1}}"#, "bad_arg"),
        .init(#"{"a": {"$type": "integer"}}"#, "bad_arg", "Bad argument for operator $type: <<105,110,116,101,103,101,114>>"),
        .init(#"{"a": {"$type": 1}}"#, "bad_arg"),
        .init(#"{"a": {"$regex": "("}}"#, "bad_arg", "Bad argument for operator $regex: <<40>>"),
        .init(#"{"a": {"$regex": "[a-"}}"#, "bad_arg"), .init(#"{"a": {"$regex": "a**"}}"#, "bad_arg"),
        .init(#"{"a": {"$regex": 5}}"#, "invalid_operator", "Invalid operator: $regex"),
        .init(#"{"a": {"$beginsWith": 1}}"#, "invalid_operator", "Invalid operator: $beginsWith"),
        .init(#"{"$where": "x"}"#, "not_supported", "Unsupported operator: $where"),
        .init(#"{"loc": {"$near": [0, 0]}}"#, "not_supported"), .init(#"{"$text": "x"}"#, "not_supported"),
        .init(#"{"a": {"$geoWithin": {}}}"#, "not_supported"),
        .init(#"{"$gt": 1}"#, "invalid_selector", "One or more conditions is missing a field name."),
        .init(#"{"$not": {"$gt": 1}}"#, "invalid_selector"),
        .init(#"{"$elemMatch": {"$gt": 1}}"#, "invalid_selector"),
        .init(#"{"a..b": 1}"#, "invalid_field_name", "Invalid field name: a..b"),
        .init(#"{"": 1}"#, "invalid_field_name", "Invalid field name: "),
        .init(#"{"a.": 1}"#, "invalid_field_name"), .init(#"{".a": 1}"#, "invalid_field_name"),
        .init(#"{"a": {"": 1}}"#, "invalid_field_name"),
        .init(#"{"$and": [{"a": 1}, {"b": {"$in": 0}}]}"#, "bad_arg", "Bad argument for operator $in: 0"),
    ]

    @Test(arguments: cases)
    func invalid(_ c: InvalidCase) throws {
        let input = try json(c.selector)
        #expect {
            _ = try Selector(input)
        } throws: { error in
            guard let error = error as? SelectorError else { return false }
            return error.error == c.error && (c.message == nil || error.message == c.message)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        var text = "1"
        for _ in 0..<300 { text = #"{"a": \#(text)}"# }
        #expect(throws: SelectorError.self) { try Selector(json(text)) }
        var nots = #"{"a": 1}"#
        for _ in 0..<300 { nots = #"{"$not": \#(nots)}"# }
        #expect(throws: SelectorError.self) { try Selector(json(nots)) }
    }

    @Test func errorDescription() {
        let error = SelectorError(error: "bad_arg", message: "Bad argument for operator $in: 5")
        #expect(error.description == "bad_arg: Bad argument for operator $in: 5")
    }
}
