import Foundation
import DocStore
import HTTPTypes
import Hummingbird

/// How much a user may do in one database.
enum DatabaseAccess: Equatable {
    /// Database admin: design documents, `_security`, everything.
    case admin
    /// Member: read and write ordinary documents.
    case member
}

/// `/{db}` and the database-level endpoints.
extension CouchService {
    func databaseEndpoint(_ name: String, _ request: CouchRequest) async throws -> Response {
        let rest = Array(request.segments.dropFirst())
        // Creating and deleting databases is for server admins; CouchDB says so to
        // anonymous clients too.
        if rest.isEmpty, [.put, .delete].contains(request.method) { return try await databaseRoot(name, request) }
        try requireUser(request)
        if rest.isEmpty { return try await databaseRoot(name, request) }
        // CouchDB's chttpd_auth_request: listing the system databases is for server admins.
        if [Authenticator.usersDatabase, "_replicator"].contains(name), ["_all_docs", "_changes"].contains(rest[0]) {
            try requireServerAdmin(request)
        }
        let database = try store.database(name)
        let access = try access(to: database, request.user)
        switch rest[0] {
        case "_all_docs", "_design_docs", "_local_docs":
            return try await allDocuments(database, rest, request, access)
        case "_bulk_docs": return try await bulkDocuments(database, request, access)
        case "_find", "_explain", "_index": return try await mango(database, rest, request, access)
        case "_partition": return try await partitionEndpoint(database, rest, request, access)
        case "_bulk_get": return try await bulkGet(database, request, access)
        case "_changes": return try await changes(database, request, access)
        case "_revs_diff", "_missing_revs": return try await revisionsDiff(database, rest[0], request, access)
        case "_ensure_full_commit":
            try Self.methodCheck(request, .post)
            try request.requireJSONContentType()
            return .json(["ok": true, "instance_start_time": "0"], status: .created)
        case "_revs_limit": return try await revsLimit(database, request, access)
        case "_purged_infos_limit": return try await purgedInfosLimit(database, request, access)
        case "_security": return try await security(database, request, access)
        case "_purge": return try await purge(database, request, access)
        case "_view_cleanup": return try await viewCleanup(database, request, access)
        case "_compact":
            try Self.methodCheck(request, .post)
            try requireAdmin(access)
            try requireJSONContentType(request)
            // LMDB reuses freed pages in place and Divan drops old revision bodies at
            // once: there is nothing to compact.
            return .json(["ok": true], status: .accepted)
        case "_design":
            guard rest.count >= 2 else {
                if [.get, .head, .delete].contains(request.method) { throw CouchError.notFound }
                throw CouchError(.badRequest, "illegal_docid", "Only reserved document ids may start with underscore.")
            }
            if Self.isViewPath(rest) { return try await viewEndpoint(database, rest, request, access) }
            return try await documentEndpoint(database, "_design/" + rest[1], Array(rest.dropFirst(2)), request, access)
        case "_local":
            guard rest.count >= 2 else {
                if [.get, .head, .delete].contains(request.method) { throw CouchError.notFound }
                throw CouchError.badRequest("Invalid _local document id.")
            }
            return try await localDocumentEndpoint(database, "_local/" + rest[1], request, access)
        case let id where id.hasPrefix("_design/"):
            // `_design%2Fname`: CouchDB redirects a GET to the unencoded path, and takes
            // the other methods as they are.
            if request.method == .get {
                let path = request.request.uri.path.replacingOccurrences(of: "_design%2F", with: "_design/", options: .caseInsensitive)
                let query = request.request.uri.query.map { "?" + $0 } ?? ""
                return Response(status: .movedPermanently, headers: [.location: request.absoluteURL(path + query)])
            }
            return try await documentEndpoint(database, id, Array(rest.dropFirst()), request, access)
        case let id where id.hasPrefix("_local/"):
            return try await localDocumentEndpoint(database, id, request, access)
        case let id where id.hasPrefix("_"):
            // No such document can exist: reading it is a 404, writing it illegal.
            if [.get, .head, .delete].contains(request.method) { throw CouchError.notFound }
            throw CouchError(.badRequest, "illegal_docid", "Only reserved document ids may start with underscore.")
        default:
            return try await documentEndpoint(database, rest[0], Array(rest.dropFirst()), request, access)
        }
    }

    private func databaseRoot(_ name: String, _ request: CouchRequest) async throws -> Response {
        switch request.method {
        case .get, .head:
            let database = try store.database(name)
            _ = try access(to: database, request.user)
            return .json(Self.infoJSON(try database.info()))
        case .put:
            try requireServerAdmin(request)
            for parameter in ["q", "n"] where request.query[parameter] != nil {
                // Cluster parameters change nothing on one node, but must be sane.
                guard let value = try request.query.int(parameter), value >= 1 else {
                    throw CouchError.badRequest("\(parameter) must be a positive integer")
                }
            }
            var partitioned = false
            switch request.query["partitioned"] {
            case nil, "false": break
            case "true": partitioned = true
            default: throw CouchError.badRequest("Invalid `partitioned` parameter")
            }
            let database = try store.createDatabase(name, partitioned: partitioned)
            try await database.setSecurity(Self.adminOnlySecurity, isDefault: true)
            return .json(["ok": true], status: .created, headers: [.location: request.location(name)])
        case .delete:
            try requireServerAdmin(request)
            if request.query["rev"] != nil {
                // CouchDB's wording, `?=rev` included.
                throw CouchError.badRequest("You tried to DELETE a database with a ?=rev parameter. Did you mean to DELETE a document instead?")
            }
            try store.deleteDatabase(name)
            return .ok()
        case .post:
            let database = try store.database(name)
            let access = try access(to: database, request.user)
            return try await postDocument(database, request, access)
        default:
            // CouchDB leaves PUT out of the list, though it creates databases.
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,POST")
        }
    }

    /// The user's access to `database`: server admins and database admins are admins;
    /// members by name or role, or anyone authenticated when the members list is empty.
    /// - Throws: 403 for an authenticated user who is neither.
    func access(to database: DocumentDatabase, _ user: UserContext) throws -> DatabaseAccess {
        if user.isServerAdmin { return .admin }
        let security = try database.security()
        func listed(_ group: String) -> (matches: Bool, empty: Bool) {
            let names = security[group]?["names"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let roles = security[group]?["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let matches = user.name.map(names.contains) == true || roles.contains(where: user.roles.contains)
            return (matches, names.isEmpty && roles.isEmpty)
        }
        if listed("admins").matches { return .admin }
        // CouchDB 3.4 keeps `_users` for admins: its security cannot be edited, so no
        // member list (not even one an older data directory stored) opens it.
        if database.name == Authenticator.usersDatabase { throw CouchError.forbidden }
        let members = listed("members")
        guard members.matches || members.empty else { throw CouchError.forbidden }
        return .member
    }

    func requireAdmin(_ access: DatabaseAccess) throws(CouchError) {
        guard access == .admin else { throw CouchError(.forbidden, "forbidden", "You are not a db or server admin.") }
    }

    func requireJSONContentType(_ request: CouchRequest) throws(CouchError) {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw CouchError(.unsupportedMediaType, "bad_content_type", "Content-Type must be application/json")
        }
    }

    private func revsLimit(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        switch request.method {
        case .get:
            return .json(.number(JSONNumber(try database.revsLimit())))
        case .put:
            try requireAdmin(access)
            guard let limit = try await request.jsonBody(requireContentType: false).int64Value, limit > 0 else {
                throw CouchError.badRequest("Rev limit has to be an integer")
            }
            try await database.setRevsLimit(Int(limit))
            return .ok()
        default:
            throw CouchError.methodNotAllowed("PUT,GET")
        }
    }

    private func purgedInfosLimit(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        switch request.method {
        case .get:
            return .json(.number(JSONNumber(try database.purgedInfosLimit())))
        case .put:
            try requireAdmin(access)
            guard let limit = try await request.jsonBody(requireContentType: false).int64Value, limit > 0 else {
                throw CouchError.badRequest("`purged_infos_limit` must be positive integer")
            }
            try await database.setPurgedInfosLimit(Int(limit))
            return .ok()
        default:
            throw CouchError.methodNotAllowed("GET,PUT")
        }
    }

    private func security(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        switch request.method {
        case .get:
            return .json(.object(try database.security()))
        case .put:
            try requireAdmin(access)
            // CouchDB 3 (`users_db_security_editable = false`): `_users` stays admin-only.
            if database.name == Authenticator.usersDatabase {
                throw CouchError(.forbidden, "forbidden", "You can't edit the security object of the user database.")
            }
            guard case .object(let security) = try await request.jsonBody(requireContentType: false) else {
                throw CouchError.badRequest("Request body must be a JSON object")
            }
            for group in ["admins", "members"] {
                guard let value = security[group] else { continue }
                guard let object = value.objectValue else { throw CouchError.badRequest("\(group) must be a JSON object") }
                for key in ["names", "roles"] {
                    guard let list = object[key] else { continue }
                    guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                        throw CouchError.badRequest("\(group).\(key) must be a JSON list of strings")
                    }
                }
            }
            try await database.setSecurity(security)
            return .ok()
        default:
            throw CouchError.methodNotAllowed("PUT,GET")
        }
    }

    private func purge(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .post)
        try requireAdmin(access)
        let body = try await request.jsonObjectBody()
        let purged = try await database.purge(try Self.revisionLists(body))
        var result = JSONObject()
        for (id, revisions) in purged.sorted(by: { $0.key < $1.key }) { result[id.string] = .array(revisions.map { .string($0.description) }) }
        return .json(["purge_seq": .null, "purged": .object(result)], status: .created)
    }

    /// `{"id": ["rev", ...], ...}` bodies of `_revs_diff`, `_missing_revs` and `_purge`.
    static func revisionLists(_ body: JSONObject) throws(CouchError) -> [ExactString: [Revision]] {
        var request: [ExactString: [Revision]] = [:]
        for (id, value) in body {
            guard let list = value.arrayValue else { throw CouchError.badRequest("Invalid list of revisions") }
            var revisions: [Revision] = []
            for item in list {
                guard let text = item.stringValue, let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
                revisions.append(revision)
            }
            request[ExactString(id)] = revisions
        }
        return request
    }

    private func revisionsDiff(_ database: DocumentDatabase, _ endpoint: String, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .post)
        let diff = try database.revisionsDiff(try Self.revisionLists(try await request.jsonObjectBody()))
        var result = JSONObject()
        for (id, entry) in diff.sorted(by: { $0.key < $1.key }) {
            let missing = JSON.array(entry.missing.map { .string($0.description) })
            if endpoint == "_missing_revs" {
                result[id.string] = missing
            } else {
                var row: JSONObject = ["missing": missing]
                if !entry.possibleAncestors.isEmpty { row["possible_ancestors"] = .array(entry.possibleAncestors.map { .string($0.description) }) }
                result[id.string] = .object(row)
            }
        }
        return .json(endpoint == "_missing_revs" ? ["missing_revs": .object(result)] : .object(result))
    }
}
