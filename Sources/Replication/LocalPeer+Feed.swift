import DocStore

extension LocalPeer {
    public func changes(_ request: ChangesRequest) async throws -> ChangesPage {
        let database = try database()
        let notifications = database.commitNotifications()
        var page = try read(database, request)
        guard case .longpoll(let timeout) = request.feed, page.changes.isEmpty else { return page }
        // Nothing yet: wait for a commit (or the timeout), then read again.
        let deadline = ContinuousClock.now + .milliseconds(timeout)
        var since = request
        while page.changes.isEmpty, ContinuousClock.now < deadline {
            guard try await Self.waitForCommit(notifications, until: deadline) else { break }
            since.since = page.lastSequence
            page = try read(database, since)
        }
        return page
    }

    /// Waits for the next commit notification. - Returns: false at the deadline.
    static func waitForCommit(_ notifications: AsyncStream<UInt64>, until deadline: ContinuousClock.Instant) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = notifications.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Reads one page in one snapshot: up to `limit` rows that pass the filter.
    func read(_ database: DocumentDatabase, _ request: ChangesRequest) throws(ReplicationError) -> ChangesPage {
        var options = ChangesOptions()
        options.since = request.since.integerPrefix ?? 0
        options.allLeaves = request.allLeaves
        var selector: Selector?
        var function: DocumentFilter?
        switch request.filter {
        case .documentIDs(let ids)?: options.documentIDs = Set(ids.map { ExactString($0) })
        case .selector(let json)?:
            do {
                selector = try Selector(json)
            } catch {
                throw ReplicationError(.badRequest, "invalid selector: \(error)")
            }
            options.includeDocuments = true
        case .function(let name, let parameters)?:
            do {
                function = try DocumentFilter(name, view: parameters["view"]?.stringValue, request: Self.filterRequest(database, parameters), in: database)
            } catch {
                throw Self.map(error)
            }
            options.includeDocuments = true
        case nil: break
        }
        var rows: [PeerChange] = []
        var last = options.since
        var limited = false
        let end: UInt64
        do {
            end = try database.changes(options) { change in
                last = change.sequence
                if let selector, !(change.document.map(selector.matches) ?? false) { return true }
                if let function, try !(change.document.map(function.accepts) ?? false) { return true }
                rows.append(PeerChange(
                    sequence: PeerSequence(.number(JSONNumber(change.sequence))), id: change.id,
                    revisions: change.revisions, deleted: change.deleted))
                if rows.count >= request.limit {
                    limited = true
                    return false
                }
                return true
            }
        } catch {
            throw Self.map(error)
        }
        let through = limited ? last : max(last, end)
        let pending = try? database.pendingChanges(after: through)
        return ChangesPage(changes: rows, lastSequence: PeerSequence(.number(JSONNumber(through))), pending: pending)
    }

    public func write(_ revisions: [FetchedRevision]) async throws -> [WriteFailure] {
        let database = try database()
        var updates: [DocumentUpdate] = []
        var failures: [WriteFailure] = []
        for revision in revisions {
            do throws(DocStoreError) {
                updates.append(try DocumentUpdate(json: revision.json))
            } catch {
                failures.append(WriteFailure(id: revision.id, revision: revision.revision.description, error: error.code.rawValue, reason: error.reason))
            }
        }
        let batch = updates
        let results = try await engine { () throws(DocStoreError) in try await database.update(batch, newEdits: false) }
        for (update, result) in zip(updates, results) {
            if let error = result.error {
                failures.append(WriteFailure(id: result.id, revision: update.revision?.description, error: error.code.rawValue, reason: error.reason))
            }
        }
        return failures
    }

    public func write(_ revision: FetchedRevision, attachments: [OutgoingAttachment]) async throws {
        let database = try database()
        var json = revision.json
        var stubs = JSONObject()
        var staged: [(name: String, input: AttachmentInput)] = []
        var revpos: [ExactString: Int] = [:]
        for attachment in attachments {
            switch attachment {
            case .stub(let stub):
                stubs[stub.name] = stub.json(follows: false)
            case .body(let stub, _, let bytes):
                let upload = try await database.stageAttachment(
                    bytes, contentType: stub.contentType, encoding: stub.encoding, identityLength: stub.length)
                staged.append((stub.name, .staged(contentType: stub.contentType, upload)))
                if stub.revpos >= 1 { revpos[ExactString(stub.name)] = stub.revpos }
            }
        }
        json["_attachments"] = stubs.isEmpty ? nil : .object(stubs)
        let prepared = try await engine { () throws(DocStoreError) in
            var update = try DocumentUpdate(json: json)
            update.attachments += staged
            update.attachmentRevpos.merge(revpos) { $1 }
            return update
        }
        let result = try await engine { () throws(DocStoreError) in try await database.update([prepared], newEdits: false)[0] }
        if let error = result.error { throw Self.map(error) }
    }
}

extension LocalPeer {
    /// The `req` a filter function sees when a replication reads this database directly:
    /// the replication's `query_params` as `query`, run as a nameless admin (CouchDB
    /// passes the replication's user; a local source has no HTTP request to describe).
    static func filterRequest(_ database: DocumentDatabase, _ parameters: JSONObject) throws(DocStoreError) -> JSONObject {
        var userContext = DocumentDatabase.internalUserContext
        userContext["db"] = .string(database.name)
        return [
            "info": ["db_name": .string(database.name)], "id": .null, "method": "GET", "path": [.string(database.name), "_changes"],
            "query": .object(parameters), "headers": [:], "body": "undefined", "form": [:], "cookie": [:],
            "userCtx": .object(userContext), "secObj": .object(try database.security()),
        ]
    }
}
