/// An error of a replication: which side failed and why. It carries no HTTP status;
/// the server maps it to CouchDB's answers.
public struct ReplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A peer could not be reached or answered with an unexpected error.
        case peerUnreachable = "peer_unreachable"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
