import DocStore

/// Who a request runs as: CouchDB's `userCtx`.
public struct UserContext: Sendable, Equatable {
    public var name: String?
    public var roles: [String]
    /// How the user was authenticated (`default` for Basic, `cookie`, `jwt`), or nil.
    public var authenticatedBy: String?

    public static let anonymous = UserContext(name: nil, roles: [], authenticatedBy: nil)

    public var isServerAdmin: Bool { roles.contains("_admin") }
    public var isAuthenticated: Bool { name != nil }

    /// The `userCtx` a write runs as, for `validate_doc_update`.
    var writer: JSONObject {
        ["name": name.map(JSON.string) ?? .null, "roles": .array(roles.map(JSON.string))]
    }

    var json: JSON {
        ["name": name.map(JSON.string) ?? .null, "roles": .array(roles.map(JSON.string))]
    }
}
