import DocStore
import HTTPTypes
import Hummingbird

/// Mango: `_find`, `_explain`, `_index` (list, create, delete).
extension CouchService {
    func mango(_ database: DocumentDatabase, _ path: [String], _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        do {
            switch path[0] {
            case "_find":
                try Self.methodCheck(request, .post)
                try request.requireJSONContentType()
                let find = try FindRequest(try await request.jsonObjectBody(), partition: request.partition)
                return findResponse(try await database.find(find), find)
            case "_explain":
                try Self.methodCheck(request, .post)
                try request.requireJSONContentType()
                return .json(try database.explain(try FindRequest(try await request.jsonObjectBody(), partition: request.partition)))
            default:
                return try await index(database, Array(path.dropFirst()), request, access)
            }
        } catch let error as MangoError {
            throw CouchError(HTTPResponse.Status(code: error.status), error.error, error.reason)
        }
    }

    private func findResponse(_ result: FindResult, _ request: FindRequest) -> Response {
        var body: JSONObject = ["docs": .array(result.documents)]
        if let bookmark = result.bookmark { body["bookmark"] = .string(bookmark) }
        if !result.warnings.isEmpty { body["warning"] = .string(result.warnings.joined(separator: "\n")) }
        if request.executionStats { body["execution_stats"] = result.stats.json }
        return .json(.object(body))
    }

    private func index(_ database: DocumentDatabase, _ rest: [String], _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        switch rest.count {
        case 0:
            switch request.method {
            case .get:
                let all = try database.listIndexes()
                let limit = try listParameter(request, "limit") ?? all.count
                let skip = min(try listParameter(request, "skip") ?? 0, all.count)
                guard limit >= 1, skip >= 0 else { throw Self.invalidListParameters }
                return .json(["total_rows": .number(JSONNumber(all.count)), "indexes": .array(Array(all.dropFirst(skip).prefix(limit)))])
            case .post:
                try requireAdmin(access)
                try request.requireJSONContentType()
                let created = try await database.createIndex(try await request.jsonObjectBody())
                return .json(["result": .string(created.result), "id": .string(created.designDocument), "name": .string(created.name)])
            default:
                throw CouchError.methodNotAllowed("GET,POST")
            }
        case 3, 4:
            // {ddoc}/json/{name} or _design/{ddoc}/json/{name}
            let parts = rest.count == 4 ? ["_design/" + rest[1], rest[2], rest[3]] : rest
            guard rest.count == 3 || rest[0] == "_design" else { throw CouchError.notFound }
            guard request.method == .delete else { throw CouchError.methodNotAllowed("DELETE") }
            try requireAdmin(access)
            guard try await database.deleteIndex(designDocument: parts[0], type: parts[1], name: parts[2]) else { throw CouchError.notFound }
            return .json(["ok": true])
        case 1 where rest[0] == "_bulk_delete":
            guard request.method == .post else { throw CouchError.methodNotAllowed("POST") }
            throw CouchError.notFound
        default:
            throw CouchError.notFound
        }
    }

    private static let invalidListParameters = CouchError(
        .internalServerError, "invalid_list_index_params", "Index parameter ranges: limit > 1, skip > 0")

    private func listParameter(_ request: CouchRequest, _ name: String) throws -> Int? {
        guard let text = request.query[name] else { return nil }
        guard let value = Int(text) else { throw Self.invalidListParameters }
        return value
    }
}
