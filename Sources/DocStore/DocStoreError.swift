/// An error of the document engine. It carries no HTTP status: the server maps each
/// `Code` to CouchDB's `{"error", "reason"}` and status.
public struct DocStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A document, revision or attachment is absent (`not_found`).
        case notFound = "not_found"
        /// A database is absent (`not_found`, reason "Database does not exist.").
        case databaseNotFound = "db_not_found"
        /// The update's revision is not a leaf of the tree (`conflict`).
        case conflict
        /// The database already exists (`file_exists`).
        case databaseExists = "file_exists"
        /// The database name breaks CouchDB's rule (`illegal_database_name`).
        case illegalDatabaseName = "illegal_database_name"
        /// Malformed input the engine was asked to take (`bad_request`).
        case badRequest = "bad_request"
        /// A document id breaks CouchDB's rules (`illegal_docid`).
        case illegalDocumentID = "illegal_docid"
        /// A partition name breaks CouchDB's rules (`illegal_partition`).
        case illegalPartition = "illegal_partition"
        /// A write would grow a partition past `max_partition_size` (`partition_overflow`).
        case partitionOverflow = "partition_overflow"
        /// A document breaks CouchDB's document rules, e.g. an unknown `_` field (`doc_validation`).
        case documentValidation = "doc_validation"
        /// The document is larger than the configured maximum (`document_too_large`).
        case documentTooLarge = "document_too_large"
        /// An attachment stub names an attachment the parent revision lacks (`missing_stub`).
        case missingStub = "missing_stub"
        /// The input is not valid JSON (`bad_request`, "invalid UTF-8 JSON").
        case invalidJSON = "invalid_json"
        /// An update was refused by a rule (`forbidden`).
        case forbidden
        /// A `validate_doc_update` refused an update for want of credentials (`unauthorized`).
        case unauthorized
        /// A `validate_doc_update` threw something other than `forbidden` or
        /// `unauthorized` (`unknown_error`, a server error as in CouchDB).
        case unknownError = "unknown_error"
        /// A design function other than a view's (`validate_doc_update`, a filter) does not
        /// compile when it is run (`compilation_error`, a server error: CouchDB accepts such
        /// a design document and fails its uses).
        case functionCompilationError = "function_compilation_error"
        /// A design document's view function does not compile (`compilation_error`).
        case compilationError = "compilation_error"
        /// A design document's views are malformed (`invalid_design_doc`).
        case invalidDesignDocument = "invalid_design_doc"
        /// A view query's parameters are invalid (`query_parse_error`).
        case queryParseError = "query_parse_error"
        /// A reduce function's output does not shrink (`reduce_overflow_error`).
        case reduceOverflow = "reduce_overflow_error"
        /// A view function failed while a query needed it: it threw in a reduce, or ran
        /// past the time limit (`os_process_error`, as CouchDB names a query server failure).
        case javaScriptFailure = "os_process_error"
        /// The storage layer failed (`internal_server_error` would be the server's answer).
        case storage
    }

    public let code: Code
    /// CouchDB's `reason` text.
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }

    static let missing = DocStoreError(.notFound, "missing")
    static let deleted = DocStoreError(.notFound, "deleted")
    static let updateConflict = DocStoreError(.conflict, "Document update conflict.")
    static let databaseMissing = DocStoreError(.databaseNotFound, "Database does not exist.")
}
