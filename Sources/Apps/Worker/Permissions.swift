import DocStore

/// Budibase's permission levels, in order: a grant of one level allows every lower one
/// (WRITE allows READ and EXECUTE), as Budibase's `getAllowedLevels` does.
public enum PermissionLevel: Int, Sendable, Comparable, CaseIterable {
    case execute, read, write, admin

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name role documents use (`"read"`), or nil for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "execute": self = .execute
        case "read": self = .read
        case "write": self = .write
        case "admin": self = .admin
        default: return nil
        }
    }

    public var name: String { ["execute", "read", "write", "admin"][rawValue] }
}

/// What a permission is about: a kind of resource and its id (`ta_…` for a table, the
/// production app id for the app itself).
public struct Resource: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case app, table, user, query, view }
    public let kind: Kind
    public let id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// A role as an app's database defines it (`role_<id>`): the role it inherits from and
/// explicit grants per resource id. Built-in roles may have a document too, holding
/// grants added to their defaults.
public struct RoleDefinition: Sendable, Equatable {
    public let id: String
    public var inherits: String?
    public var permissions: [String: [PermissionLevel]]

    public init(id: String, inherits: String? = nil, permissions: [String: [PermissionLevel]] = [:]) {
        self.id = id
        self.inherits = inherits
        self.permissions = permissions
    }
}

/// Budibase's built-in app roles: ADMIN ⊃ POWER ⊃ BASIC ⊃ PUBLIC.
public enum BuiltinRole: String, Sendable, CaseIterable {
    case admin = "ADMIN", power = "POWER", basic = "BASIC", `public` = "PUBLIC"

    /// The built-in role this one includes.
    var inherits: BuiltinRole? {
        switch self {
        case .admin: .power
        case .power: .basic
        case .basic: .public
        case .public: nil
        }
    }

    /// The highest level each kind of resource gets without any explicit grant: Budibase's
    /// built-in permission sets (PUBLIC → none but opening the app, BASIC → WRITE,
    /// POWER → POWER, ADMIN → ADMIN). Each role's defaults include its inherited role's.
    func defaultLevel(_ kind: Resource.Kind) -> PermissionLevel? {
        switch (self, kind) {
        case (.admin, _): .admin
        case (.power, .user): .read
        case (.power, let kind), (.basic, let kind):
            switch kind {
            case .app, .view: .read
            case .table, .query: .write
            case .user: nil
            }
        case (.public, .app): .execute
        case (.public, _): nil
        }
    }
}

/// The one decision of the app layer's access control: whether a role allows a level
/// on a resource. Every route's check goes through `allows`; the worker only works out
/// which role a user has in an app (`AccessControl`).
///
/// Grants only add: a role allows a level when any role it inherits from (transitively,
/// itself included) grants that resource that level or a higher one explicitly, or when
/// the highest built-in role in its chain allows it by default. A custom role that
/// inherits no built-in role has its explicit grants only. To keep BASIC users out of a
/// table, give them a custom role inheriting PUBLIC instead (Budibase's per-resource
/// "minimum role" settings, which subtract, are not implemented).
public enum Permissions {
    /// Longest inheritance chain followed; a longer one (or a cycle) stops there.
    static let maxChain = 32

    /// - Parameters:
    ///   - role: a built-in role name (`BASIC`) or a custom role id (`sales` or `role_sales`).
    ///   - roles: the app's role documents by role id (as `RoleDefinition.normalizedID` gives).
    /// - Complexity: O(length of the inheritance chain).
    public static func allows(
        _ role: String, _ level: PermissionLevel, on resource: Resource, roles: [String: RoleDefinition] = [:]
    ) -> Bool {
        var current: String? = RoleDefinition.normalizedID(role)
        var visited: Set<String> = []
        var highestBuiltin: BuiltinRole?
        while let id = current, visited.count < maxChain, visited.insert(id).inserted {
            if let grants = roles[id]?.permissions[resource.id], grants.contains(where: { $0 >= level }) { return true }
            if let builtin = BuiltinRole(rawValue: id) {
                highestBuiltin = highestBuiltin ?? builtin
                current = builtin.inherits?.rawValue
            } else {
                current = roles[id]?.inherits.map(RoleDefinition.normalizedID)
            }
        }
        guard let allowed = highestBuiltin?.defaultLevel(resource.kind) else { return false }
        return allowed >= level
    }
}

extension RoleDefinition {
    /// The id a role is known by: built-in names as they are, custom ids without `role_`.
    public static func normalizedID(_ role: String) -> String {
        let upper = role.uppercased()
        if BuiltinRole(rawValue: upper) != nil { return upper }
        if role.hasPrefix("role_") {
            let rest = String(role.dropFirst(5))
            return BuiltinRole(rawValue: rest.uppercased()) != nil ? rest.uppercased() : rest
        }
        return role
    }

    /// Reads a `role_<id>` document: `inherits` (or Budibase's `inherits` array's first
    /// entry) and `permissions: {resourceId: ["read", …]}`; unknown levels are ignored.
    init(document: JSONObject) {
        let documentID = document["_id"]?.stringValue ?? ""
        var inherits: String?
        switch document["inherits"] {
        case .string(let name)?: inherits = name
        case .array(let names)?: inherits = names.first?.stringValue
        default: inherits = nil
        }
        var permissions: [String: [PermissionLevel]] = [:]
        for (resource, levels) in document["permissions"]?.objectValue ?? [:] {
            let names = levels.arrayValue?.compactMap(\.stringValue) ?? levels.stringValue.map { [$0] } ?? []
            permissions[resource] = names.compactMap(PermissionLevel.init(name:))
        }
        self.init(id: Self.normalizedID(documentID), inherits: inherits, permissions: permissions)
    }
}
