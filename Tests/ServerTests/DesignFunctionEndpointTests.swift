import DocStore
import HTTPTypes
import Testing
@testable import Server

/// `validate_doc_update` and filter functions over HTTP: statuses, bulk rows, the
/// userCtx and query a filter sees, `_view` filters.
@Suite struct DesignFunctionEndpointTests {
    static let validate = """
        function(newDoc, oldDoc, userCtx) {
          if (newDoc.forbid) throw({forbidden: 'no ' + newDoc._id});
          if (newDoc.unauth) throw({unauthorized: 'who?'});
          if (newDoc.owner && newDoc.owner !== userCtx.name) throw({forbidden: 'not ' + userCtx.name});
        }
        """

    @Test func refusalsAnswer403And401AndPerDocumentRows() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            #expect(try await client.request(.put, "/db/_design/v", json: ["validate_doc_update": .string(Self.validate)]).status == .created)
            let forbidden = try await client.request(.put, "/db/a", json: ["forbid": true])
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.json == ["error": "forbidden", "reason": "no a"])
            let unauthorized = try await client.request(.put, "/db/a", json: ["unauth": true])
            #expect(unauthorized.status == .unauthorized)
            #expect(unauthorized.json == ["error": "unauthorized", "reason": "who?"])
            let bulk = try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "b1"], ["_id": "b2", "forbid": true]]])
            #expect(bulk.json[0]?["ok"] == true)
            #expect(bulk.json[1] == ["id": "b2", "error": "forbidden", "reason": "no b2"])
            let replicated = try await client.request(
                .post, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "r1", "_rev": "1-abc"], ["_id": "r2", "_rev": "1-abc", "forbid": true]]])
            #expect(replicated.json == [["id": "r2", "rev": "1-abc", "error": "forbidden", "reason": "no r2"]])
            #expect(try await client.request(.get, "/db/r1").status == .ok)
            #expect(try await client.request(.get, "/db/r2").status == .notFound)
            // The admin is validated too, with its own userCtx.
            #expect(try await client.request(.put, "/db/o", json: ["owner": "bob"]).json["reason"]?.stringValue == "not \(TestServer.admin)")
        }
    }

    @Test func filterFunctionsSeeTheQueryAndTheUser() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let user: JSON = ["_id": "org.couchdb.user:bob", "name": "bob", "password": "pw", "roles": [], "type": "user"]
            try await client.request(.put, "/_users/org.couchdb.user:bob", json: user)
            try await client.request(.put, "/db/_security", json: ["members": ["names": ["bob"]]])
            let design: JSON = [
                "filters": [
                    "kind": "function(doc, req) { return doc.kind == req.query.kind; }",
                    "mine": "function(doc, req) { return doc.owner == req.userCtx.name && req.userCtx.db == 'db' && req.method == 'GET'; }",
                ],
                "views": ["b": ["map": "function(doc) { if (doc.kind == 'b') emit(null); }"]],
            ]
            try await client.request(.put, "/db/_design/f", json: design)
            try await client.request(
                .post, "/db/_bulk_docs", json: ["docs": [["_id": "a", "kind": "a", "owner": "bob"], ["_id": "b", "kind": "b"], ["_id": "c", "kind": "a"]]])
            func ids(_ reply: TestServer.Reply) -> [JSON] { reply.json["results"]?.arrayValue?.map { $0["id"]! } ?? [] }
            #expect(ids(try await client.request(.get, "/db/_changes?filter=f/kind&kind=a")) == ["a", "c"])
            #expect(ids(try await client.request(.get, "/db/_changes?filter=f/kind&kind=b")) == ["b"])
            let bob = TestServer.Client.basic("bob", "pw")
            #expect(ids(try await client.request(.get, "/db/_changes?filter=f/mine", auth: bob)) == ["a"])
            #expect(ids(try await client.request(.get, "/db/_changes?filter=f/mine")) == [])
            #expect(ids(try await client.request(.get, "/db/_changes?filter=_view&view=f/b")) == ["b"])
            let missing = try await client.request(.get, "/db/_changes?filter=f/nope")
            #expect(missing.status == .notFound && missing.json["reason"] == "missing json key: nope")
            let docs = try await client.request(.get, "/db/_changes?filter=f/kind&kind=b&include_docs=true")
            #expect(docs.json["results"]?[0]?["doc"]?["kind"] == "b")
        }
    }
}
