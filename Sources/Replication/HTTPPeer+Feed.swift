import AsyncHTTPClient
import DocStore
import NIOCore

extension HTTPPeer {
    /// CouchDB's db_open (couch_replicator_api_wrap:db_open/3): 401 and 403 are
    /// `unauthorized` and `forbidden`, any other answer but a database's information is
    /// `db_not_found`; only transient statuses (5xx, 408, 429) are retried.
    public func info() async throws -> PeerInfo {
        let reply = try await request(.GET, "")
        guard reply.isSuccess else { throw openFailure(reply, "GET") }
        guard let json = try? reply.json(), let sequence = json["update_seq"], json["instance_start_time"] != nil else {
            throw ReplicationError(.databaseNotFound, "could not open \(displayName)")
        }
        return PeerInfo(
            updateSequence: PeerSequence(sequence), documentCount: json["doc_count"]?.int64Value.map(Int.init),
            instanceStartTime: json["instance_start_time"]?.stringValue ?? "0")
    }

    /// `create_target`: CouchDB's PUT refuses on 401 and 403 only; whatever else it
    /// answers (412: it exists), the GET that follows decides.
    public func createDatabase() async throws {
        let reply = try await request(.PUT, "")
        guard reply.isSuccess || reply.status == 412 else {
            let failure = openFailure(reply, "PUT (create_target)")
            if failure.code != .databaseNotFound { throw failure }
            return
        }
    }

    /// The error opening (or creating) the database stands for, in CouchDB's words
    /// (couch_replicator_scheduler_job:replication_start_error/1).
    func openFailure(_ reply: HTTPReply, _ what: String) -> ReplicationError {
        switch reply.status {
        case 401: return ReplicationError(.unauthorized, "unauthorized to access or create database \(displayName)")
        case 403: return ReplicationError(.forbidden, displayName)
        case 408, 429, 500...: return failure(reply, what)
        default: return ReplicationError(.databaseNotFound, "could not open \(displayName)")
        }
    }

    public func localDocument(_ id: String) async throws -> JSONObject? {
        let reply = try await request(.GET, "/" + Self.encode(id: id))
        if reply.status == 404 {
            // The database itself may be missing: that is an error, not an absent checkpoint.
            if (try? reply.json())?["reason"]?.stringValue == "Database does not exist." {
                throw ReplicationError(.databaseNotFound, "could not open \(displayName)")
            }
            return nil
        }
        guard reply.isSuccess else { throw failure(reply, "GET \(id)") }
        guard let object = try reply.json().objectValue else { throw ReplicationError(.invalidResponse, "\(id) is not an object") }
        return object
    }

    /// The same GET as a `_local/` document's.
    public func designDocument(_ id: String) async throws -> JSONObject? {
        try await localDocument(id)
    }

    public func saveLocalDocument(_ id: String, _ body: JSONObject) async throws -> String {
        var document = body
        document["_id"] = .string(id)
        let reply = try await request(.PUT, "/" + Self.encode(id: id), json: .object(document))
        guard reply.isSuccess else { throw failure(reply, "PUT \(id)") }
        guard let revision = try reply.json()["rev"]?.stringValue else { throw ReplicationError(.invalidResponse, "PUT \(id) gave no rev") }
        return revision
    }

    public func changes(_ changesRequest: ChangesRequest) async throws -> ChangesPage {
        var query: [(String, String)] = []
        var timeout = TimeAmount.seconds(120)
        switch changesRequest.feed {
        case .normal:
            query.append(("feed", "normal"))
        case .longpoll(let milliseconds):
            query += [("feed", "longpoll"), ("timeout", String(milliseconds))]
            timeout = .milliseconds(Int64(milliseconds)) + .seconds(60)
        }
        if changesRequest.allLeaves { query.append(("style", "all_docs")) }
        query += [("since", changesRequest.since.queryValue), ("limit", String(changesRequest.limit))]
        let reply: HTTPReply
        switch changesRequest.filter {
        case nil:
            reply = try await request(.GET, "/_changes", query: query, timeout: timeout)
        case .documentIDs(let ids)?:
            reply = try await request(
                .POST, "/_changes", query: [("filter", "_doc_ids")] + query, json: ["doc_ids": .array(ids.map(JSON.string))],
                timeout: timeout)
        case .selector(let selector)?:
            reply = try await request(.POST, "/_changes", query: [("filter", "_selector")] + query, json: ["selector": selector], timeout: timeout)
        case .function(let name, let parameters)?:
            // CouchDB's replicator sends `query_params` as query parameters of the feed.
            let extra = parameters.map { key, value in (key, value.stringValue ?? value.serializedString) }
            reply = try await request(.GET, "/_changes", query: [("filter", name)] + extra + query, timeout: timeout)
        }
        guard reply.isSuccess else { throw failure(reply, "_changes") }
        let json = try reply.json()
        guard let results = json["results"]?.arrayValue, let last = json["last_seq"] else {
            throw ReplicationError(.invalidResponse, "_changes of \(displayName) lacks results or last_seq")
        }
        var changes: [PeerChange] = []
        changes.reserveCapacity(results.count)
        for row in results {
            guard let id = row["id"]?.stringValue, let sequence = row["seq"] else { continue }
            let revisions = row["changes"]?.arrayValue?.compactMap { $0["rev"]?.stringValue.flatMap(Revision.init) } ?? []
            changes.append(PeerChange(sequence: PeerSequence(sequence), id: id, revisions: revisions, deleted: row["deleted"]?.boolValue ?? false))
        }
        return ChangesPage(changes: changes, lastSequence: PeerSequence(last), pending: json["pending"]?.int64Value.map(Int.init))
    }

    public func revisionsDiff(_ revisions: [ExactString: [Revision]]) async throws -> [ExactString: RevisionsDiffEntry] {
        var body = JSONObject()
        body.reserveCapacity(revisions.count)
        for (id, list) in revisions { body.appendUnchecked(key: id.string, value: .array(list.map { .string($0.description) })) }
        let reply = try await request(.POST, "/_revs_diff", json: .object(body))
        guard reply.isSuccess else { throw failure(reply, "_revs_diff") }
        guard case .object(let answer) = try reply.json() else { throw ReplicationError(.invalidResponse, "_revs_diff is not an object") }
        var result: [ExactString: RevisionsDiffEntry] = [:]
        for (id, entry) in answer {
            let missing = entry["missing"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Revision.init) } ?? []
            let ancestors = entry["possible_ancestors"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Revision.init) } ?? []
            if !missing.isEmpty { result[ExactString(id)] = RevisionsDiffEntry(missing: missing, possibleAncestors: ancestors) }
        }
        return result
    }

    public func ensureFullCommit() async throws -> String {
        let reply = try await request(.POST, "/_ensure_full_commit", json: [:])
        guard reply.isSuccess else { throw failure(reply, "_ensure_full_commit") }
        return try reply.json()["instance_start_time"]?.stringValue ?? "0"
    }
}
