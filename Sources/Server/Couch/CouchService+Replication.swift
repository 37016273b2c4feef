import DocStore
import Hummingbird
import Replication

/// `POST /_replicate` and `/_scheduler/{jobs,docs}`: parse, ask the scheduler, encode.
extension CouchService {
    func replicate(_ request: CouchRequest) async throws -> Response {
        try Self.methodCheck(request, .post)
        try requireServerAdmin(request)
        let body = try await request.jsonObjectBody()
        do {
            let specification = try ReplicationSpecification(json: body)
            if specification.cancel {
                let id = try await replications.cancel(specification)
                return .json(["ok": true, "_local_id": .string(id)])
            }
            if specification.continuous {
                let id = try await replications.startContinuous(specification, user: request.user.name)
                return .json(["ok": true, "_local_id": .string(id)], status: .accepted)
            }
            var answer: JSONObject = ["ok": true]
            for (key, value) in try await replications.replicate(specification, user: request.user.name) { answer[key] = value }
            return .json(.object(answer))
        } catch let error as ReplicationError {
            throw Self.couchError(error)
        }
    }

    /// CouchDB's answers for replication failures: chttpd:error_info/1 makes 401 and 403
    /// of `unauthorized` and `forbidden`, and 500 of the others (`db_not_found` too).
    static func couchError(_ error: ReplicationError) -> CouchError {
        switch error.code {
        case .badRequest: CouchError.badRequest(error.reason)
        case .notFound: CouchError(.notFound, "not_found", error.reason)
        case .unauthorized: CouchError(.unauthorized, "unauthorized", error.reason)
        case .forbidden: CouchError(.forbidden, "forbidden", error.reason)
        default: CouchError(.internalServerError, error.code.rawValue, error.reason)
        }
    }

    func scheduler(_ request: CouchRequest) async throws -> Response {
        try Self.methodCheck(request, .get, .head)
        try requireServerAdmin(request)
        let path = Array(request.segments.dropFirst())
        let limit = try request.query.int("limit") ?? 100
        let skip = try request.query.int("skip") ?? 0
        func page(_ rows: [JSONObject], _ key: String) -> Response {
            let slice = rows.dropFirst(skip).prefix(max(0, limit))
            return .json([
                "total_rows": .number(JSONNumber(rows.count)), "offset": .number(JSONNumber(min(skip, rows.count))),
                key: .array(slice.map(JSON.object)),
            ])
        }
        switch path.first {
        case "jobs":
            let jobs = replications.jobs()
            guard path.count > 1 else { return page(jobs, "jobs") }
            guard let job = jobs.first(where: { $0["id"]?.stringValue == path[1] }) else { throw CouchError.notFound }
            return .json(.object(job))
        case "docs":
            var documents = replications.documents()
            if path.count > 1, path[1] != ReplicationScheduler.replicatorDatabase { throw CouchError.notFound }
            if path.count > 2 {
                let id = path.dropFirst(2).joined(separator: "/")
                guard let document = documents.first(where: { $0["doc_id"]?.stringValue == id }) else { throw CouchError.notFound }
                return .json(.object(document))
            }
            if let states = request.query["states"] {
                let wanted = Set(states.split(separator: ",").map(String.init))
                documents = documents.filter { wanted.contains($0["state"]?.stringValue ?? "") }
            }
            return page(documents, "docs")
        default:
            throw CouchError(.notFound, "not_found", "not found")
        }
    }
}
