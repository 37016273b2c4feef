import DocStore
import Foundation

/// `_replicator` documents: each one is a persistent job. Creating a document starts
/// it, changing it restarts it, deleting it stops it. A one-shot job that completes
/// (or a document that cannot run) is marked in the document itself
/// (`_replication_state`, as CouchDB does) and is not run again.
extension ReplicationScheduler {
    /// What the scheduler knows of one `_replicator` document.
    struct DocumentRecord: Sendable {
        /// The document minus its `_rev` and `_replication_*` members: a change to
        /// anything else restarts the job.
        var fingerprint: JSON
        var state: String
        var reason: String?
        var jobKey: String?
        var specification: ReplicationSpecification?
        var jobID: String?
        var lastUpdated = Date()
        var startTime = Date()
        var statistics: ReplicationStatistics?
    }

    /// Starts watching `_replicator`: the documents there now start their jobs, later
    /// changes are followed until `stop()`.
    public func start() {
        let task = Task { [weak self] () -> Void in
            guard let self else { return }
            await self.watchDocuments()
        }
        state.withLock { $0.watcher = task }
    }

    private func watchDocuments() async {
        guard let database = try? store.database(Self.replicatorDatabase) else { return }
        let notifications = database.commitNotifications()
        var since: UInt64 = 0
        var iterator = notifications.makeAsyncIterator()
        while !Task.isCancelled {
            var options = ChangesOptions()
            options.since = since
            options.includeDocuments = true
            guard let read = try? database.changes(options) else { return }
            for change in read.changes { await handle(change, database) }
            since = read.lastSequence
            guard await iterator.next() != nil else { return }
        }
    }

    func handle(_ change: Change, _ database: DocumentDatabase) async {
        let id = change.id
        guard !id.hasPrefix("_design/") else { return }
        guard !change.deleted, let document = change.document else {
            stopDocumentJob(id)
            _ = state.withLock { $0.documents.removeValue(forKey: id) }
            return
        }
        var json = document.json()
        let terminal = json["_replication_state"]?.stringValue
        for key in json.keys where key == "_rev" || key.hasPrefix("_replication_") { json[key] = nil }
        let fingerprint = JSON.object(json)
        if let known = state.withLock({ $0.documents[id] }), known.fingerprint == fingerprint { return }
        stopDocumentJob(id)
        let specification: ReplicationSpecification
        do {
            specification = try ReplicationSpecification(json: json)
            guard !specification.cancel else { throw ReplicationError(.badRequest, "cancel is only for _replicate") }
            _ = try await makeJob(specification)
        } catch {
            let reason = (error as? ReplicationError)?.reason ?? "\(error)"
            record(id, DocumentRecord(fingerprint: fingerprint, state: "failed", reason: reason))
            if terminal != "failed" { await mark(id, database, ["_replication_state": "failed", "_replication_state_reason": .string(reason)]) }
            return
        }
        if terminal == "completed" || terminal == "failed" {
            record(id, DocumentRecord(fingerprint: fingerprint, state: terminal!, specification: specification))
            return
        }
        let job: ReplicationJob
        do { job = try await makeJob(specification) } catch { return }
        let key = "doc:" + id
        record(id, DocumentRecord(fingerprint: fingerprint, state: "initializing", jobKey: key, specification: specification, jobID: job.id.description))
        register(JobRecord(key: key, job: job, task: nil, documentID: id, user: nil, events: [(Date(), "added")]))
        let task = Task { [weak self] in
            guard let self, let record = self.state.withLock({ $0.jobs[key] }) else { return }
            guard let result = await self.runUntilCancelled(record) else { return }
            // A one-shot job completed: say so in the document, and forget the job.
            let statistics = record.job.progress.sessionStatistics
            state.withLock { state in
                _ = state.jobs.removeValue(forKey: key)
                state.documents[id]?.state = "completed"
                state.documents[id]?.statistics = statistics
                state.documents[id]?.lastUpdated = Date()
            }
            _ = result
            await mark(id, database, ["_replication_state": "completed", "_replication_stats": .object(statistics.json)])
        }
        state.withLock { $0.jobs[key]?.task = task }
    }

    private func record(_ id: String, _ record: DocumentRecord) {
        state.withLock { $0.documents[id] = record }
    }

    private func stopDocumentJob(_ id: String) {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.jobs.removeValue(forKey: "doc:" + id)?.task
        }
        task?.cancel()
    }

    /// Writes the terminal state into the document (an ordinary edit of the version
    /// seen; when someone edited it meanwhile, their version wins and is processed).
    private func mark(_ id: String, _ database: DocumentDatabase, _ fields: JSONObject) async {
        guard let current = try? database.document(id) else { return }
        var body = current.fields()
        for (key, value) in fields { body[key] = value }
        body["_replication_state_time"] = .string(Self.iso8601(Date()))
        var update = DocumentUpdate(id: id, revision: current.revision, body: body)
        update.attachments = current.attachments.map { ($0.name, .stub(digest: $0.digest)) }
        _ = try? await database.put(update)
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
