import DocStore

/// Who a request on the app port runs as, as far as access control cares: a global
/// user of `global-db`, or the CouchDB server admin (a global admin and builder that
/// has no user document).
public struct Principal: Sendable, Equatable {
    /// The user id (`us_…`), or the server admin's name.
    public let id: String
    public let email: String?
    /// Manages users (Budibase's `admin.global`).
    public let isAdmin: Bool
    /// Creates and changes apps, schemas, publishes (Budibase's `builder.global`).
    public let isBuilder: Bool
    /// Role id per production app id (`app_<hex>` → `BASIC`).
    public let roles: [String: String]
    /// Whether this is the CouchDB server admin (Basic credentials), not a user document.
    public let isServerAdmin: Bool

    public static func serverAdmin(name: String) -> Principal {
        Principal(id: name, email: nil, isAdmin: true, isBuilder: true, roles: [:], isServerAdmin: true)
    }

    /// The principal of a user document. Admins are builders too, as in Budibase.
    init(user: JSONObject) {
        let admin = UserRecord.flag(user["admin"])
        self.init(
            id: user["_id"]?.stringValue ?? "", email: user["email"]?.stringValue, isAdmin: admin,
            isBuilder: admin || UserRecord.flag(user["builder"]),
            roles: (user["roles"]?.objectValue ?? [:]).reduce(into: [:]) { roles, pair in
                if let role = pair.value.stringValue { roles[pair.key] = role }
            },
            isServerAdmin: false)
    }

    init(id: String, email: String?, isAdmin: Bool, isBuilder: Bool, roles: [String: String], isServerAdmin: Bool) {
        self.id = id
        self.email = email
        self.isAdmin = isAdmin
        self.isBuilder = isBuilder
        self.roles = roles
        self.isServerAdmin = isServerAdmin
    }

    /// - Throws: 403 unless a global admin.
    public func requireAdmin() throws(AppError) {
        guard isAdmin else { throw AppError(.forbidden, "Forbidden: only admins manage users") }
    }

    /// - Throws: 403 unless a builder (or admin).
    public func requireBuilder() throws(AppError) {
        guard isBuilder else { throw AppError(.forbidden, "Forbidden: only builders change apps, schemas and publish") }
    }
}
