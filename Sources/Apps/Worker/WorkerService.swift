import Crypto
import DocStore
import Foundation

/// Budibase's worker over the engine: global users, sessions, API keys and role
/// assignments. Every record is a document in `global-db` (created when first needed),
/// so users replicate and back up with the data; nothing is kept only in memory except
/// the failed-login counters.
///
/// Documents in `global-db`:
/// - `us_<32 hex>`: a user (the password only as PBKDF2 fields, like `_users`).
/// - `email_<lowercased email>` → `{userId}`: the claim that makes an email unique.
///   Written after the user document; creating it without a `_rev` is the engine's
///   compare-and-set: of two concurrent creates of one email exactly one succeeds, the
///   other gets a conflict and deletes the user it wrote. It also is the
///   email index that login and user search read (`_all_docs` order is email order).
/// - `session_<userId>_<sessionId>`: a session; the user-id prefix lets deleting a user
///   delete all their sessions by one range read.
/// - `apikey_<sha256 hex of the key>` → `{userId}`: an API key, found by the hash of
///   the key a request presents; `devinfo_<userId>` names the user's current key hash.
/// - `users_init`: written once, by the first-admin setup.
///
/// Rejected designs: a Mango index on `email` (cannot make email unique: two writers
/// both see no match); writing the user and the claim in one `_bulk_docs` group (the
/// engine has no all-or-nothing, so the user could be written while the claim conflicts).
///
/// Thread safety: every method may be called from any task.
public final class WorkerService: Sendable {
    public struct Configuration: Sendable {
        /// Seconds a session lives after its last use (Budibase: 7 days).
        public var sessionLifetime: Double = 7 * 24 * 3600
        /// A session's `lastAccessedAt` is written at most this often (seconds).
        public var sessionRefreshInterval: Double = 60
        /// PBKDF2 iterations for new password hashes.
        public var passwordIterations = 600_000
        /// Failed logins an account may have within `failedLoginWindow` seconds.
        public var maxFailedLogins = 10
        public var failedLoginWindow: Double = 15 * 60

        public init() {}
    }

    public static let globalDatabase = AppService.globalDatabase
    static let userPrefix = "us_"
    static let emailPrefix = "email_"
    static let sessionPrefix = "session_"
    static let apiKeyPrefix = "apikey_"
    static let developerInfoPrefix = "devinfo_"
    static let initMarkerID = "users_init"

    let apps: AppService
    public let configuration: Configuration
    /// Signs session tokens; derived from the server secret so that it signs nothing else.
    let tokenKey: SymmetricKey
    let throttle: LoginThrottle
    let clock: @Sendable () -> Date

    /// - Parameter secret: the server's secret (`server.json`); session tokens are signed
    ///   with a key derived from it, so they survive restarts and hold on every node that
    ///   shares the data directory's identity.
    public init(apps: AppService, secret: [UInt8], configuration: Configuration, clock: @escaping @Sendable () -> Date = Date.init) {
        self.apps = apps
        self.configuration = configuration
        self.tokenKey = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array("budibase:auth".utf8), using: SymmetricKey(data: secret)))
        self.throttle = LoginThrottle(limit: configuration.maxFailedLogins, window: configuration.failedLoginWindow)
        self.clock = clock
    }

    /// `global-db`, created on first use (a concurrent creator may win; then it is opened).
    func globalDatabase() throws(AppError) -> DocumentDatabase {
        let store = apps.store
        if let database = try? store.database(Self.globalDatabase) { return database }
        do {
            return try store.createDatabase(Self.globalDatabase)
        } catch where error.code == .databaseExists {
            return try apps.database(Self.globalDatabase)
        } catch {
            throw AppError(error, what: "Global database")
        }
    }

    /// Marks a document deleted; a document already gone is not an error.
    func delete(_ database: DocumentDatabase, _ id: String) async throws(AppError) {
        guard let document = apps.readIfPresent(database, id), let revision = document["_rev"] else { return }
        do {
            try await apps.write(database, ["_id": .string(id), "_rev": revision, "_deleted": true], what: "Document")
        } catch where error.kind == .conflict || error.kind == .notFound {
            // Changed or deleted concurrently: the other writer's state wins.
        }
    }

    /// Every live document id starting with `prefix`, a page at a time.
    func forEachID(_ database: DocumentDatabase, prefix: String, _ body: ([String]) async throws(AppError) -> Void) async throws(AppError) {
        try await apps.forEachPage(database, prefix: prefix, documents: false) { rows throws(AppError) in try await body(rows.map(\.id)) }
    }

    var now: Date { clock() }


    /// `count` random bytes as lowercase hex.
    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return PasswordHash.hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
