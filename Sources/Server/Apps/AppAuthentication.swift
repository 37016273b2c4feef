import Apps
import Foundation
import DocStore
import HTTPTypes
import Hummingbird

/// Who an app-port request runs as, and how it proved it.
struct AppCaller: Sendable {
    enum Credential: Sendable {
        /// The CouchDB server admin's Basic credentials.
        case basic
        /// `x-budibase-api-key` or `Authorization: Bearer`.
        case apiKey
        /// The `budibase:auth` cookie: a browser sends it by itself, so writes need CSRF proof.
        case cookie
        /// The session token in `x-budibase-token`: a header no other site can make a browser send.
        case tokenHeader
    }

    let principal: Principal
    let credential: Credential
    /// The session of a cookie or token-header request.
    let session: Session?

    /// The user id written into `createdBy`/`updatedBy` and deployment records.
    var id: String { principal.id }
}

/// Every app-port request past the open routes (login, first-admin setup) needs
/// credentials, tried in this order: an API key (`x-budibase-api-key`, or
/// `Authorization: Bearer`), the server admin's Basic credentials, the `budibase:auth`
/// cookie, the `x-budibase-token` header. Credentials that are given and wrong are 401
/// even when others would do, so a client learns of a stale key at once.
///
/// A cookie-authenticated request that may change something (any method but GET, HEAD
/// and OPTIONS) must carry its session's `x-csrf-token`; API keys and the token header
/// need none, since a browser never adds them on another site's behalf.
struct AppAuthentication: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "budibase:auth"
    let authenticator: Authenticator
    let worker: WorkerService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await caller(request)
        return try await next(request, context)
    }

    private func caller(_ request: Request) async throws -> AppCaller {
        let headers = request.headers
        let authorization = headers[.authorization]
        if let key = headers[.budibaseAPIKey] ?? Self.bearer(authorization) {
            return AppCaller(principal: try worker.authenticate(apiKey: key), credential: .apiKey, session: nil)
        }
        if let authorization, authorization.lowercased().hasPrefix("basic ") {
            let user: UserContext
            do {
                user = try authenticator.authenticate([.authorization: authorization]).user
            } catch {
                throw AppError(.unauthorized, "Unauthorized: invalid credentials")
            }
            guard user.isServerAdmin, let name = user.name else { throw AppError(.forbidden, "Forbidden: an admin is required") }
            return AppCaller(principal: .serverAdmin(name: name), credential: .basic, session: nil)
        }
        if let token = Authenticator.cookie(named: Self.cookieName, in: headers), !token.isEmpty {
            let (principal, session) = try await worker.authenticate(token: token)
            if ![.get, .head, .options].contains(request.method) {
                let given = headers[.csrfToken] ?? ""
                guard ConstantTime.equal(Array(given.utf8), Array(session.csrfToken.utf8)) else {
                    throw AppError(.forbidden, "Forbidden: the x-csrf-token header must carry the session's CSRF token")
                }
            }
            return AppCaller(principal: principal, credential: .cookie, session: session)
        }
        if let token = headers[.budibaseToken], !token.isEmpty {
            let (principal, session) = try await worker.authenticate(token: token)
            return AppCaller(principal: principal, credential: .tokenHeader, session: session)
        }
        throw AppError(.unauthorized, "Unauthorized: credentials are required")
    }

    /// The token of `Authorization: Bearer <token>`: on the app port, an API key.
    static func bearer(_ authorization: String?) -> String? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}

extension HTTPField.Name {
    static let budibaseAPIKey = HTTPField.Name("x-budibase-api-key")!
    static let budibaseToken = HTTPField.Name("x-budibase-token")!
    static let csrfToken = HTTPField.Name("x-csrf-token")!
}
