import DocStore
import Foundation

/// What `/_scheduler/jobs`, `/_scheduler/docs` and `/_active_tasks` show, in
/// CouchDB 3's shapes.
extension ReplicationScheduler {
    /// CouchDB's scheduler state of a job.
    static func stateName(_ progress: JobProgress, pending: Bool) -> String {
        if pending { return "pending" }
        switch progress.phase {
        case .initializing: return "initializing"
        case .running: return "running"
        case .crashing: return "crashing"
        case .completed: return "completed"
        case .failed, .cancelled: return "failed"
        }
    }

    /// `/_scheduler/jobs` rows, sorted by id.
    public func jobs() -> [JSONObject] {
        let records = state.withLock { Array($0.jobs.values) }
        return records.map { record in
            let progress = record.job.progress
            let history: [JSON] = record.events.map { event in
                var entry: JSONObject = ["timestamp": .string(Self.iso8601(event.date)), "type": .string(event.type)]
                if event.type == "crashed", let error = progress.lastError { entry["reason"] = .string(error.description) }
                return .object(entry)
            }
            // A job waiting to start again after a crash has no process and no task info.
            let waiting = progress.phase == .crashing || progress.phase == .failed
            return [
                "id": .string(record.job.id.description), "pid": waiting ? .null : .string("<divan.\(record.key)>"),
                "source": .string(record.job.source.displayName), "target": .string(record.job.target.displayName),
                "database": record.documentID == nil ? .null : .string(Self.replicatorDatabase),
                "user": record.user.map(JSON.string) ?? .null,
                "doc_id": record.documentID.map(JSON.string) ?? .null,
                "info": waiting ? .null : .object(progress.sessionStatistics.json), "history": .array(history),
                "node": "divan@127.0.0.1", "start_time": .string(Self.iso8601(progress.startTime)),
            ]
        }.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
    }

    /// `/_scheduler/docs` rows for `_replicator`, sorted by document id.
    public func documents() -> [JSONObject] {
        let (documents, jobs) = state.withLock { ($0.documents, $0.jobs) }
        return documents.sorted { $0.key < $1.key }.map { id, record in
            var state = record.state
            var info: JSON = record.statistics.map { .object($0.json) } ?? .null
            var errorCount = 0
            var lastUpdated = record.lastUpdated
            var startTime = record.startTime
            if let key = record.jobKey, let job = jobs[key] {
                let progress = job.job.progress
                state = Self.stateName(progress, pending: job.pending)
                info = .object(progress.sessionStatistics.json)
                errorCount = progress.errorCount
                if state == "crashing", let error = progress.lastError { info = .object(["error": .string(error.description)]) }
                lastUpdated = job.events.first?.date ?? lastUpdated
                startTime = progress.startTime
            } else if state == "failed", let reason = record.reason {
                info = .object(["error": .string(reason)])
            }
            var row: JSONObject = [
                "database": .string(Self.replicatorDatabase), "doc_id": .string(id),
                "id": record.jobID.map(JSON.string) ?? .null, "node": "divan@127.0.0.1",
                "source": record.specification.map { .string(Self.databaseURI($0.source)) } ?? .null,
                "target": record.specification.map { .string(Self.databaseURI($0.target)) } ?? .null,
                "state": .string(state), "info": info, "error_count": .number(JSONNumber(errorCount)),
                "last_updated": .string(Self.iso8601(lastUpdated)), "start_time": .string(Self.iso8601(startTime)),
            ]
            // CouchDB lists the proxies of documents the scheduler holds a job for.
            if record.jobKey != nil, state != "completed" { row["source_proxy"] = .null; row["target_proxy"] = .null }
            return row
        }
    }

    /// An endpoint as CouchDB shows it (couch_replicator_api_wrap:db_uri/1): a URL
    /// without credentials, ending in a slash.
    static func databaseURI(_ endpoint: ReplicationEndpoint) -> String {
        let name = endpoint.displayName
        guard case .remote = endpoint, !name.hasSuffix("/") else { return name }
        return name + "/"
    }

    /// `/_active_tasks` entries of running replications.
    public func activeTasks() -> [JSONObject] {
        let records = state.withLock { Array($0.jobs.values) }
        return records.compactMap { record -> JSONObject? in
            let progress = record.job.progress
            guard progress.phase == .running || progress.phase == .initializing else { return nil }
            let started = JSON.number(JSONNumber(Int(progress.startTime.timeIntervalSince1970)))
            var task: JSONObject = [
                "type": "replication", "replication_id": .string(record.job.id.description), "node": "divan@127.0.0.1",
                "pid": .string("<divan.\(record.key)>"), "source": .string(record.job.source.displayName),
                "target": .string(record.job.target.displayName), "continuous": .bool(record.job.specification.continuous),
                "database": record.documentID == nil ? .null : .string(Self.replicatorDatabase),
                "doc_id": record.documentID.map(JSON.string) ?? .null, "user": record.user.map(JSON.string) ?? .null,
                "started_on": started, "updated_on": .number(JSONNumber(Int(Date().timeIntervalSince1970))),
                "checkpoint_interval": 0, "bulk_get_docs": 0, "bulk_get_attempts": 0,
            ]
            for (key, value) in progress.sessionStatistics.json { task[key] = value }
            return task
        }
    }
}
