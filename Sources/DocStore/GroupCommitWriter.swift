import Dispatch
import LMDB
import Synchronization

/// The one writer of a database: it drains every waiting request into one LMDB write
/// transaction and one fsync (group commit), then answers each request.
///
/// A request that throws is undone alone (the batch runs again without it) and the
/// others in its batch still commit. Results are delivered only after the commit (and
/// its fsync) returned: a success means the data is on disk.
///
/// Write transactions must not span an `await` (LMDB's writer lock is tied to the
/// thread), so batches run synchronously on a serial dispatch queue, never on the
/// Swift concurrency pool.
final class GroupCommitWriter: Sendable {
    /// Work for one request; may run more than once (after map growth), so it must
    /// derive everything from the transaction and `BatchState`.
    typealias Work = @Sendable (Transaction, inout BatchState) throws -> Void

    private struct Job: Sendable {
        let work: Work
        /// Called once after the batch ended: with nil on commit, or the batch's error.
        let finish: @Sendable (Error?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    private let environment: Environment
    private let tables: Tables
    /// Called on the writer queue after each commit with the state it committed.
    private let didCommit: @Sendable (BatchState) -> Void

    init(label: String, environment: Environment, tables: Tables, didCommit: @escaping @Sendable (BatchState) -> Void) {
        self.queue = DispatchQueue(label: "divan.writer.\(label)")
        self.environment = environment
        self.tables = tables
        self.didCommit = didCommit
    }

    /// Runs `work` in the next batch and returns its result once the batch is durable.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Transaction, inout BatchState) throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, Error>?>(nil)
            let job = Job(
                work: { txn, batch in
                    do {
                        let value = try work(txn, &batch)
                        outcome.withLock { $0 = .success(value) }
                    } catch {
                        outcome.withLock { $0 = .failure(error) }
                        throw error
                    }
                },
                finish: { batchError in
                    if let batchError {
                        continuation.resume(throwing: batchError)
                    } else {
                        continuation.resume(with: outcome.withLock { $0 } ?? .failure(DocStoreError(.storage, "lost result")))
                    }
                })
            let startDrain = state.withLock { state -> Bool in
                state.pending.append(job)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDrain { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let jobs = state.withLock { state -> [Job] in
                let jobs = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if jobs.isEmpty { state.draining = false }
                return jobs
            }
            if jobs.isEmpty { return }
            run(jobs)
        }
    }

    /// Runs a batch. A job that throws is taken out and the batch runs again without
    /// it (its writes so far are undone with the aborted transaction): failures are rare,
    /// and this keeps the common path free of nested transactions, which cost LMDB a
    /// large allocation each.
    private func run(_ jobs: [Job]) {
        var active = jobs
        while !active.isEmpty {
            do {
                let committed = try environment.write { txn -> BatchState in
                    var batch = try BatchState(loading: txn, tables: tables)
                    for (index, job) in active.enumerated() {
                        do {
                            try job.work(txn, &batch)
                        } catch let error as LMDBError where error == .mapFull {
                            throw error
                        } catch {
                            throw JobFailure(index: index)
                        }
                    }
                    try batch.save(txn, tables: tables)
                    return batch
                }
                didCommit(committed)
                for job in active { job.finish(nil) }
                return
            } catch let failure as JobFailure {
                // The job recorded its own error; it is answered once the rest commits.
                let failed = active.remove(at: failure.index)
                failed.finish(nil)
            } catch {
                for job in active { job.finish(DocStoreError(.storage, "write failed: \(error)")) }
                return
            }
        }
    }

    private struct JobFailure: Error { let index: Int }
}
