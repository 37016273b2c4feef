import Apps
import DocStore
import HTTPTypes
import Hummingbird

/// Budibase's worker API on the app port (`/api/global/…`) and the public API's users
/// and roles (`/api/public/v1/users`, `/roles`), over `WorkerService`. What each route
/// requires of its caller is in `AppAuthorization.rules`.
enum WorkerRoutes {
    /// Bodies of these routes are small JSON objects; anything larger is refused (413).
    static let maxBodySize = 64 << 10
    /// Users answered by one `GET /api/global/users` (more: search with a bookmark).
    static let listLimit = 1000
    static let defaultPageSize = 50

    /// Routes that take no credentials: first-admin setup and login.
    static func addOpenRoutes(_ router: Router<AppRequestContext>, worker: WorkerService) {
        let global = router.group("api/global")
        global.post("users/init") { request, _ in
            let body = try await AppServer.body(request, maxBodySize)
            let user = try await worker.createFirstAdmin(body)
            return Response.json(summary(user))
        }
        global.post("auth/:tenantId/login") { request, _ in
            let body = try await AppServer.body(request, maxBodySize)
            guard let username = (body["username"] ?? body["email"])?.stringValue, let password = body["password"]?.stringValue else {
                throw AppError(.badRequest, "username and password are required")
            }
            let (token, session, user) = try await worker.login(username: username, password: password)
            var response = Response.json([
                "message": "Login successful", "userId": user["_id"] ?? .null, "csrfToken": .string(session.csrfToken),
            ])
            response.headers[.setCookie] = cookie(token, maxAge: Int(worker.configuration.sessionLifetime))
            response.headers[.budibaseToken] = token
            return response
        }
    }

    /// The authenticated routes: `global` for the worker's own API, `api` (the public
    /// API group, with `AppAuthorization`) for users and roles.
    static func addRoutes(_ router: Router<AppRequestContext>, api: RouterGroup<AppRequestContext>, worker: WorkerService) {
        let global = router.group("api/global").add(middleware: AppAuthorization(worker: worker))
        global.post("auth/logout") { _, context in
            if let session = context.caller?.session { try await worker.logout(session) }
            var response = Response.json(["message": "User logged out."])
            response.headers[.setCookie] = cookie("", maxAge: 0)
            return response
        }
        global.get("self") { _, context in
            let caller = try context.requireCaller()
            var user: JSONObject
            if caller.principal.isServerAdmin {
                user = ["_id": .string(caller.id), "admin": ["global": true], "builder": ["global": true], "roles": [:]]
            } else {
                user = try worker.publicUser(caller.id)
            }
            if let session = caller.session { user["csrfToken"] = .string(session.csrfToken) }
            return Response.json(.object(user))
        }
        global.post("self") { request, context in
            let caller = try context.requireCaller()
            guard !caller.principal.isServerAdmin else { throw AppError(.badRequest, "The server admin is changed with CouchDB's /_node/_local/_config") }
            let body = try await AppServer.body(request, maxBodySize)
            // Only one's names and password: email, flags and roles are the admins'.
            let own = JSONObject(body.filter { ["firstName", "lastName", "password"].contains($0.key) }.map { ($0.key, $0.value) })
            return Response.json(.object(try await worker.updateUser(caller.id, own, privileged: false, keepingSession: caller.session?.sessionID)))
        }
        for method in [HTTPRequest.Method.get, .post] {
            global.on("self/api_key", method: method) { _, context in
                Response.json(["apiKey": .string(try await worker.newAPIKey(for: try context.requireCaller().principal))])
            }
        }
        global.get("users") { _, _ in
            Response.json(.array(try worker.searchUsers(prefix: "", bookmark: nil, limit: listLimit).users.map(JSON.object)))
        }
        global.post("users") { request, _ in
            let body = try await AppServer.body(request, maxBodySize)
            if let id = body["_id"]?.stringValue { return Response.json(summary(try await worker.updateUser(id, body))) }
            return Response.json(summary(try await worker.createUser(body)))
        }
        global.post("users/search") { request, _ in
            let (users, next) = try search(worker, try await AppServer.body(request, maxBodySize))
            return Response.json([
                "data": .array(users.map(JSON.object)), "hasNextPage": .bool(next != nil), "nextPage": next.map(JSON.string) ?? .null,
            ])
        }
        global.get("users/:userId") { _, context in
            Response.json(.object(try worker.publicUser(try context.parameters.require("userId"))))
        }
        global.delete("users/:userId") { _, context in
            let id = try context.parameters.require("userId")
            _ = try await worker.deleteUser(id)
            return Response.json(["message": .string("User \(id) deleted.")])
        }

        // The public API's users and roles: the same operations, answered as `{"data": …}`.
        api.post("users") { request, _ in
            AppServer.data(.object(try await worker.createUser(try await AppServer.body(request, maxBodySize))))
        }
        api.post("users/search") { request, _ in
            let (users, next) = try search(worker, try await AppServer.body(request, maxBodySize))
            var answer: JSONObject = ["data": .array(users.map(JSON.object))]
            if let next { answer["bookmark"] = .string(next) }
            return Response.json(.object(answer))
        }
        api.get("users/:userId") { _, context in
            AppServer.data(.object(try worker.publicUser(try context.parameters.require("userId"))))
        }
        api.put("users/:userId") { request, context in
            let body = try await AppServer.body(request, maxBodySize)
            return AppServer.data(.object(try await worker.updateUser(try context.parameters.require("userId"), body)))
        }
        api.delete("users/:userId") { _, context in
            AppServer.data(.object(try await worker.deleteUser(try context.parameters.require("userId"))))
        }
        api.post("roles/assign") { request, _ in
            AppServer.data(.object(try await worker.assignRoles(try await AppServer.body(request, maxBodySize), assign: true)))
        }
        api.post("roles/unassign") { request, _ in
            AppServer.data(.object(try await worker.assignRoles(try await AppServer.body(request, maxBodySize), assign: false)))
        }
    }

    /// A search body: the email prefix (`email`, `name`, or Budibase's
    /// `query.string.email`), `bookmark` and `limit` (1–1000).
    static func search(_ worker: WorkerService, _ body: JSONObject) throws(AppError) -> ([JSONObject], String?) {
        let prefix = body["email"]?.stringValue ?? body["name"]?.stringValue ?? body["query"]?["string"]?["email"]?.stringValue ?? ""
        var limit = defaultPageSize
        if let given = body["limit"], given != .null {
            guard let value = given.int64Value, (1...Int64(listLimit)).contains(value) else {
                throw AppError(.badRequest, "limit must be an integer from 1 to \(listLimit)")
            }
            limit = Int(value)
        }
        let bookmark: String?
        switch body["bookmark"] {
        case nil, .null?: bookmark = nil
        case .string(let text)?: bookmark = text
        default: throw AppError(.badRequest, "bookmark must be a string")
        }
        return try worker.searchUsers(prefix: prefix, bookmark: bookmark, limit: limit)
    }

    /// What creating or updating a user answers on the worker API: `{_id, _rev, email}`.
    static func summary(_ user: JSONObject) -> JSON {
        ["_id": user["_id"] ?? .null, "_rev": user["_rev"] ?? .null, "email": user["email"] ?? .null]
    }

    /// The `budibase:auth` cookie: HttpOnly (no script reads it), SameSite=Lax (not sent
    /// with other sites' subrequests or form posts), for the whole port.
    static func cookie(_ token: String, maxAge: Int) -> String {
        "\(AppAuthentication.cookieName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
    }
}

extension AppRequestContext {
    /// The caller `AppAuthentication` set. - Throws: 401 when there is none.
    func requireCaller() throws(AppError) -> AppCaller {
        guard let caller else { throw AppError(.unauthorized, "Unauthorized: credentials are required") }
        return caller
    }
}

extension AppServer {
    /// The worker's settings from the server's: PBKDF2 iterations, session lifetime.
    static func workerConfiguration(_ couch: CouchService) -> WorkerService.Configuration {
        var configuration = WorkerService.Configuration()
        configuration.passwordIterations = couch.configuration.passwordIterations
        configuration.sessionLifetime = couch.configuration.appSessionLifetime
        return configuration
    }
}
