import Testing

@testable import Apps

/// The one decision, `Permissions.allows`, for every built-in role × resource kind ×
/// level, written out as a table: a change to a default shows up here as a row.
@Suite struct PermissionsTests {
    /// The highest level each built-in role allows per resource kind (nil: none).
    /// Columns: app, table, user, query, view.
    static let expected: [(BuiltinRole, [Resource.Kind: PermissionLevel?])] = [
        (.public, [.app: .execute, .table: nil, .user: nil, .query: nil, .view: nil]),
        (.basic, [.app: .read, .table: .write, .user: nil, .query: .write, .view: .read]),
        (.power, [.app: .read, .table: .write, .user: .read, .query: .write, .view: .read]),
        (.admin, [.app: .admin, .table: .admin, .user: .admin, .query: .admin, .view: .admin]),
    ]

    @Test func everyBuiltinRoleResourceAndLevel() {
        var checked = 0
        for (role, highest) in Self.expected {
            for kind in Resource.Kind.allCases {
                for level in PermissionLevel.allCases {
                    let allowed = highest[kind]!.map { level <= $0 } ?? false
                    #expect(
                        Permissions.allows(role.rawValue, level, on: Resource(kind, "x")) == allowed,
                        "\(role.rawValue) \(level.name) on \(kind.rawValue)")
                    checked += 1
                }
            }
        }
        #expect(checked == 4 * 5 * 4)
    }

    @Test func higherBuiltinRolesAllowEverythingLowerOnesDo() {
        let order: [BuiltinRole] = [.public, .basic, .power, .admin]
        for (lower, higher) in zip(order, order.dropFirst()) {
            for kind in Resource.Kind.allCases {
                for level in PermissionLevel.allCases where Permissions.allows(lower.rawValue, level, on: Resource(kind, "x")) {
                    #expect(Permissions.allows(higher.rawValue, level, on: Resource(kind, "x")))
                }
            }
        }
    }

    @Test func anExplicitGrantAllowsItsLevelAndTheLowerOnes() {
        let roles = ["sales": RoleDefinition(id: "sales", inherits: "PUBLIC", permissions: ["ta_orders": [.read]])]
        let orders = Resource(.table, "ta_orders")
        #expect(Permissions.allows("sales", .execute, on: orders, roles: roles))
        #expect(Permissions.allows("role_sales", .read, on: orders, roles: roles))
        #expect(!Permissions.allows("sales", .write, on: orders, roles: roles))
        #expect(!Permissions.allows("sales", .read, on: Resource(.table, "ta_other"), roles: roles))
        #expect(Permissions.allows("sales", .execute, on: Resource(.app, "app_1"), roles: roles))
    }

    @Test func grantsOnABuiltinRoleDocumentReachTheRolesAboveIt() {
        let roles = ["PUBLIC": RoleDefinition(id: "PUBLIC", permissions: ["ta_news": [.read]])]
        for role in BuiltinRole.allCases {
            #expect(Permissions.allows(role.rawValue, .read, on: Resource(.table, "ta_news"), roles: roles))
        }
        #expect(!Permissions.allows("PUBLIC", .read, on: Resource(.table, "ta_other"), roles: roles))
    }

    @Test func customRolesInheritTransitivelyAndCyclesEnd() {
        let roles = [
            "lead": RoleDefinition(id: "lead", inherits: "sales", permissions: ["ta_leads": [.write]]),
            "sales": RoleDefinition(id: "sales", inherits: "BASIC"),
            "loop1": RoleDefinition(id: "loop1", inherits: "loop2"),
            "loop2": RoleDefinition(id: "loop2", inherits: "loop1"),
        ]
        #expect(Permissions.allows("lead", .write, on: Resource(.table, "ta_any"), roles: roles))
        #expect(!Permissions.allows("lead", .read, on: Resource(.user, "us_1"), roles: roles))
        #expect(!Permissions.allows("loop1", .execute, on: Resource(.app, "app_1"), roles: roles))
        #expect(!Permissions.allows("nobody", .execute, on: Resource(.app, "app_1"), roles: roles))
    }

    @Test func roleDocumentsParseLevelsAndIgnoreUnknownOnes() {
        let role = RoleDefinition(document: [
            "_id": "role_sales", "inherits": "BASIC", "permissions": ["ta_1": ["read", "bogus", "WRITE"]],
        ])
        #expect(role == RoleDefinition(id: "sales", inherits: "BASIC", permissions: ["ta_1": [.read, .write]]))
        #expect(RoleDefinition.normalizedID("role_basic") == "BASIC")
    }
}
