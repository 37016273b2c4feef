import Foundation
import Synchronization

/// Builds new Mango indexes over existing documents in the background, one bounded
/// batch per write transaction, so writers are never blocked for long. Progress is saved
/// with each batch: after a crash the build resumes where it stopped. Until an index is
/// ready, queries do not use it (they fall back to `_all_docs`), so no answer is partial.
final class MangoIndexBuilder: Sendable {
    private struct State {
        weak var database: DocumentDatabase?
        var running = false
        var again = false
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

    private func run() async {
        while true {
            await build()
            let finished = state.withLock { state -> Bool in
                if state.again {
                    state.again = false
                    return false
                }
                state.running = false
                return true
            }
            if finished { return }
        }
    }

    /// Runs steps until no index is left to build. The database is held only for the
    /// length of a step, so that closing it (or opening its file again) is never delayed
    /// by a build.
    private func build() async {
        guard let (name, total, tasks) = state.withLock({ $0.database }).map({ ($0.name, max(1, $0.liveDocumentCount()), $0.mangoBuildTasks) })
        else { return }
        var done: [UInt32: Int] = [:]
        let started = Int(Date().timeIntervalSince1970)
        defer { tasks.finish(database: name) }
        while true {
            guard let database = state.withLock({ $0.database }), !database.isDeleted else { return }
            do {
                let (more, progress) = try await database.buildMangoStep(limit: Self.batchSize)
                for (index, count) in progress {
                    done[index.number, default: 0] += count
                    tasks.update(
                        database: name, index: index, changesDone: done[index.number]!, total: total, startedOn: started,
                        finished: index.isReady)
                }
                if !more { return }
            } catch {
                // The database went away or the disk failed: the next write of a design
                // document or the next open retries.
                return
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
