import DocStore
import Hummingbird

/// JavaScript views: `/{db}/_design/{ddoc}/_view/{view}` (GET, POST with keys,
/// `/queries`), `/{db}/_design/{ddoc}/_info`, `/{db}/_view_cleanup`.
extension CouchService {
    /// Whether a design document sub-path is a view endpoint this file answers.
    static func isViewPath(_ rest: [String]) -> Bool {
        rest.count >= 3 && ["_view", "_info"].contains(rest[2])
    }

    /// `rest` is the path after the database: `_design`, the name, `_view`|`_info`, ….
    func viewEndpoint(_ database: DocumentDatabase, _ rest: [String], _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        let designDocument = "_design/" + rest[1]
        if rest[2] == "_info" {
            guard rest.count == 3 else { throw CouchError.notFound }
            try Self.methodCheck(request, .get)
            return .json(try viewInfoJSON(database, designDocument, name: rest[1]))
        }
        guard rest.count >= 4 else { throw CouchError.notFound }
        let view = rest[3]
        if rest.count == 5, rest[4] == "queries" {
            let partition = try Self.partitionParameter(request.query)
            return try await multipleQueries(request) { object in
                var query = try ViewQueryParser.parse(body: object, query: QueryParameters(nil))
                query.partition = query.partition ?? partition
                return try await viewJSON(database, designDocument, view, query)
            }
        }
        guard rest.count == 4 else { throw CouchError.notFound }
        var body = JSONObject()
        if request.method == .post {
            body = try await request.jsonObjectBody()
        } else {
            try Self.methodCheck(request, .get, .head, .post)
        }
        return .json(try await viewJSON(database, designDocument, view, try ViewQueryParser.parse(body: body, query: request.query)))
    }

    private func viewJSON(_ database: DocumentDatabase, _ designDocument: String, _ view: String, _ query: ViewQuery) async throws -> JSON {
        let result = try await database.queryView(designDocument: designDocument, view: view, query)
        let rows: [JSON] = result.rows.map { row in
            var object = JSONObject()
            if let id = row.id { object["id"] = .string(id) }
            object["key"] = row.key
            object["value"] = row.value
            if let document = row.document { object["doc"] = document }
            return .object(object)
        }
        var answer = JSONObject()
        if let total = result.totalRows { answer["total_rows"] = .number(JSONNumber(total)) }
        if let offset = result.offset { answer["offset"] = .number(JSONNumber(offset)) }
        answer["rows"] = .array(rows)
        if query.updateSequence { answer["update_seq"] = .string(WireSequence.format(result.updateSequence)) }
        return .object(answer)
    }

    private func viewInfoJSON(_ database: DocumentDatabase, _ designDocument: String, name: String) throws -> JSON {
        let info = try database.viewGroupInfo(designDocument: designDocument)
        let zero: JSON = .number(JSONNumber(0))
        return [
            "name": .string(name),
            "view_index": [
                "updates_pending": ["minimum": zero, "preferred": zero, "total": zero],
                "waiting_commit": false, "waiting_clients": zero, "updater_running": .bool(info.updaterRunning),
                "update_seq": .number(JSONNumber(info.updateSequence)),
                "sizes": ["file": zero, "external": zero, "active": zero],
                "signature": .string(info.signature), "purge_seq": zero, "language": .string(info.language),
                "compact_running": false, "collator_versions": [],
            ],
        ]
    }

    /// `POST /{db}/_view_cleanup`: drops the indexes no design document uses.
    func viewCleanup(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .post)
        try requireAdmin(access)
        try requireJSONContentType(request)
        try await database.cleanUpViews()
        return .json(["ok": true], status: .accepted)
    }
}
