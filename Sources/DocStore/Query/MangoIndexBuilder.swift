import Foundation
import Synchronization

/// Builds new Mango indexes over existing documents in the background, one bounded
/// batch per write transaction, so writers are never blocked for long. Progress is saved
/// with each batch: after a crash the build resumes where it stopped. A query whose plan
/// picks an index still being built waits for the build (as CouchDB's queries wait for
/// their view to catch up), so no answer is partial.
final class MangoIndexBuilder: Sendable {
    private struct State {
        weak var database: DocumentDatabase?
        var running = false
        var again = false
        /// Whether the last pass stopped on an error rather than on having nothing left.
        var failed = false
        var idleWaiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())
    /// Documents per index per transaction.
    static let batchSize = 2_000

    func attach(_ database: DocumentDatabase) {
        state.withLock { $0.database = database }
    }

    /// Starts a build pass, or asks the running one for another pass.
    func wake() {
        let start = state.withLock { state -> Bool in
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        if start { Task.detached { await self.run() } }
    }

    /// Waits until no build pass is running (returns at once when none is).
    /// - Returns: whether the last pass stopped on an error.
    func untilIdle() async -> Bool {
        await withCheckedContinuation { continuation in
            let failed = state.withLock { state -> Bool? in
                if state.running {
                    state.idleWaiters.append(continuation)
                    return nil
                }
                return state.failed
            }
            if let failed { continuation.resume(returning: failed) }
        }
    }

    private func run() async {
        while true {
            let failed = await !build()
            let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>]? in
                if state.again {
                    state.again = false
                    return nil
                }
                state.running = false
                state.failed = failed
                defer { state.idleWaiters = [] }
                return state.idleWaiters
            }
            guard let waiters else { continue }
            for waiter in waiters { waiter.resume(returning: failed) }
            return
        }
    }

    /// Runs steps until no index is left to build. The database is held only for the
    /// length of a step, so that closing it (or opening its file again) is never delayed
    /// by a build.
    /// - Returns: false when a step failed (the disk, or the database went away).
    private func build() async -> Bool {
        guard let (name, total, tasks) = state.withLock({ $0.database }).map({ ($0.name, max(1, $0.liveDocumentCount()), $0.mangoBuildTasks) })
        else { return false }
        var done: [UInt32: Int] = [:]
        let started = Int(Date().timeIntervalSince1970)
        defer { tasks.finish(database: name) }
        while true {
            guard let database = state.withLock({ $0.database }), !database.isDeleted else { return false }
            do {
                let (more, progress) = try await database.buildMangoStep(limit: Self.batchSize)
                for (index, count) in progress {
                    done[index.number, default: 0] += count
                    tasks.update(
                        database: name, index: index, changesDone: done[index.number]!, total: total, startedOn: started,
                        finished: index.isReady)
                }
                if !more { return true }
            } catch {
                // The database went away or the disk failed: the next write of a design
                // document, the next query of the index or the next open retries.
                return false
            }
        }
    }
}

/// The running index builds, as `_active_tasks` shows them (CouchDB's `indexer` tasks).
public final class MangoBuildTasks: Sendable {
    private let tasks = Mutex<[String: JSONObject]>([:])

    func update(database: String, index: MangoIndex, changesDone: Int, total: Int, startedOn: Int, finished: Bool) {
        let key = database + "\u{0}" + index.designDocument
        tasks.withLock { tasks in
            if finished {
                tasks[key] = nil
                return
            }
            let now = Int(Date().timeIntervalSince1970)
            tasks[key] = [
                "type": "indexer", "database": .string(database), "design_document": .string(index.designDocument),
                "indexer_pid": "<0.0.0>", "pid": "<0.0.0>", "node": "nonode@nohost",
                "changes_done": .number(JSONNumber(changesDone)), "total_changes": .number(JSONNumber(total)),
                "progress": .number(JSONNumber(min(99, changesDone * 100 / max(1, total)))),
                "started_on": .number(JSONNumber(startedOn)), "updated_on": .number(JSONNumber(now)),
            ]
        }
    }

    func finish(database: String) {
        tasks.withLock { tasks in tasks = tasks.filter { !$0.key.hasPrefix(database + "\u{0}") } }
    }

    /// The `_active_tasks` entries of running index builds.
    public func activeTasks() -> [JSONObject] {
        tasks.withLock { Array($0.values) }
    }
}
