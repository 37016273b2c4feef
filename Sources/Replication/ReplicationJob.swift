import DocStore
import Foundation
import Logging
import Synchronization

/// One replication from a source to a target, run by `run()`.
///
/// A session verifies both peers (creating the target when asked), finds the newest
/// checkpoint both sides share, then reads the source's changes in batches of
/// `batchSize`, replicating up to `workers` batches at once, and checkpoints after
/// each batch once every earlier batch is done too (so a checkpoint never claims a
/// change that is not on the target). A one-shot job ends when a read finds no more
/// changes; a continuous one long-polls for more until cancelled.
///
/// Transient failures (a dropped connection, a 5xx) are retried per request, then
/// (when `restartsSessions`) by restarting the session from its last checkpoint with
/// exponential backoff. Permanent ones (401, 403, a missing database) end `run()`.
///
/// Thread safety: `progress` may be read from any task while `run()` works.
public final class ReplicationJob: Sendable {
    public let id: ReplicationID
    public let specification: ReplicationSpecification
    public let source: any ReplicationPeer
    public let target: any ReplicationPeer
    public let retry: RetryPolicy
    /// How long a continuous job's changes read waits for a change, in milliseconds.
    public let longpollTimeout: Int
    /// Whether a transient failure that outlasts the request retries restarts the
    /// session. CouchDB does not restart `_replicate` jobs ("transient jobs"): the
    /// error ends them (couch_replicator_scheduler:handle_crashed_job/3).
    public let restartsSessions: Bool
    let logger: Logger
    let state = Mutex(JobProgress())

    public init(
        specification: ReplicationSpecification, source: any ReplicationPeer, target: any ReplicationPeer, nodeUUID: String,
        retry: RetryPolicy = RetryPolicy(), longpollTimeout: Int = 10_000, restartsSessions: Bool = true,
        logger: Logger = Logger(label: "divan.replication")
    ) {
        self.specification = specification
        self.restartsSessions = restartsSessions
        self.source = source
        self.target = target
        self.retry = retry
        self.longpollTimeout = longpollTimeout
        self.logger = logger
        id = ReplicationID(nodeUUID: nodeUUID, source: source, target: target, specification: specification)
    }

    /// A snapshot of the job's counters and phase.
    public var progress: JobProgress { state.withLock { $0 } }

    /// Runs sessions until the replication completes (one-shot) or is cancelled
    /// (continuous), retrying transient failures.
    /// - Returns: CouchDB's answer to a one-shot `_replicate` (without `ok`): the
    ///   checkpoint written last, with `session_id`, `source_last_seq` and `history`.
    /// - Throws: the error that ended the job; `cancelled` when its task was cancelled.
    public func run() async throws -> JSONObject {
        var failures = 0
        while true {
            do {
                let result = try await runSession()
                state.withLock { $0.phase = .completed }
                return result
            } catch {
                let failure = Self.classify(error)
                if failure.code == .cancelled || Task.isCancelled {
                    state.withLock { $0.phase = .cancelled }
                    throw ReplicationError.cancelled
                }
                failures += 1
                let retrying = failure.isTransient && restartsSessions && (specification.continuous || failures <= retry.sessionRetries)
                state.withLock { progress in
                    progress.errorCount += 1
                    progress.lastError = failure
                    progress.phase = retrying ? .crashing : .failed
                }
                logger.warning("replication \(id) (\(source.displayName) → \(target.displayName)) failed: \(failure)\(retrying ? "; retrying" : "")")
                guard retrying else { throw failure }
                do {
                    try await Task.sleep(for: retry.delay(attempt: failures))
                } catch {
                    state.withLock { $0.phase = .cancelled }
                    throw ReplicationError.cancelled
                }
            }
        }
    }

    /// Any error as a replication error: cancellation, ours, or a transient unknown.
    static func classify(_ error: Error) -> ReplicationError {
        if error is CancellationError { return .cancelled }
        if let error = error as? ReplicationError { return error }
        return ReplicationError(.peerUnreachable, "\(error)", transient: true)
    }

    /// One session: set up, then replicate until done (or cancelled).
    func runSession() async throws -> JSONObject {
        state.withLock { $0.phase = .initializing }
        var session = try await ReplicationSession(job: self)
        state.withLock { progress in
            progress.phase = .running
            progress.sessionStatistics = ReplicationStatistics()
            progress.sessionStatistics.checkpointedSourceSequence = session.committed
            progress.sessionStatistics.sourceSequence = session.committed
        }
        logger.notice("replication \(id) (\(source.displayName) → \(target.displayName)) starting from \(session.committed)")
        try await session.replicate()
        return session.result()
    }

    /// Adds a finished batch's counters.
    func record(_ batch: BatchStatistics) {
        state.withLock { progress in
            progress.sessionStatistics = progress.sessionStatistics + batch
            progress.totalStatistics = progress.totalStatistics + batch
        }
    }

    func update(_ body: (inout JobProgress) -> Void) { state.withLock { body(&$0) } }
}

/// Where a job stands: its phase, its counters, its errors.
public struct JobProgress: Sendable {
    public enum Phase: String, Sendable {
        case initializing, running, crashing, completed, failed, cancelled
    }

    public var phase: Phase = .initializing
    /// The current session's counters (what `_active_tasks` shows).
    public var sessionStatistics = ReplicationStatistics()
    /// Counters summed over every session of this job.
    public var totalStatistics = ReplicationStatistics()
    public var errorCount = 0
    public var lastError: ReplicationError?
    public var startTime = Date()
}
