import DocStore
import HTTPTypes
import Hummingbird

/// `/_node/_local/_config[/section[/key]]` and `/_config/_reload`, answered as CouchDB's
/// chttpd_node does; what each key means lives in `RuntimeSettings`.
extension CouchService {
    func configEndpoint(_ request: CouchRequest, _ path: [String]) async throws -> Response {
        func object(_ entries: [String: String]) -> JSON {
            var fields = JSONObject()
            for (key, value) in entries.sorted(by: { $0.key < $1.key }) { fields[key] = .string(value) }
            return .object(fields)
        }
        let persist = request.headers[HTTPField.Name("X-Couch-Persist")!] != "false"
        switch path.count {
        case 0:
            try Self.methodCheck(request, .get)
            var fields = JSONObject()
            for (section, entries) in settings.snapshot().sorted(by: { $0.key < $1.key }) { fields[section] = object(entries) }
            return .json(.object(fields))
        case 1 where path[0] == "_reload":
            try Self.methodCheck(request, .post)
            // Nothing to re-read: every change already took effect when it was made.
            return .json(["ok": true])
        case 1:
            try Self.methodCheck(request, .get)
            return .json(object(settings.snapshot()[path[0]] ?? [:]))
        case 2:
            switch request.method {
            case .get:
                guard let value = settings.snapshot()[path[0]]?[path[1]] else { throw Self.unknownConfigValue }
                return .json(.string(value))
            case .put:
                guard let value = try await request.jsonBody(requireContentType: false).stringValue else {
                    throw CouchError.badRequest("a JSON string expected")
                }
                let old = try settings.set(path[0], path[1], value.trimmingCharacters(in: .whitespacesAndNewlines), persist: persist)
                logger.notice("config \(path[0])/\(path[1]) changed")
                return .json(.string(old))
            case .delete:
                guard let old = try settings.delete(path[0], path[1], persist: persist) else { throw Self.unknownConfigValue }
                logger.notice("config \(path[0])/\(path[1]) deleted")
                return .json(.string(old))
            default:
                throw CouchError.methodNotAllowed("GET,PUT,DELETE")
            }
        default:
            throw CouchError(.notFound, "not_found", "missing")
        }
    }

    static let unknownConfigValue = CouchError(.notFound, "not_found", "unknown_config_value")
}
