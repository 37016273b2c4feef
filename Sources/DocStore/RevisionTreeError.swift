/// Why a stored revision tree could not be decoded.
public struct RevisionTreeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A human-readable reason, e.g. `"truncated input"`.
    public var message: String

    /// Creates an error with the given reason.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
