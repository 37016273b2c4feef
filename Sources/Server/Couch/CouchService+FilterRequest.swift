import DocStore
import Foundation
import HTTPTypes

/// The `req` object filter functions see, as CouchDB's `chttpd_external:json_req_obj`
/// builds it.
extension CouchService {
    /// `info` (the database's info), `uuid`, `id` (null), `method`, `requested_path`,
    /// `path`, `raw_path`, `query`, `headers`, `body` ("undefined" without one), `peer`,
    /// `form`, `cookie`, `userCtx` (with `db`) and `secObj`.
    func filterRequest(_ database: DocumentDatabase, _ request: CouchRequest, body: JSONObject) throws -> JSONObject {
        let rawPath = request.request.uri.description
        var query = JSONObject()
        for (name, value) in request.query.pairs { query[name] = .string(value) }
        var headers = JSONObject()
        for field in request.headers { headers[field.name.canonicalName] = .string(field.value) }
        var cookies = JSONObject()
        for part in (request.headers[.cookie] ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[pair[0].trimmingCharacters(in: .whitespaces)] = .string(String(pair[1])) }
        }
        var userContext = request.user.writer
        userContext["db"] = .string(database.name)
        return [
            "info": Self.infoJSON(try database.info()),
            "uuid": .string(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()),
            "id": .null,
            "method": .string(request.method.rawValue),
            "requested_path": .array(rawPath.split(separator: "/").map { .string(String($0)) }),
            "path": .array(request.segments.map(JSON.string)),
            "raw_path": .string(rawPath),
            "query": .object(query),
            "headers": .object(headers),
            "body": .string(request.method == .post ? JSON.object(body).serializedString : "undefined"),
            "peer": "127.0.0.1",
            "form": [:],
            "cookie": .object(cookies),
            "userCtx": .object(userContext),
            "secObj": .object(try database.security()),
        ]
    }
}
