import DocStore
import Foundation

/// The checkpoint documents (`_local/<replication id>`) a replication keeps on both
/// sides, and how a new session finds where to resume (CouchDB's
/// `compare_replication_logs`).
///
/// Worked example: session A checkpointed seq 40 on both sides, then session B wrote
/// seq 90 to the source and crashed before writing the target. The session ids at the
/// top differ, so the histories are scanned for the newest session both sides know: A,
/// whose `recorded_seq` 40 is where replication resumes. Nothing is lost; at most the
/// changes 41–90 are checked again (`_revs_diff` makes that cheap).
enum ReplicationLog {
    /// How many sessions a checkpoint remembers.
    static let historyLimit = 50

    /// Where to resume and the history to extend, from the two checkpoint documents
    /// (nil when absent). A nil sequence means "from the start".
    static func startingPoint(source: JSONObject?, target: JSONObject?) -> (sequence: PeerSequence?, history: [JSON]) {
        let sourceLog = source ?? [:]
        let targetLog = target ?? [:]
        if sourceLog["session_id"] == targetLog["session_id"] {
            guard let sequence = sourceLog["source_last_seq"] else { return (nil, []) }
            return (PeerSequence(sequence), sourceLog["history"]?.arrayValue ?? [])
        }
        return compareHistories(sourceLog["history"]?.arrayValue ?? [], targetLog["history"]?.arrayValue ?? [])
    }

    /// The newest session both histories share: its `recorded_seq` and the older
    /// sessions. Walks both lists in step, as CouchDB does. O(n²) for n ≤ 50.
    static func compareHistories(_ source: [JSON], _ target: [JSON]) -> (sequence: PeerSequence?, history: [JSON]) {
        var source = source[...]
        var target = target[...]
        func contains(_ id: JSON?, _ list: ArraySlice<JSON>) -> Bool {
            guard let id else { return false }
            return list.contains { $0["session_id"] == id }
        }
        while let s = source.first, let t = target.first {
            let sourceRest = source.dropFirst()
            if contains(s["session_id"], target) {
                return (s["recorded_seq"].map(PeerSequence.init), Array(sourceRest))
            }
            if contains(t["session_id"], sourceRest) {
                return (t["recorded_seq"].map(PeerSequence.init), Array(target.dropFirst()))
            }
            source = sourceRest
            target = target.dropFirst()
        }
        return (nil, [])
    }

    /// The body of a new checkpoint: the session, the sequence reached, and the
    /// history with this session's entry first (at most `historyLimit`).
    static func body(
        sessionID: String, startTime: Date, startSequence: PeerSequence, sequence: PeerSequence,
        statistics: ReplicationStatistics, history: [JSON], documentIDs: Bool
    ) -> JSONObject {
        let started = rfc1123(startTime)
        let now = rfc1123(Date())
        var entry: JSONObject = [
            "session_id": .string(sessionID), "start_time": .string(started), "end_time": .string(now),
            "start_last_seq": startSequence.json, "end_last_seq": sequence.json, "recorded_seq": sequence.json,
        ]
        for (key, value) in statistics.historyFields { entry[key] = value }
        var body: JSONObject = [
            "session_id": .string(sessionID), "source_last_seq": sequence.json,
            "replication_id_version": .number(JSONNumber(ReplicationID.version)),
        ]
        if documentIDs {
            // What CouchDB 1.0 wrote for doc_ids replications; CouchDB still does.
            body["start_time"] = .string(started)
            body["end_time"] = .string(now)
            body["docs_read"] = .number(JSONNumber(statistics.documentsRead))
            body["docs_written"] = .number(JSONNumber(statistics.documentsWritten))
            body["doc_write_failures"] = .number(JSONNumber(statistics.documentWriteFailures))
        }
        body["history"] = .array([.object(entry)] + history.prefix(historyLimit - 1))
        return body
    }

    /// `Thu, 08 Aug 2026 10:00:00 GMT`, as CouchDB's checkpoints show times.
    static func rfc1123(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
