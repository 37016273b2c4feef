import DocStore
import Foundation
import Testing
@testable import Replication

/// Replications with filter functions (`filter` + `query_params`) and `_view` filters:
/// in one store, pushed and pulled between two servers, and from `_replicator`.
@Suite(.serialized) struct FilteredReplicationTests {
    static let design: JSON = [
        "filters": ["by_kind": "function(doc, req) { return doc.kind == req.query.kind; }"],
        "views": ["kind_b": ["map": "function(doc) { if (doc.kind == 'b') emit(doc._id); }"]],
    ]

    static func kinds(_ count: Int) -> JSON {
        .array((0..<count).map { i in ["_id": .string("d\(i)"), "kind": i % 3 == 0 ? "a" : "b"] })
    }

    @Test func aLocalFilterCopiesOnlyWhatPassesAndTheTargetsValidatorStillRuns() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        try await source.put(try DocumentUpdate(json: Self.design.objectValue!, id: "_design/app"))
        _ = try await source.update((0..<30).map { i in DocumentUpdate(id: "d\(i)", body: ["kind": i % 3 == 0 ? "a" : "b", "n": .number(JSONNumber(i))]) })
        let target = try temp.database("target")
        try await target.put(DocumentUpdate(id: "_design/v", body: ["validate_doc_update": "function(doc) { if (doc.n == 9) throw({forbidden: 'nine'}); }"]))
        let (job, _) = try await replicate(temp.peer("source"), temp.peer("target")) {
            $0.filter = .function(name: "app/by_kind", queryParameters: ["kind": "a"])
        }
        let copied = try leaves(target).keys.filter { !$0.hasPrefix("_design/") }.sorted()
        #expect(copied == (0..<30).filter { $0 % 3 == 0 && $0 != 9 }.map { "d\($0)" }.sorted())
        #expect(job.progress.sessionStatistics.documentWriteFailures == 1)
    }

    @Test func theFilterCodeIsPartOfTheReplicationID() async throws {
        let temp = try TemporaryStore()
        let source = try temp.database("source")
        let rev = try await source.put(try DocumentUpdate(json: Self.design.objectValue!, id: "_design/app"))
        var specification = ReplicationSpecification(source: .local("source"), target: .local("target"))
        specification.filter = .function(name: "app/by_kind", queryParameters: ["kind": "a"])
        func id() async throws -> String {
            let resolved = try await specification.resolvingFilterCode(from: temp.peer("source"))
            return ReplicationID(nodeUUID: "n", source: temp.peer("source"), target: temp.peer("target"), specification: resolved).base
        }
        let first = try await id()
        #expect(try await id() == first)
        try await source.put(DocumentUpdate(id: "_design/app", revision: Revision(rev), body: ["filters": ["by_kind": "function(doc) { return true; }"]]))
        #expect(try await id() != first)
        specification.filter = .function(name: "app/by_kind", queryParameters: ["kind": "b"])
        #expect(try await id() != first)
        specification.filter = .function(name: "app/missing", queryParameters: [:])
        await #expect(throws: ReplicationError.self) { try await id() }
    }

    @Test func pushPullAndReplicatorDocumentsFilterBetweenServers() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/source").status == 201)
        #expect(try await a.request(.PUT, "/source/_design/app", json: Self.design).status == 201)
        #expect(try await a.request(.POST, "/source/_bulk_docs", json: ["docs": Self.kinds(30)]).status == 201)
        func ids(_ server: DivanProcess, _ database: String) async throws -> [String] {
            try await server.leaves(database).keys.sorted()
        }
        let kindA = (0..<30).filter { $0 % 3 == 0 }.map { "d\($0)" }.sorted()
        let kindB = (0..<30).filter { $0 % 3 != 0 }.map { "d\($0)" }.sorted()

        // Pull: B reads A's feed over HTTP with the filter and its query parameters.
        let pull = try await b.request(.POST, "/_replicate", json: [
            "source": .string(a.adminURL + "/source"), "target": "pulled", "create_target": true,
            "filter": "app/by_kind", "query_params": ["kind": "a"],
        ])
        #expect(pull.status == 200, "\(pull.text)")
        #expect(try await ids(b, "pulled") == kindA)

        // Push: A filters its own feed, B receives.
        let push = try await a.request(.POST, "/_replicate", json: [
            "source": "source", "target": .string(b.adminURL + "/pushed"), "create_target": true,
            "filter": "app/by_kind", "query_params": ["kind": "b"],
        ])
        #expect(push.status == 200, "\(push.text)")
        #expect(try await ids(b, "pushed") == kindB)

        // A _replicator document with a _view filter.
        #expect(try await b.request(.PUT, "/_replicator/viewed", json: [
            "source": .string(a.adminURL + "/source"), "target": "viewed", "create_target": true,
            "filter": "_view", "query_params": ["view": "app/kind_b"],
        ]).status == 201)
        #expect(try await DivanProcess.eventually {
            try await b.request(.GET, "/_replicator/viewed").json["_replication_state"] == "completed"
        })
        #expect(try await ids(b, "viewed") == kindB)
        await a.stop()
        await b.stop()
    }
}
