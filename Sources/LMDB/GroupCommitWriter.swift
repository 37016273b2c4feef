import Dispatch
import Synchronization

/// The one writer of an environment: it drains every waiting job into one write
/// transaction and one fsync (group commit), then answers each job.
///
/// Each batch starts with `begin` (state the jobs share, e.g. counters read from the
/// transaction) and ends with `end` before the commit. A job that throws is undone
/// alone: the batch runs again without it (the aborted transaction undid its writes).
/// Failures are rare, and this keeps the common path free of nested transactions, which
/// cost LMDB a large allocation each. Results are delivered only after the commit and
/// its fsync returned: a success means the data is on disk.
///
/// Write transactions must not span an `await` (LMDB's writer lock is tied to the
/// thread), so batches run synchronously on a serial dispatch queue, never on the Swift
/// concurrency pool. Jobs must be quick and must not block on anything but LMDB.
public final class GroupCommitWriter<Batch: Sendable>: Sendable {
    private struct Job: Sendable {
        /// May run more than once (after map growth, or when another job of its batch
        /// failed), so it derives everything from the transaction and its inputs.
        let work: @Sendable (Transaction, inout Batch) throws -> Void
        /// Called once after the batch ended: with nil on commit, or the batch's error.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue
    private let environment: Environment
    private let begin: @Sendable (Transaction) throws -> Batch
    private let end: @Sendable (Transaction, Batch) throws -> Void
    private let didCommit: @Sendable (Batch) -> Void
    private let commitFailure: @Sendable (any Error) -> any Error

    /// - Parameters:
    ///   - begin: makes each batch's shared state inside its transaction.
    ///   - end: runs last in each batch's transaction (e.g. saves counters).
    ///   - didCommit: runs on the writer's queue after each commit.
    ///   - commitFailure: the error jobs get when the batch itself failed.
    public init(
        label: String, environment: Environment,
        begin: @escaping @Sendable (Transaction) throws -> Batch,
        end: @escaping @Sendable (Transaction, Batch) throws -> Void = { _, _ in },
        didCommit: @escaping @Sendable (Batch) -> Void = { _ in },
        commitFailure: @escaping @Sendable (any Error) -> any Error = { $0 }
    ) {
        queue = DispatchQueue(label: label)
        self.environment = environment
        self.begin = begin
        self.end = end
        self.didCommit = didCommit
        self.commitFailure = commitFailure
    }

    /// Runs `work` in the next batch and returns its result once the batch is durable.
    /// - Throws: what `work` threw, or `commitFailure` of the batch's error.
    public func submit<T: Sendable>(_ work: @escaping @Sendable (Transaction, inout Batch) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, any Error>?>(nil)
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
                    } else if let result = outcome.withLock({ $0 }) {
                        continuation.resume(with: result)
                    } else {
                        continuation.resume(throwing: LMDBError(code: -1))
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

    private func run(_ jobs: [Job]) {
        var active = jobs
        while !active.isEmpty {
            do {
                let committed = try environment.write { txn -> Batch in
                    var batch = try begin(txn)
                    for (index, job) in active.enumerated() {
                        do {
                            try job.work(txn, &batch)
                        } catch let error as LMDBError where error == .mapFull {
                            throw error
                        } catch {
                            throw JobFailure(index: index)
                        }
                    }
                    try end(txn, batch)
                    return batch
                }
                didCommit(committed)
                for job in active { job.finish(nil) }
                return
            } catch let failure as JobFailure {
                // The job recorded its own error; nothing of it committed.
                active.remove(at: failure.index).finish(nil)
            } catch {
                let failure = commitFailure(error)
                for job in active { job.finish(failure) }
                return
            }
        }
    }

    private struct JobFailure: Error { let index: Int }
}
