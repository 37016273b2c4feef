import DocStore

/// The counters of a replication session, as CouchDB reports them in checkpoints,
/// `_active_tasks` and `/_scheduler`.
public struct ReplicationStatistics: Sendable, Equatable {
    /// Revisions the source listed (`revisions_checked`, `missing_checked` in history).
    public var revisionsChecked = 0
    /// Revisions the target lacked (`missing_revisions_found`, `missing_found`).
    public var missingRevisionsFound = 0
    public var documentsRead = 0
    public var documentsWritten = 0
    public var documentWriteFailures = 0
    /// The source sequence of the last checkpoint.
    public var checkpointedSourceSequence: PeerSequence = .zero
    /// The highest source sequence read so far.
    public var sourceSequence: PeerSequence = .zero
    /// Changes the source still has after what was read (when it says).
    public var changesPending: Int?

    public init() {}

    static func + (lhs: ReplicationStatistics, rhs: BatchStatistics) -> ReplicationStatistics {
        var sum = lhs
        sum.revisionsChecked += rhs.revisionsChecked
        sum.missingRevisionsFound += rhs.missingRevisionsFound
        sum.documentsRead += rhs.documentsRead
        sum.documentsWritten += rhs.documentsWritten
        sum.documentWriteFailures += rhs.documentWriteFailures
        return sum
    }

    /// The counters of a checkpoint history entry.
    var historyFields: [(String, JSON)] {
        [
            ("missing_checked", .number(JSONNumber(revisionsChecked))),
            ("missing_found", .number(JSONNumber(missingRevisionsFound))),
            ("docs_read", .number(JSONNumber(documentsRead))),
            ("docs_written", .number(JSONNumber(documentsWritten))),
            ("doc_write_failures", .number(JSONNumber(documentWriteFailures))),
        ]
    }

    /// The counters as `_active_tasks` and `/_scheduler` show them.
    public var json: JSONObject {
        var object: JSONObject = [
            "revisions_checked": .number(JSONNumber(revisionsChecked)),
            "missing_revisions_found": .number(JSONNumber(missingRevisionsFound)),
            "docs_read": .number(JSONNumber(documentsRead)),
            "docs_written": .number(JSONNumber(documentsWritten)),
            "doc_write_failures": .number(JSONNumber(documentWriteFailures)),
            "changes_pending": changesPending.map { .number(JSONNumber($0)) } ?? .null,
            "checkpointed_source_seq": checkpointedSourceSequence.json,
            "source_seq": sourceSequence.json,
        ]
        object["through_seq"] = checkpointedSourceSequence.json
        return object
    }
}

/// What one batch did.
struct BatchStatistics: Sendable {
    var revisionsChecked = 0
    var missingRevisionsFound = 0
    var documentsRead = 0
    var documentsWritten = 0
    var documentWriteFailures = 0
}
