/// What went wrong running JavaScript: the one error type of this module.
public struct JavaScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The source does not parse.
        case compilation
        /// The script threw; `message` is the thrown value as a string (`"TypeError: …"`).
        case exception
        /// The call ran past the context's CPU time limit and was stopped.
        case timeout
        /// A value could not cross the boundary (not JSON-representable, say).
        case conversion
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
