import DocStore
import HTTPTypes

/// An error answered in CouchDB's form: a status and `{"error": …, "reason": …}`.
struct CouchError: Error, Sendable, Equatable {
    let status: HTTPResponse.Status
    let error: String
    let reason: String
    /// The `Allow` header of a 405.
    var allow: String?

    init(_ status: HTTPResponse.Status, _ error: String, _ reason: String) {
        self.status = status
        self.error = error
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> CouchError { CouchError(.badRequest, "bad_request", reason) }
    static let notFound = CouchError(.notFound, "not_found", "missing")
    static let databaseNotFound = CouchError(.notFound, "not_found", "Database does not exist.")
    static let unauthorized = CouchError(.unauthorized, "unauthorized", "You are not authorized to access this db.")
    static let notAServerAdmin = CouchError(.unauthorized, "unauthorized", "You are not a server admin.")
    static let forbidden = CouchError(.forbidden, "forbidden", "You are not allowed to access this db.")
    static let unknownPath = CouchError(.notFound, "not_found", "Database does not exist.")
    static let invalidJSON = CouchError(.badRequest, "bad_request", "invalid UTF-8 JSON")
    static let requestTooLarge = CouchError(.contentTooLarge, "too_large", "the request entity is too large")

    static func methodNotAllowed(_ allowed: String) -> CouchError {
        var error = CouchError(.methodNotAllowed, "method_not_allowed", "Only \(allowed) allowed")
        error.allow = allowed
        return error
    }

    /// CouchDB's answer for an engine error.
    init(_ error: DocStoreError) {
        switch error.code {
        case .notFound: self.init(.notFound, "not_found", error.reason)
        case .databaseNotFound: self.init(.notFound, "not_found", error.reason)
        case .conflict: self.init(.conflict, "conflict", error.reason)
        case .databaseExists: self.init(.preconditionFailed, "file_exists", error.reason)
        case .illegalDatabaseName: self.init(.badRequest, "illegal_database_name", error.reason)
        case .badRequest: self.init(.badRequest, "bad_request", error.reason)
        case .documentValidation: self.init(.badRequest, "doc_validation", error.reason)
        case .illegalDocumentID: self.init(.badRequest, "illegal_docid", error.reason)
        case .illegalPartition: self.init(.badRequest, "illegal_partition", error.reason)
        case .partitionOverflow: self.init(.forbidden, "partition_overflow", error.reason)
        case .documentTooLarge: self.init(.contentTooLarge, "document_too_large", error.reason)
        case .missingStub: self.init(.preconditionFailed, "missing_stub", error.reason)
        case .invalidJSON: self.init(.badRequest, "bad_request", "invalid UTF-8 JSON")
        case .forbidden: self.init(.forbidden, "forbidden", error.reason)
        case .unauthorized: self.init(.unauthorized, "unauthorized", error.reason)
        case .unknownError: self.init(.internalServerError, "unknown_error", error.reason)
        case .functionCompilationError: self.init(.internalServerError, "compilation_error", error.reason)
        case .storage: self.init(.internalServerError, "internal_server_error", error.reason)
        case .compilationError, .invalidDesignDocument, .queryParseError:
            self.init(.badRequest, error.code.rawValue, error.reason)
        case .reduceOverflow, .javaScriptFailure: self.init(.internalServerError, error.code.rawValue, error.reason)
        }
    }

    var json: JSON { ["error": .string(error), "reason": .string(reason)] }
}
