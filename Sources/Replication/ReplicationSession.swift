import DocStore
import Foundation

/// One session of a job: peers verified, starting point found, batches replicated and
/// checkpointed. A new session (after a failure) starts from the last checkpoint.
struct ReplicationSession {
    let job: ReplicationJob
    let sessionID = UUIDs.random()
    let startTime = Date()
    /// The sequence the session started from.
    let startSequence: PeerSequence
    /// The sequence of the last checkpoint (or the start).
    var committed: PeerSequence
    /// Sessions before this one, newest first.
    let history: [JSON]
    /// The `_rev`s of the checkpoint documents, to replace them.
    var sourceLogRevision: String?
    var targetLogRevision: String?
    /// The checkpoint written last, or the source's when none was (CouchDB's answer).
    var lastCheckpoint: JSONObject?
    let sourceLog: JSONObject?

    init(job: ReplicationJob) async throws {
        self.job = job
        let source = job.source
        let target = job.target
        _ = try await job.retry.retrying { try await source.info() }
        do {
            _ = try await job.retry.retrying { try await target.info() }
        } catch let error as ReplicationError where error.code == .databaseNotFound && job.specification.createTarget {
            try await job.retry.retrying { try await target.createDatabase() }
            _ = try await job.retry.retrying { try await target.info() }
        }
        var start: PeerSequence?
        var history: [JSON] = []
        var sourceLog: JSONObject?
        if job.specification.useCheckpoints {
            let documentID = job.id.checkpointDocumentID
            sourceLog = try await job.retry.retrying { try await source.localDocument(documentID) }
            let targetLog = try await job.retry.retrying { try await target.localDocument(documentID) }
            sourceLogRevision = sourceLog?["_rev"]?.stringValue
            targetLogRevision = targetLog?["_rev"]?.stringValue
            (start, history) = ReplicationLog.startingPoint(source: sourceLog, target: targetLog)
        }
        self.sourceLog = sourceLog
        self.history = history
        startSequence = start ?? job.specification.sinceSequence ?? .zero
        committed = startSequence
    }

    /// Reads changes and replicates them, `workers` batches at a time, until a read
    /// comes back empty (one-shot) or forever (continuous).
    mutating func replicate() async throws {
        let job = job
        let specification = job.specification
        let worker = BatchWorker(source: job.source, target: job.target, retry: job.retry, logger: job.logger)
        var cursor = committed
        var ordering = BatchOrdering()
        try await withThrowingTaskGroup(of: (Int, BatchStatistics).self) { group in
            var inFlight = 0
            func finishOne() async throws {
                guard let (index, statistics) = try await group.next() else { return }
                inFlight -= 1
                job.record(statistics)
                if let through = ordering.complete(index) { try await checkpoint(through) }
            }
            while true {
                try Task.checkCancellation()
                // A continuous job waits for changes only once nothing is in flight, so
                // that finished batches are checkpointed without waiting for the poll.
                let feed: ChangesRequest.Feed = specification.continuous && inFlight == 0 ? .longpoll(timeout: job.longpollTimeout) : .normal
                let request = ChangesRequest(
                    since: cursor, limit: specification.batchSize, feed: feed, filter: specification.filter,
                    allLeaves: !specification.winningRevisionsOnly)
                let source = job.source
                let page = try await job.retry.retrying { try await source.changes(request) }
                job.update { progress in
                    progress.sessionStatistics.sourceSequence = page.lastSequence
                    progress.sessionStatistics.changesPending = page.pending
                }
                if page.changes.isEmpty {
                    while inFlight > 0 { try await finishOne() }
                    if page.lastSequence != cursor, let through = ordering.complete(ordering.add(page.lastSequence)) {
                        // Filtered-out changes still move the checkpoint on.
                        try await checkpoint(through)
                    }
                    cursor = page.lastSequence
                    if specification.continuous { continue }
                    return
                }
                let index = ordering.add(page.lastSequence)
                let changes = page.changes
                group.addTask { (index, try await worker.replicate(changes)) }
                inFlight += 1
                cursor = page.lastSequence
                let caughtUp = page.changes.count < specification.batchSize || page.pending == 0
                while inFlight >= specification.workers || (caughtUp && inFlight > 0) { try await finishOne() }
            }
        }
    }

    /// Records `sequence` in the checkpoint documents of both sides.
    mutating func checkpoint(_ sequence: PeerSequence) async throws {
        job.update { $0.sessionStatistics.checkpointedSourceSequence = sequence }
        guard job.specification.useCheckpoints, sequence != committed || lastCheckpoint == nil else { return }
        let source = job.source
        let target = job.target
        // Divan's writes are durable when acknowledged; CouchDB peers get the call
        // their own replicator makes.
        _ = try? await target.ensureFullCommit()
        _ = try? await source.ensureFullCommit()
        let statistics = job.progress.sessionStatistics
        let body = ReplicationLog.body(
            sessionID: sessionID, startTime: startTime, startSequence: startSequence, sequence: sequence,
            statistics: statistics, history: history, documentIDs: { if case .documentIDs = job.specification.filter { true } else { false } }())
        sourceLogRevision = try await save(body, on: source, replacing: sourceLogRevision, side: "source")
        targetLogRevision = try await save(body, on: target, replacing: targetLogRevision, side: "target")
        committed = sequence
        lastCheckpoint = body
    }

    /// Writes one checkpoint document. A conflict after a retried request may mean
    /// the first attempt landed: the document then already holds our body.
    func save(_ body: JSONObject, on peer: any ReplicationPeer, replacing revision: String?, side: String) async throws -> String {
        let id = job.id.checkpointDocumentID
        var document = body
        if let revision { document["_rev"] = .string(revision) }
        do {
            let sending = document
            return try await job.retry.retrying { try await peer.saveLocalDocument(id, sending) }
        } catch let error as ReplicationError where error.code == .conflict {
            let current = try await job.retry.retrying { try await peer.localDocument(id) }
            guard var current, let currentRevision = current["_rev"]?.stringValue else {
                throw ReplicationError(.checkpointFailed, "the \(side) checkpoint document vanished")
            }
            current["_id"] = nil
            current["_rev"] = nil
            if current == body { return currentRevision }
            throw ReplicationError(.checkpointFailed, "the \(side) checkpoint document was changed by someone else", transient: true)
        }
    }

    /// CouchDB's answer to a finished one-shot replication.
    func result() -> JSONObject {
        guard job.specification.useCheckpoints else { return ["use_checkpoints": false] }
        if let lastCheckpoint { return lastCheckpoint }
        var answer: JSONObject = ["no_changes": true]
        for (key, value) in sourceLog ?? [:] where key != "_id" && key != "_rev" { answer[key] = value }
        return answer
    }
}

/// Batches finish out of order; a checkpoint may only claim a sequence once every
/// batch up to it is done. Batches are numbered as they are read.
struct BatchOrdering {
    private var sequences: [Int: PeerSequence] = [:]
    private var finished = Set<Int>()
    private var next = 0
    private var nextToCommit = 0

    /// Registers a batch that ends at `sequence`. - Returns: its number.
    mutating func add(_ sequence: PeerSequence) -> Int {
        sequences[next] = sequence
        next += 1
        return next - 1
    }

    /// Marks batch `index` done. - Returns: the sequence every batch is done through
    /// now, when that moved.
    mutating func complete(_ index: Int) -> PeerSequence? {
        finished.insert(index)
        var through: PeerSequence?
        while finished.remove(nextToCommit) != nil {
            through = sequences.removeValue(forKey: nextToCommit)
            nextToCommit += 1
        }
        return through
    }
}
