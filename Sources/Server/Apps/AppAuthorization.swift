import Apps
import DocStore
import Hummingbird

/// What each authenticated route on the app port requires of its caller, in one table
/// that can be read (and audited) at once. It runs after routing, so it knows the route
/// and its parameters; a route missing from the table needs a builder, so forgetting an
/// entry fails closed.
///
/// Rejected: a check at the top of each handler (the rules scatter over many files, and
/// one forgotten line opens a route); checking paths before routing (a second, drifting
/// copy of the router's patterns).
struct AppAuthorization: RouterMiddleware {
    typealias Context = AppRequestContext
    let worker: WorkerService

    enum Requirement {
        /// Any authenticated caller (own profile, logout).
        case authenticated
        /// Builders and admins: apps, schemas, publishing.
        case builder
        /// Global admins: users and their roles.
        case admin
        /// A level on the app of the `appId` path parameter.
        case app(PermissionLevel)
        /// A level on the app of `x-budibase-app-id`.
        case headerApp(PermissionLevel)
        /// A level on the `tableId` table of the app of `x-budibase-app-id`.
        case table(PermissionLevel)
    }

    /// Keyed by method and route as the router spells it.
    static let rules: [String: Requirement] = [
        "GET /api/public/v1/metrics": .admin,
        "POST /api/public/v1/applications": .builder,
        "POST /api/public/v1/applications/search": .builder,
        "GET /api/public/v1/applications/{appId}": .app(.read),
        "PUT /api/public/v1/applications/{appId}": .builder,
        "DELETE /api/public/v1/applications/{appId}": .builder,
        "POST /api/public/v1/applications/{appId}/publish": .builder,
        "POST /api/public/v1/applications/{appId}/unpublish": .builder,
        "POST /api/public/v1/applications/{appId}/export": .builder,
        "POST /api/attachments/process": .headerApp(.write),
        "GET /api/assets/{appId}/attachments/{file}": .app(.read),
        "POST /api/public/v1/applications/{appId}/import": .builder,
        "POST /api/public/v1/tables": .builder,
        "POST /api/public/v1/tables/search": .headerApp(.read),
        "GET /api/public/v1/tables/{tableId}": .table(.read),
        "PUT /api/public/v1/tables/{tableId}": .builder,
        "DELETE /api/public/v1/tables/{tableId}": .builder,
        "POST /api/public/v1/tables/{tableId}/rows": .table(.write),
        "POST /api/public/v1/tables/{tableId}/rows/search": .table(.read),
        "GET /api/public/v1/tables/{tableId}/rows/{rowId}": .table(.read),
        "PUT /api/public/v1/tables/{tableId}/rows/{rowId}": .table(.write),
        "DELETE /api/public/v1/tables/{tableId}/rows/{rowId}": .table(.write),
        "POST /api/public/v1/users": .admin,
        "POST /api/public/v1/users/search": .admin,
        "GET /api/public/v1/users/{userId}": .admin,
        "PUT /api/public/v1/users/{userId}": .admin,
        "DELETE /api/public/v1/users/{userId}": .admin,
        "POST /api/public/v1/roles/assign": .admin,
        "POST /api/public/v1/roles/unassign": .admin,
        "POST /api/global/auth/logout": .authenticated,
        "GET /api/global/self": .authenticated,
        "POST /api/global/self": .authenticated,
        "GET /api/global/self/api_key": .builder,
        "POST /api/global/self/api_key": .builder,
        "GET /api/global/users": .admin,
        "POST /api/global/users": .admin,
        "POST /api/global/users/search": .admin,
        "GET /api/global/users/{userId}": .admin,
        "DELETE /api/global/users/{userId}": .admin,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = context.caller?.principal else { throw AppError(.unauthorized, "Unauthorized: credentials are required") }
        let route = "\(request.method) \(context.endpointPath ?? "")"
        switch Self.rules[route] ?? .builder {
        case .authenticated: break
        case .builder: try principal.requireBuilder()
        case .admin: try principal.requireAdmin()
        case .app(let level):
            let app = try AppID(try context.parameters.require("appId"))
            try worker.authorize(principal, app, Resource(.app, app.production), level)
        case .headerApp(let level):
            let app = try AppServer.appID(request)
            try worker.authorize(principal, app, Resource(.app, app.production), level)
        case .table(let level):
            let app = try AppServer.appID(request)
            try worker.authorize(principal, app, Resource(.table, try context.parameters.require("tableId")), level)
        }
        return try await next(request, context)
    }
}
