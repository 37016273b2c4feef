import DocStore
import Foundation
import Logging
import Synchronization

/// Runs the server's replications: one-shot and continuous `_replicate` requests, and
/// a persistent job per `_replicator` document (started again after a restart, from
/// its checkpoint). Reports them for `/_scheduler/jobs`, `/_scheduler/docs` and
/// `/_active_tasks`.
///
/// Thread safety: every method may be called from any task.
public final class ReplicationScheduler: Sendable {
    public static let replicatorDatabase = "_replicator"

    let store: DocumentStore
    let nodeUUID: String
    let logger: Logger
    let retry: RetryPolicy
    /// At most this many jobs run at once; the others wait as `pending`.
    let maxJobs: Int
    let state = Mutex(State())

    struct State {
        var jobs: [String: JobRecord] = [:]
        var documents: [String: DocumentRecord] = [:]
        var running = 0
        var watcher: Task<Void, Never>?
    }

    /// A job the scheduler runs: its task and where it came from.
    struct JobRecord: Sendable {
        let key: String
        let job: ReplicationJob
        var task: Task<Void, Never>?
        let documentID: String?
        let user: String?
        var events: [(date: Date, type: String)]
        var pending = false
    }

    public init(store: DocumentStore, nodeUUID: String, logger: Logger, retry: RetryPolicy = RetryPolicy(), maxJobs: Int = 500) {
        self.store = store
        self.nodeUUID = nodeUUID
        self.logger = logger
        self.retry = retry
        self.maxJobs = maxJobs
    }

    /// The peer an endpoint names: a database of this store, or a remote URL.
    public func peer(_ endpoint: ReplicationEndpoint) throws(ReplicationError) -> any ReplicationPeer {
        switch endpoint {
        case .local(let name): LocalPeer(store: store, name: name)
        case .remote(let url, let headers): try HTTPPeer(url: url, headers: headers)
        }
    }

    /// A job for a specification (not yet running); a filter function's code is fetched
    /// from the source first, as it is part of the replication id.
    /// `restartsSessions`: false for `_replicate` jobs, which CouchDB does not restart.
    public func makeJob(_ specification: ReplicationSpecification, restartsSessions: Bool = true) async throws -> ReplicationJob {
        let source = try peer(specification.source)
        return ReplicationJob(
            specification: try await specification.resolvingFilterCode(from: source), source: source,
            target: try peer(specification.target), nodeUUID: nodeUUID, retry: retry, restartsSessions: restartsSessions,
            logger: logger)
    }

    /// Runs a one-shot replication to its end (`POST /_replicate`), listed among the
    /// jobs while it runs. Transient errors are retried per request only: one that
    /// outlasts those retries, or a permanent one (401, 403, a missing database), ends
    /// the job and is the answer, as in CouchDB. - Returns: CouchDB's answer without `ok`.
    public func replicate(_ specification: ReplicationSpecification, user: String? = nil) async throws -> JSONObject {
        let job = try await makeJob(specification, restartsSessions: false)
        let key = "replicate:" + UUIDs.random()
        register(JobRecord(key: key, job: job, task: nil, documentID: nil, user: user, events: [(Date(), "started")]))
        defer { _ = state.withLock { $0.jobs.removeValue(forKey: key) } }
        return try await job.run()
    }

    /// Starts a continuous `_replicate` replication, or finds the one already running
    /// with the same id. - Returns: its job id, at once: as in CouchDB 3.4.3, a missing
    /// or refused database is not checked first; the job fails and is removed.
    public func startContinuous(_ specification: ReplicationSpecification, user: String? = nil) async throws -> String {
        let job = try await makeJob(specification, restartsSessions: false)
        let key = job.id.description
        let started = state.withLock { state -> Bool in
            guard state.jobs[key] == nil else { return false }
            state.jobs[key] = JobRecord(key: key, job: job, task: nil, documentID: nil, user: user, events: [(Date(), "added")])
            return true
        }
        if started { launch(key) }
        return key
    }

    /// Stops a `_replicate` job by id (with or without its `+continuous` suffix) or by
    /// the specification that started it. - Returns: the id. - Throws: `not_found`.
    public func cancel(_ specification: ReplicationSpecification) async throws -> String {
        let wanted: String
        if let id = specification.cancelID {
            wanted = id
        } else {
            wanted = try await makeJob(specification).id.description
        }
        let record = state.withLock { state -> JobRecord? in
            guard let key = state.jobs.keys.first(where: { $0 == wanted || $0.hasPrefix(wanted + "+") }),
                state.jobs[key]?.documentID == nil
            else { return nil }
            return state.jobs.removeValue(forKey: key)
        }
        // CouchDB 3.4.3 answers 404 {"error":"not_found","reason":"missing"}.
        guard let record else { throw ReplicationError(.notFound, "missing") }
        record.task?.cancel()
        return record.key
    }

    func register(_ record: JobRecord) { state.withLock { $0.jobs[record.key] = record } }

    /// Runs a registered continuous `_replicate` job in its own task until it is
    /// cancelled or fails; a failed one is removed, not restarted, as CouchDB treats
    /// transient jobs (couch_replicator_scheduler:handle_crashed_job/3).
    func launch(_ key: String) {
        let task = Task { [weak self] in
            guard let self, let record = state.withLock({ $0.jobs[key] }) else { return }
            guard await acquireSlot(key) else { return }
            event(key, "started")
            defer { releaseSlot() }
            do {
                _ = try await record.job.run()
            } catch {
                logger.error("transient replication \(record.job.id) failed, removing: \(error)")
            }
            state.withLock { state in
                if state.jobs[key]?.job === record.job { state.jobs[key] = nil }
            }
        }
        state.withLock { $0.jobs[key]?.task = task }
    }

    /// Runs a job again and again (it only returns by failing or by cancellation),
    /// waiting for a free slot first. - Returns: the one-shot result, if it completed.
    @discardableResult
    func runUntilCancelled(_ record: JobRecord) async -> JSONObject? {
        var failures = 0
        while !Task.isCancelled {
            guard await acquireSlot(record.key) else { return nil }
            event(record.key, "started")
            defer { releaseSlot() }
            do {
                return try await record.job.run()
            } catch let error as ReplicationError where error.code == .cancelled {
                return nil
            } catch {
                failures += 1
                // Waiting to start again: CouchDB's `crashing`.
                record.job.update { $0.phase = .crashing }
                event(record.key, "crashed")
                logger.warning("replication \(record.job.id) crashed: \(error)")
                try? await Task.sleep(for: retry.delay(attempt: failures) * 4)
            }
        }
        return nil
    }

    /// Waits (as `pending`) until fewer than `maxJobs` jobs run. - Returns: false when cancelled.
    func acquireSlot(_ key: String) async -> Bool {
        while !Task.isCancelled {
            let acquired = state.withLock { state -> Bool in
                guard state.running < maxJobs else {
                    state.jobs[key]?.pending = true
                    return false
                }
                state.running += 1
                state.jobs[key]?.pending = false
                return true
            }
            if acquired { return true }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    func releaseSlot() { state.withLock { $0.running -= 1 } }

    func event(_ key: String, _ type: String) {
        state.withLock { state in
            state.jobs[key]?.events.insert((Date(), type), at: 0)
            if let count = state.jobs[key]?.events.count, count > 20 { state.jobs[key]?.events.removeLast() }
        }
    }

    /// Stops everything (server shutdown).
    public func stop() {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            defer {
                state.jobs.removeAll()
                state.watcher = nil
            }
            return state.jobs.values.compactMap(\.task) + [state.watcher].compactMap { $0 }
        }
        for task in tasks { task.cancel() }
    }
}
