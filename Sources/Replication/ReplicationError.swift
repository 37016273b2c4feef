/// An error of a replication: which side failed and why. It carries no HTTP status;
/// the server maps it to CouchDB's answers.
///
/// `isTransient` says whether trying again may help (a dropped connection, a 5xx, a
/// timeout): jobs retry those with exponential backoff and give up on the others.
public struct ReplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A peer could not be reached or answered with an unexpected error.
        case peerUnreachable = "peer_unreachable"
        /// A request got no answer (CouchDB's `error` with an `http_request_failed` term).
        case requestFailed = "error"
        /// A database does not exist (`db_not_found`).
        case databaseNotFound = "db_not_found"
        /// A peer refused the credentials (`unauthorized`).
        case unauthorized
        /// A peer's `POST /_session` refused the URL's credentials or failed
        /// (`replication_auth_error`; the reason is CouchDB's Erlang term).
        case authenticationFailed = "replication_auth_error"
        /// A peer refused the operation (`forbidden`).
        case forbidden
        /// The replication request itself is malformed (`bad_request`).
        case badRequest = "bad_request"
        /// A peer answered something that is not CouchDB's protocol.
        case invalidResponse = "invalid_response"
        /// A document's attachment stubs name attachments the target lacks.
        case missingStub = "missing_stub"
        /// A `_local` checkpoint was changed by someone else (`conflict`).
        case conflict
        /// A checkpoint could not be written (`checkpoint_commit_failure`).
        case checkpointFailed = "checkpoint_commit_failure"
        /// No such replication (`not_found`).
        case notFound = "not_found"
        /// The job was stopped.
        case cancelled
    }

    public let code: Code
    public let reason: String
    /// Whether a retry may succeed.
    public let isTransient: Bool

    public init(_ code: Code, _ reason: String, transient: Bool? = nil) {
        self.code = code
        self.reason = reason
        isTransient = transient ?? (code == .peerUnreachable || code == .requestFailed || code == .invalidResponse)
    }

    public var description: String { "\(code.rawValue): \(reason)" }

    static let cancelled = ReplicationError(.cancelled, "the replication was cancelled")
}
