import Dispatch
import LMDB
import Synchronization

/// The one writer of the metadata environment: it drains every waiting job into one
/// LMDB write transaction and one fsync (group commit), deletes the chunk files the
/// batch left without references, then answers each job.
///
/// A job that throws is undone alone (with the chunks it would have freed) and the
/// others in its batch still commit (see `run`). Results are delivered only after the
/// commit and its fsync: a success means the change is on disk. Jobs must be quick and
/// must not do file I/O: chunk files are written before a job is submitted.
///
/// Write transactions must not span an `await` (LMDB's writer lock is tied to the
/// thread), so batches run synchronously on a serial dispatch queue, never on the Swift
/// concurrency pool. Same design as DocStore's `GroupCommitWriter`.
final class MetadataWriter: Sendable {
    /// One job's work: may run more than once (after map growth, or when another job of
    /// its batch failed), so it must derive everything from the transaction and its
    /// captured inputs.
    typealias Work = @Sendable (Transaction, inout CommitEffects) throws -> Void

    private struct Job: Sendable {
        let work: Work
        /// Called once after the batch ended: with nil on commit, or the batch's error.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "divan.objectstore.writer")
    private let environment: Environment
    private let pins: ChunkPins

    init(environment: Environment, pins: ChunkPins) {
        self.environment = environment
        self.pins = pins
    }

    /// Runs `work` in the next batch and returns its result once the batch is durable.
    /// - Throws: what `work` threw, or `InternalError` when the commit failed.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Transaction, inout CommitEffects) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                work: { txn, effects in
                    do {
                        let value = try work(txn, &effects)
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
                        continuation.resume(with: outcome.withLock { $0 } ?? .failure(ObjectStoreError(.internalError, "lost result")))
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

    /// Runs a batch. A job that throws is taken out and the batch runs again without it
    /// (the aborted transaction undid its writes, and the freed chunks it noted are
    /// dropped with the attempt's effects): failures are rare, and this keeps the common
    /// path free of nested transactions, which cost LMDB a large allocation each (and
    /// which the LMDB module no longer offers).
    private func run(_ jobs: [Job]) {
        var active = jobs
        while !active.isEmpty {
            do {
                let effects = try environment.write { txn -> CommitEffects in
                    var effects = CommitEffects()
                    for (index, job) in active.enumerated() {
                        do {
                            try job.work(txn, &effects)
                        } catch let error as LMDBError where error == .mapFull {
                            throw error
                        } catch {
                            throw JobFailure(index: index)
                        }
                    }
                    return effects
                }
                pins.release(effects.deadChunks)
                for job in active { job.finish(nil) }
                return
            } catch let failure as JobFailure {
                // The job recorded its own error; answering it now is safe, as nothing
                // of it committed.
                active.remove(at: failure.index).finish(nil)
            } catch {
                let failure = ObjectStoreError(.internalError, "metadata commit failed: \(error)")
                for job in active { job.finish(failure) }
                return
            }
        }
    }

    private struct JobFailure: Error { let index: Int }
}
