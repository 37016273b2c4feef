import Testing
@testable import DocStore

/// Parses JSON test text.
func json(_ text: String) throws -> JSON {
    try JSON.parse(text)
}

/// One selector/document pair and whether the selector must match.
struct MatchCase: Sendable, CustomTestStringConvertible {
    let selector: String
    let document: String
    let expected: Bool

    init(_ selector: String, _ document: String, _ expected: Bool) {
        self.selector = selector
        self.document = document
        self.expected = expected
    }

    var testDescription: String { "\(selector) on \(document) -> \(expected)" }

    /// Asserts the expectation.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let selector = try Selector(json(self.selector))
        #expect(selector.matches(try json(document)) == expected, "\(testDescription)", sourceLocation: sourceLocation)
    }
}

/// A condition on field `x` checked like CouchDB's eunit `check_selector/2`: `{"x": condition}`
/// must give `expected` on `{"x": value}`, and `{"x": {"$not": condition}}` the opposite.
struct ValueCase: Sendable, CustomTestStringConvertible {
    let condition: String
    let value: String
    let expected: Bool

    init(_ condition: String, _ value: String, _ expected: Bool) {
        self.condition = condition
        self.value = value
        self.expected = expected
    }

    var testDescription: String { "x: \(condition) on \(value) -> \(expected)" }

    /// Asserts both the condition and its negation.
    func check() throws {
        let positive = try Selector(json(#"{"x": \#(condition)}"#))
        let negative = try Selector(json(#"{"x": {"$not": \#(condition)}}"#))
        let document = try json(#"{"x": \#(value)}"#)
        #expect(positive.matches(document) == expected, "\(testDescription)")
        #expect(negative.matches(document) == !expected, "negated: \(testDescription)")
    }
}

/// A selector that must be rejected with a given CouchDB error name and reason.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let selector: String
    let error: String
    let message: String?

    init(_ selector: String, _ error: String, _ message: String? = nil) {
        self.selector = selector
        self.error = error
        self.message = message
    }

    var testDescription: String { "\(selector) -> \(error)" }
}
