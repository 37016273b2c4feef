import DocStore
import Synchronization

/// The settings `/_node/_local/_config` may change while the server runs; everything
/// else in `ServerConfiguration` is fixed at start.
final class RuntimeSettings: Sendable {
    struct Values: Sendable {
        var limits: ServerConfiguration.Limits
        var cors: ServerConfiguration.CORS
        var sessionTimeout: Int
    }

    private let values: Mutex<Values>
    private let store: DocumentStore

    init(_ configuration: ServerConfiguration, store: DocumentStore) {
        values = Mutex(Values(limits: configuration.limits, cors: configuration.cors, sessionTimeout: configuration.sessionTimeout))
        self.store = store
    }

    var current: Values { values.withLock { $0 } }

    /// `section/key` → its value as CouchDB's config shows it (strings).
    func snapshot() -> [String: [String: String]] {
        let now = current
        return [
            "couchdb": ["max_document_size": String(store.maxDocumentSize)],
            "chttpd": ["max_http_request_size": String(now.limits.maxHTTPRequestSize)],
            "chttpd_auth": ["timeout": String(now.sessionTimeout)],
            "httpd": ["enable_cors": String(now.cors.enabled)],
            "cors": ["origins": now.cors.origins.joined(separator: ","), "credentials": String(now.cors.credentials)],
        ]
    }

    /// Changes one setting; returns the old value. - Throws: 400 for a setting that
    /// cannot change at run time or a malformed value.
    func set(_ section: String, _ key: String, _ value: String) throws(CouchError) -> String {
        guard let old = snapshot()[section]?[key] else {
            throw CouchError.badRequest("\(section)/\(key) cannot be changed while Divan runs; set it at start")
        }
        func integer() throws(CouchError) -> Int {
            guard let number = Int(value), number > 0 else { throw CouchError.badRequest("\(section)/\(key) must be a positive integer") }
            return number
        }
        func boolean() throws(CouchError) -> Bool {
            guard value == "true" || value == "false" else { throw CouchError.badRequest("\(section)/\(key) must be true or false") }
            return value == "true"
        }
        switch (section, key) {
        case ("couchdb", "max_document_size"): store.maxDocumentSize = try integer()
        case ("chttpd", "max_http_request_size"):
            let number = try integer()
            values.withLock { $0.limits.maxHTTPRequestSize = number }
        case ("chttpd_auth", "timeout"):
            let number = try integer()
            values.withLock { $0.sessionTimeout = number }
        case ("httpd", "enable_cors"):
            let flag = try boolean()
            values.withLock { $0.cors.enabled = flag }
        case ("cors", "origins"):
            let origins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            values.withLock { $0.cors.origins = origins }
        case ("cors", "credentials"):
            let flag = try boolean()
            values.withLock { $0.cors.credentials = flag }
        default:
            throw CouchError.badRequest("\(section)/\(key) cannot be changed while Divan runs")
        }
        return old
    }
}
