import DocStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Replication

/// The CouchDB API: routes a request to one handler after logging and authentication.
/// Handlers parse, call one engine method and encode; no storage logic lives here.
final class CouchService: Sendable {
    let store: DocumentStore
    let configuration: ServerConfiguration
    let authenticator: Authenticator
    let identity: ServerIdentity
    let logger: Logger
    let settings: RuntimeSettings
    let metrics = ServerMetrics()
    /// `_replicate` jobs and `_replicator` documents.
    let replications: ReplicationScheduler

    init(store: DocumentStore, configuration: ServerConfiguration, identity: ServerIdentity, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
        settings = RuntimeSettings(configuration, store: store, identity: identity)
        replications = ReplicationScheduler(store: store, nodeUUID: identity.uuid, logger: logger)
        authenticator = Authenticator(secret: identity.secret, configuration: configuration, store: store, settings: settings)
        authenticator.installUserDocumentRules(on: store)
    }

    /// Creates the system databases CouchDB has from the start.
    func prepareSystemDatabases() async throws {
        for name in [Authenticator.usersDatabase, "_replicator"] where !store.databaseExists(name) {
            let database = try store.createDatabase(name)
            try await database.setSecurity(Self.adminOnlySecurity, isDefault: true)
        }
    }

    /// CouchDB 3's security for a new database: members and admins are `_admin` only,
    /// until a `_security` says otherwise.
    static let adminOnlySecurity: JSONObject = ["members": ["roles": ["_admin"]], "admins": ["roles": ["_admin"]]]

    /// Handles one request: authenticate, route, turn errors into CouchDB's answers.
    func respond(to request: Request) async -> Response {
        var refreshedCookie: String?
        var response: Response
        do {
            let (user, cookie) = try authenticator.authenticate(request.headers)
            refreshedCookie = cookie
            let couchRequest = CouchRequest(request: request, user: user, limits: settings.current.limits)
            response = try await route(couchRequest)
        } catch let error as CouchError {
            response = .error(error)
        } catch let error as DocStoreError {
            response = .error(CouchError(error))
        } catch {
            logger.error("unhandled error: \(error)")
            response = .error(CouchError(.internalServerError, "internal_server_error", "\(error)"))
        }
        if let refreshedCookie, response.headers[.setCookie] == nil {
            response.headers[.setCookie] = sessionCookieHeader(refreshedCookie)
        }
        response.headers[.server] = "Divan/\(DivanVersion.string) (CouchDB 3.4.3 compatible)"
        // CouchDB's default, except on redirects, 304s and multipart bodies.
        let multipart = response.headers[.contentType]?.hasPrefix("multipart/") == true
        if response.status.kind != .redirection && !multipart && response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "must-revalidate"
        }
        return response
    }

    /// The `Set-Cookie` CouchDB writes, attribute for attribute (an empty value logs out;
    /// CouchDB still gives it the session's lifetime).
    func sessionCookieHeader(_ value: String) -> String {
        let timeout = settings.current.sessionTimeout
        let expires = HTTPDate.cookieFormat(Date().addingTimeInterval(TimeInterval(timeout)))
        return "AuthSession=\(value); Version=1; Expires=\(expires); Max-Age=\(timeout); Path=/; HttpOnly"
    }

    /// The path's first segment picks the handler family.
    func route(_ request: CouchRequest) async throws -> Response {
        guard let first = request.segments.first else { return try welcome(request) }
        if first.hasPrefix("_") && !DatabaseName.systemNames.contains(first) {
            return try await serverEndpoint(first, request)
        }
        return try await databaseEndpoint(first, request)
    }

    /// Refuses anonymous requests (CouchDB 3 is secure by default).
    func requireUser(_ request: CouchRequest) throws(CouchError) {
        guard request.user.isAuthenticated else { throw CouchError.unauthorized }
    }

    /// CouchDB answers 401 "You are not a server admin." to anonymous clients and to
    /// users who are logged in alike.
    func requireServerAdmin(_ request: CouchRequest) throws(CouchError) {
        guard request.user.isServerAdmin else { throw CouchError.notAServerAdmin }
    }

    static func methodCheck(_ request: CouchRequest, _ allowed: HTTPRequest.Method...) throws(CouchError) {
        guard allowed.contains(request.method) else {
            throw CouchError.methodNotAllowed(allowed.map(\.rawValue).joined(separator: ","))
        }
    }
}
