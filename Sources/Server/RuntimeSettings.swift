import DocStore
import Foundation
import Logging
import Synchronization

/// CouchDB's node configuration (`/_node/_local/_config`): every `section/key` the server
/// shows, the ones a PUT or DELETE changes while it runs, and where changes persist.
///
/// Three kinds of key:
/// - live settings Divan honours (limits, CORS, session timeout, PBKDF2 iterations,
///   `_uuids` limit, log level, server admins): a change takes effect on the next request;
/// - settings fixed at start (addresses, ports, data directory, uuid) and CouchDB settings
///   Divan does not implement: a change is refused with 400 and says why, never ignored;
/// - anything else (other tools' sections): stored and returned, as CouchDB does.
///
/// Changes persist in `<data>/config.json` (admins in `server.json`, hashed) unless the
/// request says `X-Couch-Persist: false`. At start, stored values override the
/// configuration file; flags and environment variables override stored values.
final class RuntimeSettings: Sendable {
    struct Values: Sendable {
        var limits: ServerConfiguration.Limits
        var cors: ServerConfiguration.CORS
        var sessionTimeout: Int
        var passwordIterations: Int
        var maxUUIDCount = 1_000
        /// `section/key` → value for keys Divan only stores.
        var other: [String: [String: String]] = [:]
        /// Everything set at run time with persistence, as written to config.json.
        var persisted: [String: [String: String]] = [:]
        var admins: [String: PasswordHash]
    }

    private let values: Mutex<Values>
    private let store: DocumentStore
    private let configuration: ServerConfiguration
    private let identity: ServerIdentity
    private let logLevel: LogLevelSwitch

    static func path(_ dataDirectory: String) -> String { dataDirectory + "/config.json" }

    /// Loads `config.json` and applies what it holds, except the keys `configuration`
    /// was given by a flag or environment variable (`startOverrides`).
    init(_ configuration: ServerConfiguration, store: DocumentStore, identity: ServerIdentity, logLevel: LogLevelSwitch = .shared) {
        values = Mutex(
            Values(
                limits: configuration.limits, cors: configuration.cors, sessionTimeout: configuration.sessionTimeout,
                passwordIterations: configuration.passwordIterations, admins: identity.admins))
        self.store = store
        self.configuration = configuration
        self.identity = identity
        self.logLevel = logLevel
        guard let bytes = FileManager.default.contents(atPath: Self.path(configuration.dataDirectory)),
            let stored = try? JSON.parse(Array(bytes)).objectValue
        else { return }
        for (section, entries) in stored {
            for (key, value) in entries.objectValue ?? [:] {
                guard let value = value.stringValue else { continue }
                values.withLock { $0.persisted[section, default: [:]][key] = value }
                if configuration.startOverrides.contains("\(section)/\(key)") { continue }
                // A stored value that no longer applies (a file edited by hand) is skipped.
                _ = try? apply(section, key, value)
            }
        }
    }

    var current: Values { values.withLock { $0 } }

    /// The server admins' password hashes.
    var admins: [String: PasswordHash] { values.withLock { $0.admins } }

    /// Every section, as `GET /_node/_local/_config` shows it.
    func snapshot() -> [String: [String: String]] {
        let now = current
        var sections = now.other
        func put(_ section: String, _ key: String, _ value: String) { sections[section, default: [:]][key] = value }
        put("couchdb", "max_document_size", String(store.maxDocumentSize))
        put("couchdb", "uuid", identity.uuid)
        put("couchdb", "database_dir", configuration.dataDirectory)
        put("couchdb", "max_dbs_open", String(configuration.maxOpenDatabases))
        put("couchdb", "os_process_timeout", String(configuration.osProcessTimeout))
        put("chttpd", "bind_address", configuration.bindAddress)
        put("chttpd", "port", String(configuration.couchPort))
        put("chttpd", "max_http_request_size", String(now.limits.maxHTTPRequestSize))
        put("chttpd", "enable_cors", String(now.cors.enabled))
        put("chttpd_auth", "timeout", String(now.sessionTimeout))
        put("chttpd_auth", "iterations", String(now.passwordIterations))
        put("chttpd_auth", "authentication_db", Authenticator.usersDatabase)
        put("cors", "origins", now.cors.origins.joined(separator: ","))
        put("cors", "credentials", String(now.cors.credentials))
        put("cors", "methods", now.cors.methods.joined(separator: ","))
        put("cors", "headers", now.cors.headers.joined(separator: ","))
        put("uuids", "algorithm", "sequential")
        put("uuids", "max_count", String(now.maxUUIDCount))
        put("log", "level", logLevel.level.rawValue)
        for (name, hash) in now.admins { put("admins", name, hash.adminString) }
        return sections
    }

    /// Sets `section/key` (a PUT); returns the old value, "" when there was none.
    /// - Throws: 400 for a key fixed at start, one Divan does not implement, or a value
    ///   it cannot honour; a storage error when the change cannot be made durable.
    func set(_ section: String, _ key: String, _ value: String, persist: Bool) throws -> String {
        let old = snapshot()[section]?[key] ?? ""
        try apply(section, key, value)
        if section == "admins" {
            try saveAdmins()
        } else if persist {
            try save { $0[section, default: [:]][key] = value }
        }
        return old
    }

    /// Removes `section/key` (a DELETE); returns the old value, nil when it is not set.
    /// - Throws: 400 for keys that always have a value (Divan's own settings) and for the
    ///   last server admin.
    func delete(_ section: String, _ key: String, persist: Bool) throws -> String? {
        guard let old = snapshot()[section]?[key] else { return nil }
        if section == "admins" {
            try values.withLock { values throws(CouchError) in
                guard values.admins.count > 1 else { throw CouchError.badRequest("the last server admin cannot be deleted") }
                values.admins[key] = nil
            }
            try saveAdmins()
            return old
        }
        guard current.other[section]?[key] != nil else {
            throw CouchError.badRequest("\(section)/\(key) is one of Divan's settings; set it to another value instead")
        }
        values.withLock { $0.other[section]?[key] = nil }
        if section == "couchdb" && key == "max_partition_size" { store.maxPartitionSize = DocumentStore.defaultMaxPartitionSize }
        if persist { try save { $0[section]?[key] = nil } }
        return old
    }

    /// Applies one value to the running server.
    private func apply(_ section: String, _ key: String, _ value: String) throws(CouchError) {
        func integer() throws(CouchError) -> Int {
            guard let number = Int(value), number > 0 else { throw CouchError.badRequest("\(section)/\(key) must be a positive integer") }
            return number
        }
        func boolean() throws(CouchError) -> Bool {
            guard value == "true" || value == "false" else { throw CouchError.badRequest("\(section)/\(key) must be true or false") }
            return value == "true"
        }
        func list() -> [String] {
            value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        switch (section, key) {
        case ("couchdb", "max_document_size"): store.maxDocumentSize = try integer()
        case ("chttpd", "max_http_request_size"):
            let number = try integer()
            values.withLock { $0.limits.maxHTTPRequestSize = number }
        case ("chttpd", "enable_cors"), ("httpd", "enable_cors"):
            let flag = try boolean()
            values.withLock { $0.cors.enabled = flag }
        case ("chttpd_auth", "timeout"):
            let number = try integer()
            values.withLock { $0.sessionTimeout = number }
        case ("chttpd_auth", "iterations"):
            let number = try integer()
            values.withLock { $0.passwordIterations = number }
        case ("chttpd_auth", "authentication_db"):
            guard value == Authenticator.usersDatabase else {
                throw CouchError.badRequest("Divan authenticates against \(Authenticator.usersDatabase) only")
            }
        case ("cors", "origins"):
            let origins = list()
            values.withLock { $0.cors.origins = origins }
        case ("cors", "credentials"):
            let flag = try boolean()
            values.withLock { $0.cors.credentials = flag }
        case ("cors", "methods"):
            let methods = list().map { $0.uppercased() }
            values.withLock { $0.cors.methods = methods }
        case ("cors", "headers"):
            let headers = list().map { $0.lowercased() }
            values.withLock { $0.cors.headers = headers }
        case ("uuids", "max_count"):
            let number = try integer()
            values.withLock { $0.maxUUIDCount = number }
        case ("uuids", "algorithm"):
            guard value == "sequential" else { throw CouchError.badRequest("Divan makes sequential uuids only; uuids/algorithm must be sequential") }
        case ("log", "level"):
            guard let level = Logger.Level(couchName: value) else {
                throw CouchError.badRequest("log/level must be one of debug, info, notice, warning, error, critical")
            }
            logLevel.level = level
        case ("admins", _):
            guard !key.isEmpty, !key.contains(":") else { throw CouchError.badRequest("invalid server admin name") }
            let hash = PasswordHash(adminString: value) ?? PasswordHash.make(password: value, iterations: current.passwordIterations)
            values.withLock { $0.admins[key] = hash }
        case ("couchdb", "uuid"), ("couchdb", "database_dir"), ("couchdb", "max_dbs_open"), ("couchdb", "os_process_timeout"),
            ("chttpd", "bind_address"), ("chttpd", "port"):
            throw CouchError.badRequest("\(section)/\(key) is fixed when Divan starts; set it in the configuration file or a flag")
        case ("couchdb", "max_partition_size"):
            // Listed like the other sections (CouchDB's default.ini leaves it commented out).
            guard let number = Int(value) else { throw CouchError.badRequest("couchdb/max_partition_size must be an integer") }
            store.maxPartitionSize = number
            values.withLock { $0.other[section, default: [:]][key] = value }
        case ("couchdb", "max_attachment_size"), ("chttpd_auth", "require_valid_user"),
            ("chttpd_auth", "allow_persistent_cookies"), ("couchdb", "users_db_security_editable"):
            throw CouchError.badRequest("\(section)/\(key) is not supported by Divan")
        default:
            values.withLock { $0.other[section, default: [:]][key] = value }
        }
    }

    /// Rewrites config.json atomically after `change`.
    private func save(_ change: (inout [String: [String: String]]) -> Void) throws {
        let persisted = values.withLock { values in
            change(&values.persisted)
            values.persisted = values.persisted.filter { !$0.value.isEmpty }
            return values.persisted
        }
        var object = JSONObject()
        for (section, entries) in persisted.sorted(by: { $0.key < $1.key }) {
            var fields = JSONObject()
            for (key, value) in entries.sorted(by: { $0.key < $1.key }) { fields[key] = .string(value) }
            object[section] = .object(fields)
        }
        try DurableFile.save(JSON.object(object).serialized(), to: Self.path(configuration.dataDirectory))
    }

    private func saveAdmins() throws {
        var identity = self.identity
        identity.admins = admins
        try identity.save(to: configuration.dataDirectory + "/server.json")
    }
}

/// The log level every handler of the process follows, changed at run time by
/// `log/level` (swift-log's levels live in each `Logger` copy otherwise).
public final class LogLevelSwitch: Sendable {
    public static let shared = LogLevelSwitch()
    private let raw = Atomic<UInt8>(2)

    public var level: Logger.Level {
        get { Logger.Level.allCases[Int(raw.load(ordering: .relaxed))] }
        set { raw.store(UInt8(Logger.Level.allCases.firstIndex(of: newValue)!), ordering: .relaxed) }
    }
}

/// A stderr log handler whose level is `LogLevelSwitch.shared`'s.
public struct SwitchedLogHandler: LogHandler {
    private var base: StreamLogHandler
    private let levels: LogLevelSwitch

    public init(label: String, levels: LogLevelSwitch = .shared) {
        base = StreamLogHandler.standardError(label: label)
        self.levels = levels
    }

    public var logLevel: Logger.Level {
        get { levels.level }
        set { levels.level = newValue }
    }

    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        base.log(event: event)
    }
}

extension Logger.Level {
    /// CouchDB's level names (its `log/level`), which add `warn` and `err`.
    init?(couchName: String) {
        switch couchName.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error", "err": self = .error
        case "critical", "crit", "alert", "emergency": self = .critical
        default: return nil
        }
    }
}
