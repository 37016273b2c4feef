import DocStore
import Foundation
import Testing
@testable import Replication

/// Continuous replications, `_replicator` documents and the scheduler's reports, on
/// `divan serve` processes.
@Suite(.serialized) struct SchedulerTests {
    @Test func continuousReplicationsKeepBothSidesInSyncWhileBothAreWritten() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/db").status == 201)
        #expect(try await b.request(.PUT, "/db").status == 201)
        let push = try await a.request(.POST, "/_replicate", json: ["source": "db", "target": .string(b.adminURL + "/db"), "continuous": true])
        let pull = try await a.request(.POST, "/_replicate", json: ["source": .string(b.adminURL + "/db"), "target": "db", "continuous": true])
        #expect(push.status == 202 && pull.status == 202, "\(push.text) \(pull.text)")
        let pushID = try #require(push.json["_local_id"]?.stringValue)
        #expect(pushID.hasSuffix("+continuous"))
        async let fillA: Void = a.fill("db", count: 300, prefix: "a")
        async let fillB: Void = b.fill("db", count: 300, prefix: "b")
        _ = try await (fillA, fillB)
        // The same document written on both sides while the replications run: a
        // conflict (made with new_edits=false, so that neither write can be refused).
        let left = try await a.request(.POST, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "shared", "_rev": "1-aaaa", "v": "a"]]])
        let right = try await b.request(.POST, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "shared", "_rev": "1-bbbb", "v": "b"]]])
        #expect(left.status == 201 && right.status == 201)
        let synced = try await DivanProcess.eventually {
            let (l, r) = (try await a.leaves("db"), try await b.leaves("db"))
            return l.count == 601 && l == r && l["shared"]?.count == 2
        }
        let jobsReport = try await a.request(.GET, "/_scheduler/jobs").text
        #expect(synced, "A:\n\(a.log)\nB:\n\(b.log)\n\(jobsReport)")
        let tasks = try await a.request(.GET, "/_active_tasks").json.arrayValue ?? []
        #expect(tasks.count == 2 && tasks.allSatisfy { $0["type"] == "replication" && $0["continuous"] == true })
        let jobs = try await a.request(.GET, "/_scheduler/jobs").json
        #expect(jobs["total_rows"] == 2)
        #expect(jobs["jobs"]?.arrayValue?.contains { $0["id"]?.stringValue == pushID } == true)
        for id in [pushID, pull.json["_local_id"]!.stringValue!] {
            let cancel = try await a.request(.POST, "/_replicate", json: ["replication_id": .string(id), "cancel": true])
            #expect(cancel.status == 200 && cancel.json["_local_id"]?.stringValue == id)
        }
        #expect(try await a.request(.GET, "/_scheduler/jobs").json["total_rows"] == 0)
        #expect(try await a.request(.POST, "/_replicate", json: ["replication_id": .string(pushID), "cancel": true]).status == 404)
    }

    @Test func replicatorDocumentsRunSurviveARestartAndStopWhenDeleted() async throws {
        let a = try await DivanProcess()
        #expect(try await a.request(.PUT, "/source").status == 201)
        try await a.fill("source", count: 500)
        let data = NSTemporaryDirectory() + "divan-restart-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        var b = try await DivanProcess(data: data)

        // A one-shot document completes and says so in itself.
        let once = try await b.request(.PUT, "/_replicator/once", json: [
            "source": .string(a.adminURL + "/source"), "target": "copy", "create_target": true,
        ])
        #expect(once.status == 201)
        let completed = try await DivanProcess.eventually {
            try await b.request(.GET, "/_replicator/once").json["_replication_state"] == "completed"
        }
        #expect(completed)
        #expect(try await b.request(.GET, "/_replicator/once").json["_replication_stats"]?["docs_written"] == 500)
        #expect(try await b.leaves("copy").count == 500)

        // A document that cannot run fails, and says why.
        #expect(try await b.request(.PUT, "/_replicator/bad", json: ["source": "copy", "target": "x", "filter": "app/by_type"]).status == 201)
        #expect(try await DivanProcess.eventually {
            try await b.request(.GET, "/_replicator/bad").json["_replication_state"] == "failed"
        })
        let bad = try await b.request(.GET, "/_scheduler/docs/_replicator/bad").json
        #expect(bad["state"] == "failed")
        #expect(bad["info"]?["error"]?.stringValue?.contains("_design/app") == true)
        #expect(try await b.request(.DELETE, "/_replicator/bad?rev=\(try await b.request(.GET, "/_replicator/bad").json["_rev"]!.stringValue!)").status == 200)

        // A continuous document runs, and is reported.
        #expect(try await b.request(.PUT, "/_replicator/live", json: [
            "source": .string(a.adminURL + "/source"), "target": "live", "create_target": true, "continuous": true,
        ]).status == 201)
        #expect(try await DivanProcess.eventually {
            let info = try await b.request(.GET, "/_scheduler/docs/_replicator/live").json
            return info["state"] == "running" && info["info"]?["docs_written"] == 500
                && info["info"]?["checkpointed_source_seq"] == info["info"]?["source_seq"]
        })
        let docs = try await b.request(.GET, "/_scheduler/docs").json
        #expect(docs["docs"]?.arrayValue?.map { $0["state"]?.stringValue ?? "" }.sorted() == ["completed", "running"])

        // Crash the server, write more, start it again: the job resumes from its checkpoint.
        await b.stop(signal: SIGKILL)
        try await a.fill("source", count: 100, prefix: "later")
        b = try await DivanProcess(data: data)
        #expect(try await DivanProcess.eventually { try await b.leaves("live").count == 600 })
        let resumed = try await b.request(.GET, "/_scheduler/docs/_replicator/live").json
        #expect(resumed["state"] == "running")
        let checked = resumed["info"]?["revisions_checked"]?.int64Value ?? 0
        #expect(checked > 0 && checked < 500, "the restarted job checked \(checked) revisions")
        // The completed one-shot document is not run again.
        #expect(try await b.request(.GET, "/_scheduler/docs/_replicator/once").json["state"] == "completed")

        // Deleting the document stops its job.
        let rev = try await b.request(.GET, "/_replicator/live").json["_rev"]!.stringValue!
        #expect(try await b.request(.DELETE, "/_replicator/live?rev=\(rev)").status == 200)
        #expect(try await DivanProcess.eventually { try await b.request(.GET, "/_scheduler/jobs").json["total_rows"] == 0 })
        #expect(try await b.request(.GET, "/_scheduler/docs/_replicator/live").status == 404)
    }
}
