import Foundation
import Synchronization

/// Brings a database's view groups up to date, from the by-sequence index, in batches:
/// read a batch of changes in one snapshot, run the map functions outside any
/// transaction, write the rows and the new sequence in one write transaction. Writers
/// never wait for JavaScript; a crash loses at most the batch in flight, and the next
/// build resumes from the last sequence saved.
///
/// Builds of one database run one at a time (an async lock): a query that needs its
/// group current waits for the running batch, then finds less to do. Groups queried in
/// this process stay warm: each commit schedules a background catch-up of them.
final class ViewIndexer: Sendable {
    private struct State {
        weak var database: DocumentDatabase?
        /// Compiled programs by signature.
        var programs: [String: ViewProgram] = [:]
        /// Groups to keep current after commits: signature → definition and design document.
        var warm: [String: (ViewGroupDefinition, String)] = [:]
        var backgroundScheduled = false
    }

    private let state = Mutex(State())
    private let lock = AsyncLock()
    /// Documents per batch (one write transaction each).
    static let batchSize = 1_000
    /// Compiled programs kept per database.
    static let programLimit = 32

    func attach(_ database: DocumentDatabase) {
        state.withLock { $0.database = database }
    }

    /// The compiled program of `definition` (cached).
    func program(for definition: ViewGroupDefinition, timeLimit: Double) throws(DocStoreError) -> ViewProgram {
        if let cached = state.withLock({ $0.programs[definition.signature] }) { return cached }
        let program = try ViewProgram(definition, timeLimit: timeLimit)
        state.withLock { state in
            if state.programs.count >= Self.programLimit { state.programs.removeAll() }
            state.programs[definition.signature] = program
        }
        return program
    }

    /// After a commit: catch up the warm groups in the background (coalesced).
    func didCommit() {
        let start = state.withLock { state -> Bool in
            guard !state.warm.isEmpty, !state.backgroundScheduled else { return false }
            state.backgroundScheduled = true
            return true
        }
        guard start else { return }
        Task.detached {
            let (database, warm) = self.state.withLock { state in
                state.backgroundScheduled = false
                return (state.database, Array(state.warm.values))
            }
            guard let database, !database.isDeleted else { return }
            for (definition, designDocument) in warm {
                do {
                    // Never recreates a group: cleanup may have dropped it since.
                    _ = try await self.catchUp(definition, designDocument: designDocument, in: database, create: false)
                } catch {
                    // A function that fails (or spins to the time limit) would fail again on
                    // every commit: leave the group cold until a query asks for it again.
                    self.state.withLock { _ = $0.warm.removeValue(forKey: definition.signature) }
                }
            }
        }
    }

    /// Forgets compiled programs and warm groups not in `signatures` (after cleanup).
    func retain(_ signatures: Set<String>) {
        state.withLock { state in
            state.programs = state.programs.filter { signatures.contains($0.key) }
            state.warm = state.warm.filter { signatures.contains($0.key) }
        }
    }

    /// Indexes every change up to the database's current update sequence into the
    /// group of `definition` (creating the group on first use, when `create`).
    /// - Returns: the group's record after the build; nil when it does not exist and
    ///   `create` is false.
    /// - Throws: `os_process_error` when a map function ran past the time limit (the
    ///   rows stay at the last complete batch), storage errors.
    @discardableResult
    func catchUp(
        _ definition: ViewGroupDefinition, designDocument: String, in database: DocumentDatabase, create: Bool = true
    ) async throws(DocStoreError) -> ViewGroupRecord? {
        state.withLock { $0.warm[definition.signature] = (definition, designDocument) }
        await lock.lock()
        defer { lock.unlock() }
        let program = try program(for: definition, timeLimit: database.javaScriptTimeLimit)
        guard var record = try await database.viewGroup(definition, designDocument: designDocument, create: create) else { return nil }
        let target = try database.updateSequence()
        guard record.sequence < target else { return record }
        let tasks = database.viewBuildTasks
        let started = Int(Date().timeIntervalSince1970)
        let first = record.sequence
        defer { tasks.finish(database: database.name, signature: definition.signature) }
        while record.sequence < target {
            let (changes, last) = try database.viewChanges(since: record.sequence, limit: Self.batchSize, includeDesign: definition.includeDesign)
            var batch: [ViewDocumentRows] = []
            batch.reserveCapacity(changes.count)
            for (id, document) in changes {
                // A partitioned group keeps each row under its document's partition;
                // documents without one (design documents) have no rows there.
                let partition = definition.partitioned ? Partition.of(id).map(String.init) : nil
                guard let document, !(definition.partitioned && (partition == nil || id.hasPrefix("_"))) else {
                    batch.append(ViewDocumentRows(id: id, partition: nil, rows: []))
                    continue
                }
                let (emitted, log) = try program.map(document)
                for line in log { database.viewLog("\(database.name) \(designDocument): \(line)") }
                var rows: [(UInt32, JSON, JSON)] = []
                for (view, pairs) in zip(definition.views, emitted) {
                    guard let number = record.views[view.name] else { continue }
                    for (key, value) in pairs { rows.append((number, key, value)) }
                }
                batch.append(ViewDocumentRows(id: id, partition: partition, rows: rows))
            }
            record = try await database.applyViewBatch(record, batch, through: max(last, record.sequence))
            tasks.update(
                database: database.name, signature: definition.signature, designDocument: designDocument,
                done: Int(record.sequence - first), total: Int(target - first), startedOn: started)
            if changes.isEmpty { break }
        }
        return record
    }
}

/// The rows one document emits into a group's views (none when it was deleted).
struct ViewDocumentRows: Sendable {
    let id: String
    /// The document's partition in a partitioned group (its rows' leading key value).
    let partition: String?
    /// (view number, key, value)
    let rows: [(UInt32, JSON, JSON)]
}

/// A lock for async code: waiters queue in order; no thread blocks.
final class AsyncLock: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}

/// The running view builds, as `_active_tasks` shows them (CouchDB's `indexer` tasks).
public final class ViewBuildTasks: Sendable {
    private let tasks = Mutex<[String: JSONObject]>([:])

    func update(database: String, signature: String, designDocument: String, done: Int, total: Int, startedOn: Int) {
        let now = Int(Date().timeIntervalSince1970)
        tasks.withLock { tasks in
            tasks[database + "\u{0}" + signature] = [
                "type": "indexer", "database": .string(database), "design_document": .string(designDocument),
                "indexer_pid": "<0.0.0>", "pid": "<0.0.0>", "node": "nonode@nohost",
                "changes_done": .number(JSONNumber(done)), "total_changes": .number(JSONNumber(total)),
                "progress": .number(JSONNumber(min(100, done * 100 / max(1, total)))),
                "started_on": .number(JSONNumber(startedOn)), "updated_on": .number(JSONNumber(now)),
            ]
        }
    }

    func finish(database: String, signature: String) {
        _ = tasks.withLock { $0.removeValue(forKey: database + "\u{0}" + signature) }
    }

    /// The `_active_tasks` entries of running view builds.
    public func activeTasks() -> [JSONObject] {
        tasks.withLock { Array($0.values) }
    }
}
