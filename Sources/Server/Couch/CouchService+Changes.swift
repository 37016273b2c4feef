import DocStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `_changes`: normal, longpoll, continuous and eventsource feeds, streamed.
extension CouchService {
    /// One parsed `_changes` request.
    struct ChangesRequest: Sendable {
        var feed = "normal"
        var options = ChangesOptions()
        var limit: Int?
        var timeout = 60_000
        var heartbeat: Int?
        var sequenceInterval = 1
        var filter: ChangeFilter = .none
    }

    func changes(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .get, .post, .head)
        let parsed = try await parseChanges(database, request)
        switch parsed.feed {
        case "normal":
            return .json(try normalChanges(database, parsed), validatedFor: request)
        case "longpoll":
            return try await longpollChanges(database, parsed)
        case "continuous", "eventsource":
            return streamingChanges(database, parsed)
        default:
            throw CouchError.badRequest("Supported `feed` types: normal, continuous, live, longpoll, eventsource")
        }
    }

    private func parseChanges(_ database: DocumentDatabase, _ request: CouchRequest) async throws -> ChangesRequest {
        let query = request.query
        var parsed = ChangesRequest()
        parsed.feed = query["feed"] ?? "normal"
        if parsed.feed == "live" { parsed.feed = "continuous" }
        var body = JSONObject()
        if request.method == .post, request.headers[.contentLength] != "0" {
            let bytes = try await request.bodyBytes()
            if !bytes.isEmpty {
                guard let object = (try? JSON.parse(bytes))?.objectValue else { throw CouchError.invalidJSON }
                body = object
            }
        }
        let since = query["since"] ?? request.headers[HTTPField.Name("Last-Event-ID")!]
        parsed.options.since = try WireSequence.parse(since) { try database.updateSequence() }
        parsed.options.descending = try query.bool("descending")
        // CouchDB reads a negative limit as no limit at all.
        if let text = query["limit"], let value = Int(text), value < 0 {
            parsed.limit = nil
        } else {
            parsed.limit = try query.int("limit")
        }
        parsed.options.allLeaves = query["style"] == "all_docs"
        parsed.options.includeDocuments = try query.bool("include_docs")
        parsed.options.conflicts = try query.bool("conflicts")
        parsed.options.documentOptions.attachments = try query.bool("attachments")
        parsed.options.documentOptions.attachmentEncodingInfo = try query.bool("att_encoding_info")
        parsed.timeout = try milliseconds(query, "timeout", default: 60_000)
        parsed.heartbeat = try heartbeatMilliseconds(query)
        parsed.sequenceInterval = max(1, try query.int("seq_interval") ?? 1)
        if let name = query["filter"], !name.hasPrefix("_") {
            // CouchDB looks the design document up first: a missing one is a 404.
            let parts = name.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else {
                throw CouchError.badRequest("`filter` must be of the form `designname/filtername`")
            }
            _ = try database.document("_design/" + parts[0])
        }
        parsed.filter = try ChangeFilter.parse(query: query, body: request.method == .post ? body : nil) { name, view in
            try DocumentFilter(name, view: view, request: try filterRequest(database, request, body: body), in: database)
        }
        if case .documentIDs(let ids) = parsed.filter { parsed.options.documentIDs = ids }
        if case .design = parsed.filter { parsed.options.designDocumentsOnly = true }
        if parsed.filter.needsDocuments { parsed.options.includeDocuments = true }
        return parsed
    }

    /// Reads changes after `since` that pass the filter, up to `limit` rows; returns the
    /// rows and the last sequence read (filtered-out rows still advance it).
    private func readChanges(_ database: DocumentDatabase, _ parsed: ChangesRequest, since: UInt64, limit: Int?) throws
        -> (rows: [Change], last: UInt64, limited: Bool, scanned: Int)
    {
        var options = parsed.options
        options.since = since
        var rows: [Change] = []
        var limited = false
        var last = since
        var scanned = 0
        let end = try database.changes(options) { change in
            last = change.sequence
            scanned += 1
            if try parsed.filter.accepts(change) { rows.append(change) }
            if let limit, rows.count >= limit {
                limited = true
                return false
            }
            return true
        }
        return (rows, limited || parsed.options.descending ? last : max(last, end), limited, scanned)
    }

    /// CouchDB's `pending` (fabric_rpc:changes/4): the changes after the start, all of
    /// them when descending (where CouchDB ignores `since`), less those its enumeration
    /// went through. A fold goes through every change, passing or not, up to the last one
    /// read; `_design` and a short `_doc_ids` list are looked up by id instead
    /// (couch_changes:send_lookup_changes/6), so only the rows sent count.
    private func pending(_ database: DocumentDatabase, _ parsed: ChangesRequest, since: UInt64, _ read: (rows: [Change], last: UInt64, limited: Bool, scanned: Int)) throws -> Int {
        let lookedUp: Bool
        switch parsed.filter {
        case .design: lookedUp = true
        case .documentIDs(let ids): lookedUp = ids.count <= DocumentDatabase.documentIDLookupLimit
        default: lookedUp = false
        }
        if parsed.options.descending {
            return max(0, try database.pendingChanges(after: 0) - (lookedUp ? read.rows.count : read.scanned))
        }
        if lookedUp { return max(0, try database.pendingChanges(after: since) - read.rows.count) }
        return try database.pendingChanges(after: read.last)
    }

    private func rowJSON(_ change: Change, _ parsed: ChangesRequest, index: Int, isLast: Bool) -> JSON {
        var row = JSONObject()
        row["seq"] = index % parsed.sequenceInterval == parsed.sequenceInterval - 1 || isLast || parsed.sequenceInterval == 1
            ? .string(WireSequence.format(change.sequence)) : .null
        row["id"] = .string(change.id)
        row["changes"] = .array(change.revisions.map { ["rev": .string($0.description)] })
        if change.deleted { row["deleted"] = true }
        if parsed.filter.userAskedForDocuments || parsed.options.includeDocuments && !parsed.filter.needsDocuments {
            row["doc"] = change.document.map { .object($0.json()) } ?? .null
        }
        return .object(row)
    }

    private func normalChanges(_ database: DocumentDatabase, _ parsed: ChangesRequest) throws -> JSON {
        // CouchDB reads nothing for a limit below 1 and reports what is left after `since`.
        if let limit = parsed.limit, limit < 1 {
            let pending = try database.pendingChanges(after: parsed.options.since)
            return ["results": [], "last_seq": .string(WireSequence.format(parsed.options.since)), "pending": .number(JSONNumber(pending))]
        }
        let read = try readChanges(database, parsed, since: parsed.options.since, limit: parsed.limit)
        let (rows, last) = (read.rows, read.last)
        let results = rows.enumerated().map { rowJSON($1, parsed, index: $0, isLast: $0 == rows.count - 1) }
        let pending = try pending(database, parsed, since: parsed.options.since, read)
        return ["results": .array(results), "last_seq": .string(WireSequence.format(last)), "pending": .number(JSONNumber(pending))]
    }

    private func longpollChanges(_ database: DocumentDatabase, _ parsed: ChangesRequest) async throws -> Response {
        let notifications = database.commitNotifications()
        var since = parsed.options.since
        var answer = try readChanges(database, parsed, since: since, limit: parsed.limit)
        if answer.rows.isEmpty {
            let deadline = ContinuousClock.now + .milliseconds(parsed.timeout)
            answer = try await withFeedEvents(notifications: notifications, tick: .milliseconds(min(parsed.timeout, 1000))) { events in
                while let event = await events.next() {
                    if event == .commit {
                        let read = try readChanges(database, parsed, since: since, limit: parsed.limit)
                        since = read.last
                        if !read.rows.isEmpty { return read }
                    }
                    if ContinuousClock.now >= deadline { break }
                }
                return ([], since, false, 0)
            }
        }
        let results = answer.rows.enumerated().map { rowJSON($1, parsed, index: $0, isLast: $0 == answer.rows.count - 1) }
        let pending = try pending(database, parsed, since: parsed.options.since, answer)
        return .json(["results": .array(results), "last_seq": .string(WireSequence.format(answer.last)), "pending": .number(JSONNumber(pending))])
    }

    private func streamingChanges(_ database: DocumentDatabase, _ parsed: ChangesRequest) -> Response {
        let eventSource = parsed.feed == "eventsource"
        let notifications = database.commitNotifications()
        let body = ResponseBody { writer in
            var since = parsed.options.since
            var sent = 0
            var lastActivity = ContinuousClock.now
            func emit(_ rows: [Change]) async throws {
                for change in rows {
                    let row = self.rowJSON(change, parsed, index: sent, isLast: true)
                    sent += 1
                    let bytes = eventSource
                        ? Array("data: ".utf8) + row.serialized() + Array("\nid: \(WireSequence.format(change.sequence))\n\n".utf8)
                        : row.serialized() + [10]
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
                if !rows.isEmpty { lastActivity = .now }
            }
            func remaining() -> Int? { parsed.limit.map { $0 - sent } }
            let first = try self.readChanges(database, parsed, since: since, limit: remaining())
            since = first.last
            try await emit(first.rows)
            let interval = Duration.milliseconds(max(10, parsed.heartbeat ?? min(parsed.timeout, 1000)))
            if remaining().map({ $0 > 0 }) ?? true {
                try await withFeedEvents(notifications: notifications, tick: interval) { events in
                    while let event = await events.next() {
                        if event == .commit {
                            let read = try self.readChanges(database, parsed, since: since, limit: remaining())
                            since = read.last
                            try await emit(read.rows)
                            if let left = remaining(), left <= 0 { return }
                        } else if let heartbeat = parsed.heartbeat {
                            _ = heartbeat
                            try await writer.write(ByteBuffer(bytes: eventSource ? Array("event: heartbeat\ndata: \n\n".utf8) : [10]))
                        } else if ContinuousClock.now - lastActivity >= .milliseconds(parsed.timeout) {
                            return
                        }
                    }
                }
            }
            if !eventSource {
                let end: JSON = ["last_seq": .string(WireSequence.format(since)), "pending": .number(JSONNumber((try? database.pendingChanges(after: since)) ?? 0))]
                try await writer.write(ByteBuffer(bytes: end.serialized() + [10]))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: eventSource ? "text/event-stream" : "application/json"], body: body)
    }
}
