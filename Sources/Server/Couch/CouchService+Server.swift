import DocStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Server-wide endpoints: `/`, `/_up`, `/_all_dbs`, `/_dbs_info`, `/_uuids`,
/// `/_membership`, `/_active_tasks`, `/_session`, `/_db_updates`, `/_node/...`.
extension CouchService {
    func welcome(_ request: CouchRequest) throws -> Response {
        try Self.methodCheck(request, .get, .head)
        return .json([
            "couchdb": "Welcome", "version": "3.4.3", "git_sha": "divan", "uuid": .string(identity.uuid),
            "features": ["access-ready", "partitioned", "pluggable-storage-engines", "reshard", "scheduler"],
            "vendor": ["name": "Divan", "version": .string(DivanVersion.string)],
        ])
    }

    func serverEndpoint(_ name: String, _ request: CouchRequest) async throws -> Response {
        switch name {
        case "_up":
            try Self.methodCheck(request, .get, .head)
            return .json(["status": "ok", "seeds": [:]])
        case "_session":
            return try await session(request)
        case "_utils":
            throw CouchError(.notFound, "not_found", "Fauxton is not part of Divan")
        case "_uuids", "_replicate":
            // Divan asks credentials for `_uuids` (README); `_replicate` checks them itself.
            try requireUser(request)
        default:
            // Every other server endpoint is for server admins, and so is an unknown
            // `_name`: CouchDB answers anyone else "You are not a server admin.".
            try requireServerAdmin(request)
        }
        switch name {
        case "_all_dbs":
            try Self.methodCheck(request, .get, .head)
            return .json(.array(try allDatabaseNames(request).map(JSON.string)), validatedFor: request)
        case "_dbs_info":
            return try await databasesInfo(request)
        case "_uuids":
            try Self.methodCheck(request, .get)
            var count = 1
            if let text = request.query["count"] {
                guard let number = Int(text), number >= 0 else { throw CouchError.badRequest("count must be a positive integer") }
                count = number
            }
            guard count <= settings.current.maxUUIDCount else { throw CouchError.badRequest("count parameter too large") }
            // CouchDB asks every cache not to keep them.
            return .json(["uuids": .array((0..<count).map { _ in .string(UUIDs.sequential()) })], validatedFor: request, headers: [
                .cacheControl: "no-cache", HTTPField.Name("Pragma")!: "no-cache", .expires: "Mon, 01 Jan 1990 00:00:00 GMT",
            ])
        case "_membership":
            try Self.methodCheck(request, .get)
            let node: JSON = .string("divan@127.0.0.1")
            return .json(["all_nodes": [node], "cluster_nodes": [node]])
        case "_active_tasks":
            try Self.methodCheck(request, .get)
            return .json(.array((replications.activeTasks() + store.mangoBuildTasks.activeTasks() + store.viewBuildTasks.activeTasks()).map(JSON.object)))
        case "_db_updates":
            return try await databaseUpdates(request)
        case "_node":
            return try await nodeEndpoint(request)
        case "_replicate":
            return try await replicate(request)
        case "_scheduler":
            return try await scheduler(request)
        default:
            // CouchDB takes an unknown `_name` for a database: missing, or illegal to create.
            guard request.method == .put else { throw CouchError.databaseNotFound }
            throw CouchError(.badRequest, "illegal_database_name", "Name: '\(name)'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter.")
        }
    }

    func allDatabaseNames(_ request: CouchRequest) throws -> [String] {
        let query = request.query
        return store.allDatabases(
            startKey: try query.jsonString("start_key", "startkey"), endKey: try query.jsonString("end_key", "endkey"),
            inclusiveEnd: try query.bool("inclusive_end", default: true), descending: try query.bool("descending"),
            limit: try query.int("limit"), skip: try query.int("skip") ?? 0)
    }

    private func databasesInfo(_ request: CouchRequest) async throws -> Response {
        let names: [String]
        if request.method == .post {
            let body = try await request.jsonObjectBody()
            guard let keysValue = body["keys"] else { throw CouchError.badRequest("`keys` member must exist.") }
            guard let keys = keysValue.arrayValue else { throw CouchError.badRequest("`keys` member must be an array.") }
            names = keys.compactMap(\.stringValue)
        } else {
            try Self.methodCheck(request, .get)
            names = try allDatabaseNames(request)
        }
        let rows: [JSON] = names.map { name in
            if let info = try? store.database(name).info() {
                return ["key": .string(name), "info": Self.infoJSON(info)]
            }
            return ["key": .string(name), "error": "not_found"]
        }
        return .json(.array(rows))
    }

    static func infoJSON(_ info: DatabaseInfo) -> JSON {
        [
            "db_name": .string(info.name), "purge_seq": .string(WireSequence.format(info.purgeSequence)),
            "update_seq": .string(WireSequence.format(info.updateSequence)),
            "sizes": ["file": .number(JSONNumber(info.fileSize)), "external": .number(JSONNumber(info.externalSize)),
                      "active": .number(JSONNumber(info.activeSize))],
            "props": info.isPartitioned ? ["partitioned": true] : [:], "doc_del_count": .number(JSONNumber(info.deletedCount)),
            "doc_count": .number(JSONNumber(info.documentCount)), "disk_format_version": 8, "compact_running": false,
            "cluster": ["q": 1, "n": 1, "w": 1, "r": 1], "instance_start_time": "0",
        ]
    }

    private func nodeEndpoint(_ request: CouchRequest) async throws -> Response {
        let segments = request.segments
        guard segments.count >= 2, ["_local", "divan@127.0.0.1"].contains(segments[1]) else {
            throw CouchError(.notFound, "not_found", "missing")
        }
        try requireServerAdmin(request)
        switch segments.dropFirst(2).first {
        case "_config":
            return try await configEndpoint(request, Array(segments.dropFirst(3)))
        case "_stats":
            return .json(metrics.stats(openDatabases: store.openDatabaseCount))
        case "_prometheus":
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.prometheus(openDatabases: store.openDatabaseCount))))
        case nil:
            return .json(["name": "divan@127.0.0.1"])
        default:
            throw CouchError(.notFound, "not_found", "missing")
        }
    }
}

/// Update sequences on the wire: opaque strings that start with the integer, as
/// CouchDB 3's are; `since` also takes plain integers and `now`.
enum WireSequence {
    static func format(_ value: UInt64) -> String { "\(value)-divan" }

    /// Parses a `since` value: an integer, `now` (the current sequence), or one of ours.
    static func parse(_ text: String?, now: () throws -> UInt64) throws -> UInt64 {
        guard let text, !text.isEmpty else { return 0 }
        if text == "now" { return try now() }
        var digits = text
        if let parsed = try? JSON.parse(text) {
            if let number = parsed.int64Value {
                guard number >= 0 else { throw CouchError.badRequest("Malformed sequence supplied in 'since' parameter.") }
                return UInt64(number)
            }
            if let string = parsed.stringValue { digits = string }
        }
        let prefix = digits.prefix { $0.isNumber }
        guard let value = UInt64(prefix) else { throw CouchError.badRequest("Malformed sequence supplied in 'since' parameter.") }
        return value
    }
}
