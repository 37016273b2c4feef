import DocStore

extension WorkerService {
    /// Whether `principal` may act at `level` on `resource` of `app`; the decision is
    /// `Permissions.allows`, given the role the user has in the app.
    ///
    /// Builders and admins may do anything in every app. Anyone else acts in production
    /// apps only (development is the builders', as in Budibase), with the role their
    /// `roles` names for the app's production id; no role there means no access.
    /// - Throws: 403.
    public func authorize(_ principal: Principal, _ app: AppID, _ resource: Resource, _ level: PermissionLevel) throws(AppError) {
        if principal.isBuilder { return }
        let denied = AppError(.forbidden, "Forbidden: no \(level.name) permission on \(resource.kind.rawValue) \(resource.id)")
        guard app.isProduction, let role = principal.roles[app.production] else { throw denied }
        guard Permissions.allows(role, level, on: resource, roles: roleDefinitions(app.production)) else { throw denied }
    }

    /// The `role_…` documents of an app's database by role id; none when it has none.
    /// Roles are few per app: read whole.
    public func roleDefinitions(_ database: String) -> [String: RoleDefinition] {
        guard let database = try? apps.store.database(database) else { return [:] }
        var options = AllDocumentsOptions()
        options.prefix = "role_"
        options.includeDocuments = true
        options.limit = 1000
        let rows = (try? database.allDocuments(options).rows) ?? []
        var roles: [String: RoleDefinition] = [:]
        for row in rows {
            guard let document = row.document?.json() else { continue }
            let role = RoleDefinition(document: document)
            roles[role.id] = role
        }
        return roles
    }

    /// `POST /api/public/v1/roles/assign` and `unassign`: Budibase's body
    /// `{userIds, role: {appId, roleId}, builder, admin}`; `unassign` removes the app's
    /// role and clears the flags given as true. - Returns: `{userIds}`.
    /// - Throws: 400 for a bad body or a custom role the app does not define; 404 for an
    ///   unknown user (users before it are already changed).
    public func assignRoles(_ body: JSONObject, assign: Bool) async throws(AppError) -> JSONObject {
        guard let ids = body["userIds"]?.arrayValue, !ids.isEmpty else { throw AppError.badRequest("userIds must be a non-empty array") }
        var userIDs: [String] = []
        for id in ids {
            guard let text = id.stringValue else { throw AppError.badRequest("userIds must be strings") }
            userIDs.append(text)
        }
        var appRole: (app: String, role: String)?
        if let role = body["role"], role != .null {
            guard let appID = role["appId"]?.stringValue else { throw AppError.badRequest("role.appId must be an app id") }
            let app = try UserRecord.productionAppID(appID)
            let roleID = assign ? try checkedRole(role["roleId"]?.stringValue, app: appID) : ""
            appRole = (app, roleID)
        }
        let builder = body["builder"]?.boolValue
        let admin = body["admin"]?.boolValue
        let database = try globalDatabase()
        for id in userIDs {
            _ = try user(id, database)
            _ = try await apps.modify(database, id, what: "User") { user throws(AppError) in
                var roles = user["roles"]?.objectValue ?? [:]
                if let appRole {
                    if assign { roles[appRole.app] = .string(appRole.role) } else { roles.removeValue(forKey: appRole.app) }
                }
                user["roles"] = .object(roles)
                if builder == true { user["builder"] = ["global": .bool(assign)] }
                if admin == true { user["admin"] = ["global": .bool(assign)] }
                user["updatedAt"] = .string(AppService.timestamp(now))
            }
        }
        return ["userIds": .array(userIDs.map(JSON.string))]
    }

    /// A role id to assign: built-in, or defined in the app (development or production).
    private func checkedRole(_ given: String?, app: String) throws(AppError) -> String {
        guard let given, !given.isEmpty else { throw AppError.badRequest("role.roleId must be a role id") }
        let id = RoleDefinition.normalizedID(given)
        if BuiltinRole(rawValue: id) != nil { return id }
        let appID = try AppID(app)
        for database in [appID.development, appID.production] where roleDefinitions(database)[id] != nil { return id }
        throw AppError.badRequest("Role \(given) is not defined in app \(app)")
    }
}
