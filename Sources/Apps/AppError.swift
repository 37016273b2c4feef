import DocStore

/// An error of the app layer. It carries no HTTP status: the server maps each kind to
/// Budibase's `{"status", "message"}` answer.
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case conflict
        case tooLarge
        /// Refused for now (too many failed logins); trying again later may succeed.
        case tooManyRequests
        /// The engine failed (storage): the server's fault, not the client's.
        case `internal`
    }

    public let kind: Kind
    public let message: String
    /// Per-field messages of a row or table that failed validation.
    public var validationErrors: [String: [String]] = [:]

    public init(_ kind: Kind, _ message: String, validationErrors: [String: [String]] = [:]) {
        self.kind = kind
        self.message = message
        self.validationErrors = validationErrors
    }

    public var description: String { message }

    static func notFound(_ what: String) -> AppError { AppError(.notFound, "\(what) not found") }
    static func badRequest(_ message: String) -> AppError { AppError(.badRequest, message) }

    /// The engine's error for a write or read the app layer made.
    public init(_ error: DocStoreError, what: String) {
        switch error.code {
        case .notFound, .databaseNotFound: self = .notFound(what)
        case .conflict: self = AppError(.conflict, "\(what) was changed by another request (document update conflict)")
        case .documentTooLarge: self = AppError(.tooLarge, "\(what) is too large")
        case .illegalDocumentID, .documentValidation, .badRequest, .invalidJSON, .forbidden:
            self = AppError(.badRequest, error.reason)
        default: self = AppError(.internal, "\(what): \(error.reason)")
        }
    }
}
