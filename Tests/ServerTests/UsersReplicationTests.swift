import DocStore
import Testing
@testable import Server

/// Replication into `_users` runs `_users`' rules as every other write does (CouchDB:
/// couch_users_db:before_doc_update/3 and the validation function apply to replicated
/// changes too).
@Suite struct UsersReplicationTests {
    @Test func aReplicatedUserIsHashedKeepsItsRevisionAndCanLogIn() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/src")
            let carol: JSON = ["_id": "org.couchdb.user:carol", "name": "carol", "password": "pw", "roles": [], "type": "user"]
            let put = try await client.request(.put, "/src/org.couchdb.user:carol", json: carol)
            let revision = put.json["rev"]
            let dave: JSON = ["_id": "org.couchdb.user:dave", "name": "dave", "roles": [], "type": "person"]
            try await client.request(.put, "/src/org.couchdb.user:dave", json: dave)
            let answer = try await client.request(.post, "/_replicate", json: ["source": "src", "target": "_users"])
            #expect(answer.json["ok"] == true)
            #expect(answer.json["history"]?[0]?["docs_written"] == 1)
            #expect(answer.json["history"]?[0]?["doc_write_failures"] == 1)
            let stored = try await client.request(.get, "/_users/org.couchdb.user:carol")
            #expect(stored.json["_rev"] == revision)
            #expect(stored.json["password"] == nil && stored.json["derived_key"] != nil && stored.json["password_scheme"] == "pbkdf2")
            let session = try await client.request(.get, "/_session", auth: TestServer.Client.basic("carol", "pw"))
            #expect(session.json["userCtx"]?["name"] == "carol")
            #expect(try await client.request(.get, "/_users/org.couchdb.user:dave").status == .notFound)
        }
    }

    @Test func bulkDocsWithoutNewEditsRefusesABadUserInItsRow() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.post, "/_users/_bulk_docs", json: [
                "new_edits": false,
                "docs": [
                    ["_id": "org.couchdb.user:erin", "_rev": "1-aaa", "name": "erin", "password": "pw", "roles": [], "type": "user"],
                    ["_id": "org.couchdb.user:fred", "_rev": "1-bbb", "name": "fred", "roles": [], "type": "person"],
                ],
            ])
            #expect(reply.json == [["id": "org.couchdb.user:fred", "rev": "1-bbb", "error": "forbidden", "reason": "doc.type must be user"]])
            let stored = try await client.request(.get, "/_users/org.couchdb.user:erin")
            #expect(stored.json["_rev"] == "1-aaa" && stored.json["password"] == nil && stored.json["salt"] != nil)
        }
    }
}
