/// A selector that CouchDB would reject with `400 Bad Request`.
///
/// `error` and `message` are CouchDB's `error` / `reason` pair (see `mango_error.erl`), so an HTTP
/// handler can return them unchanged. Offending operator arguments are printed as CouchDB
/// prints them, as Erlang's `~w` prints terms (`<<97,98,99>>` for `"abc"`).
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// CouchDB's error name: `bad_arg`, `invalid_operator`, `not_supported`, `invalid_selector`,
    /// `invalid_field_name` or `invalid_selector_json`.
    public var error: String
    /// The human-readable reason, e.g. `"Bad argument for operator $in: 5"`.
    public var message: String

    /// Creates an error from an error name and a reason text.
    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }

    /// `"<error>: <message>"`.
    public var description: String { "\(error): \(message)" }

    /// An operator whose argument has the wrong type or value (`$in` without an array, ...).
    static func badArgument(_ op: String, _ argument: JSON) -> SelectorError {
        SelectorError(error: "bad_arg", message: "Bad argument for operator \(op): \(ErlangFormat.term(argument))")
    }

    /// An unknown `$`-prefixed operator, or a known one whose argument CouchDB cannot dispatch on.
    static func invalidOperator(_ op: String) -> SelectorError {
        SelectorError(error: "invalid_operator", message: "Invalid operator: \(op)")
    }

    /// A MongoDB operator CouchDB knows but does not implement (`$where`, `$near`, ...).
    static func notSupported(_ op: String) -> SelectorError {
        SelectorError(error: "not_supported", message: "Unsupported operator: \(op)")
    }

    /// A field name with an empty path segment, such as `"a..b"` or `""`.
    static func invalidFieldName(_ field: String) -> SelectorError {
        SelectorError(error: "invalid_field_name", message: "Invalid field name: \(field)")
    }

    /// A top-level condition that is not attached to any field, such as `{"$gt": 1}`.
    static let missingFieldName = SelectorError(
        error: "invalid_selector", message: "One or more conditions is missing a field name.")

    /// Nesting beyond what the matcher is willing to recurse through.
    static let nestedTooDeeply = SelectorError(
        error: "invalid_selector", message: "Selector is nested too deeply.")

    /// A selector that is not a JSON object.
    static func notAnObject(_ selector: JSON) -> SelectorError {
        SelectorError(
            error: "invalid_selector_json", message: "Selector must be a JSON object, not: \(selector)")
    }
}
