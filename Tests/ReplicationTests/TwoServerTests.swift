import DocStore
import Foundation
import Testing
@testable import Replication

/// Two `divan serve` processes over loopback, replicating through `POST /_replicate`.
@Suite(.serialized) struct TwoServerTests {
    /// A source database on `a` with plain documents, a deletion, a conflict and a
    /// small attachment.
    static func prepareSource(_ a: DivanProcess, _ name: String = "source") async throws {
        #expect(try await a.request(.PUT, "/\(name)").status == 201)
        try await a.fill(name, count: 600)
        let created = try await a.request(.PUT, "/\(name)/gone", json: ["v": 1])
        let rev = created.json["rev"]!.stringValue!
        #expect(try await a.request(.DELETE, "/\(name)/gone?rev=\(rev)").status == 200)
        let conflict = try await a.request(.POST, "/\(name)/_bulk_docs", json: ["new_edits": false, "docs": [
            ["_id": "twin", "_rev": "1-aaaa", "side": "a"], ["_id": "twin", "_rev": "1-bbbb", "side": "b"],
        ]])
        #expect(conflict.status == 201)
        let attachment = try await a.request(.PUT, "/\(name)/with-file/note.txt", bytes: Array("hello".utf8), contentType: "text/plain")
        #expect(attachment.status == 201)
    }

    @Test func pushPullAndRemoteToRemoteCopyEveryLeaf() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        try await Self.prepareSource(a)
        let expected = try await a.leaves("source")
        #expect(expected.count == 603)

        // Pull: B runs the job, the source is remote, the target local.
        let pull = try await b.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/source"), "target": "pulled", "create_target": true,
        ])
        #expect(pull.status == 200, "\(pull.text)")
        #expect(pull.json["ok"] == true)
        #expect(pull.json["history"]?[0]?["docs_written"]?.int64Value == 604)  // both leaves of "twin"
        #expect(try await b.leaves("pulled") == expected)

        // Push: A runs the job, the source is local, the target remote.
        let push = try await a.request(.POST, "/_replicate", json: [
            "source": "source", "target": .string(b.adminURL + "/pushed"), "create_target": true,
        ])
        #expect(push.status == 200, "\(push.text)")
        #expect(try await b.leaves("pushed") == expected)

        // Remote to remote: A runs a job between two URLs (one of them its own).
        let remote = try await a.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/source"), "target": ["url": .string(b.url + "/remote"),
                "auth": ["basic": ["username": .string(DivanProcess.admin.0), "password": .string(DivanProcess.admin.1)]]],
            "create_target": true,
        ])
        #expect(remote.status == 200, "\(remote.text)")
        #expect(try await b.leaves("remote") == expected)
        let attachment = try await b.request(.GET, "/remote/with-file/note.txt")
        #expect(attachment.text == "hello")

        // Again: nothing to do, and CouchDB's answer says so.
        let again = try await b.request(.POST, "/_replicate", json: ["source": .string(a.adminURL + "/source"), "target": "pulled"])
        #expect(again.json["no_changes"] == true)
    }

    @Test func conflictsMadeOnBothServersConvergeToTheSameWinner() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/db").status == 201)
        #expect(try await b.request(.PUT, "/db").status == 201)
        try await a.fill("db", count: 50)
        let sync = ["source": JSON.string(a.adminURL + "/db"), "target": .string(b.adminURL + "/db")]
        #expect(try await a.request(.POST, "/_replicate", json: .object(JSONObject(sync.map { ($0.key, $0.value) }))).status == 200)
        for i in 0..<50 {
            let id = String(format: "doc-%06d", i)
            let base = try await a.request(.GET, "/db/\(id)").json["_rev"]!.stringValue!
            #expect(try await a.request(.PUT, "/db/\(id)?rev=\(base)", json: ["edited": "on a"]).status == 201)
            if i % 5 == 0 {
                #expect(try await b.request(.DELETE, "/db/\(id)?rev=\(base)").status == 200)
            } else {
                #expect(try await b.request(.PUT, "/db/\(id)?rev=\(base)", json: ["edited": "on b"]).status == 201)
            }
        }
        for (from, to) in [(a, b), (b, a)] {
            let reply = try await from.request(.POST, "/_replicate", json: [
                "source": .string(from.adminURL + "/db"), "target": .string(to.adminURL + "/db"),
            ])
            #expect(reply.status == 200, "\(reply.text)")
        }
        #expect(try await a.leaves("db") == b.leaves("db"))
        for i in 0..<50 {
            let id = String(format: "doc-%06d", i)
            let left = try await a.request(.GET, "/db/\(id)?conflicts=true&deleted_conflicts=true").json
            let right = try await b.request(.GET, "/db/\(id)?conflicts=true&deleted_conflicts=true").json
            #expect(left["_rev"] == right["_rev"])
            #expect(left["_conflicts"] == right["_conflicts"])
            #expect(left["_deleted_conflicts"] == right["_deleted_conflicts"])
        }
    }

    @Test func filtersCarryOnlyTheChosenDocuments() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/db").status == 201)
        try await a.fill("db", count: 40)
        let ids = try await b.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/db"), "target": "ids", "create_target": true,
            "doc_ids": ["doc-000003", "doc-000007", "nope"],
        ])
        #expect(ids.status == 200, "\(ids.text)")
        #expect(try await b.leaves("ids").keys.sorted() == ["doc-000003", "doc-000007"])
        let selected = try await b.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/db"), "target": "selected", "create_target": true,
            "selector": ["n": ["$lt": 10]],
        ])
        #expect(selected.status == 200, "\(selected.text)")
        #expect(try await b.leaves("selected").count == 10)
        let function = try await b.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/db"), "target": "x", "filter": "app/mine",
        ])
        // CouchDB fetches the filter's code first: a missing design document is a 404.
        #expect(function.status == 404)
        #expect(function.json["reason"]?.stringValue?.contains("Couldn't open document `_design/app`") == true)
        // CouchDB 3.4.3: a one-shot job fails with 500 db_not_found; a continuous one is
        // accepted, then fails and is removed (transient jobs are not restarted).
        let missing = try await b.request(.POST, "/_replicate", json: ["source": .string(a.adminURL + "/absent"), "target": "x"])
        #expect(missing.status == 500 && missing.json["error"] == "db_not_found")
        let continuous = try await b.request(.POST, "/_replicate", json: ["source": .string(a.adminURL + "/absent"), "target": "x", "continuous": true])
        #expect(continuous.status == 202 && continuous.json["_local_id"]?.stringValue?.hasSuffix("+continuous") == true)
        let removed = try await DivanProcess.eventually(30) {
            try await b.request(.GET, "/_scheduler/jobs").json["jobs"] == []
        }
        #expect(removed)
    }
}
