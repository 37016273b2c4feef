/// A JSON parse failure: a short human-readable message plus the byte offset where it was detected.
///
/// Parsing uses typed throws (`throws(JSONError)`) so callers on hot paths pay no existential boxing,
/// and HTTP handlers can turn the message straight into a CouchDB-style `bad_request` reason.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, e.g. `"unterminated string"` or `"unexpected character 'x'"`.
    public var message: String
    /// Zero-based byte offset into the input where the problem was detected.
    public var offset: Int

    /// Creates an error; mainly used by the parser, public so other layers can report in the same shape.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `"<message> at byte <offset>"`, suitable for an error reason string.
    public var description: String {
        "\(message) at byte \(offset)"
    }
}
