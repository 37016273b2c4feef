/// Everything `divan serve` can be told: flags override environment variables, which
/// override the configuration file.
public struct ServerConfiguration: Sendable {
    public struct Limits: Sendable {
        /// The largest request body read whole (CouchDB's `max_http_request_size`).
        /// Attachment uploads stream and are not bound by it.
        public var maxHTTPRequestSize = 64 << 20
        /// The largest document body (CouchDB's `max_document_size`).
        public var maxDocumentSize = 8_000_000
        /// The largest request head (request line and headers).
        public var maxHeaderSize = 64 << 10

        public init() {}
    }

    public struct CORS: Sendable {
        public var enabled = false
        /// Allowed origins; `*` allows any (then credentials are not allowed, as in browsers).
        public var origins: [String] = []
        public var credentials = false
        public var methods = ["GET", "PUT", "POST", "HEAD", "DELETE", "COPY", "OPTIONS"]
        public var headers = ["accept", "authorization", "content-type", "origin", "referer", "x-csrf-token"]

        public init() {}
    }

    /// S3 credentials: an access key and its secret.
    public struct S3Credentials: Sendable, Equatable {
        public var accessKey: String
        public var secretKey: String
        public init(accessKey: String, secretKey: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
        }
    }

    public var bindAddress = "127.0.0.1"
    public var couchPort = 5984
    /// The app API's port (0 disables it). It serves the CouchDB listener's engine.
    public var appPort = 10000
    /// The S3 listener's port (0 disables it).
    public var s3Port = 9000
    /// Root S3 credentials from `DIVAN_S3_ACCESS_KEY` / `DIVAN_S3_SECRET_KEY`; generated
    /// and printed once when unset.
    public var s3Root: S3Credentials?
    /// More S3 key pairs, from the configuration file.
    public var s3ExtraCredentials: [S3Credentials] = []
    /// The region S3 clients sign for (any region is accepted in signatures; this one is reported).
    public var s3Region = "us-east-1"
    /// Domain for virtual-host-style addressing (`bucket.<domain>`); path style always works.
    public var s3VirtualHostDomain: String?
    public var dataDirectory = "./divan-data"
    /// Server admin from `DIVAN_ADMIN_USER` / `DIVAN_ADMIN_PASSWORD`; when neither is
    /// set, one is generated at first start, stored hashed and printed once.
    public var adminUser: String?
    public var adminPassword: String?
    public var limits = Limits()
    public var cors = CORS()
    /// Seconds an `AuthSession` cookie stays valid (CouchDB's `timeout`).
    public var sessionTimeout = 600
    /// Seconds an app-port login session lives after its last use (Budibase: 7 days).
    public var appSessionLifetime: Double = 7 * 24 * 3600
    /// PBKDF2-SHA256 iterations for new password hashes (CouchDB 3.4's default).
    public var passwordIterations = 600_000
    /// HS256 keys for JWT bearer tokens, by `kid` (`_default` for tokens without one).
    public var jwtKeys: [String: [UInt8]] = [:]
    /// The JWT claim that lists roles.
    public var jwtRolesClaim = "_couchdb.roles"
    /// Open databases kept cached (CouchDB's `max_dbs_open`).
    public var maxOpenDatabases = 500
    /// Milliseconds of CPU time a view function may run per call (CouchDB's
    /// `os_process_timeout`); a function past it is stopped and its query fails.
    public var osProcessTimeout = 5000
    public var logLevel = "info"
    /// The `/_config` keys (`section/key`) given by a flag or an environment variable:
    /// they win over values stored at run time in `config.json`.
    public var startOverrides: Set<String> = []

    public init() {}
}
