import Foundation
import HTTPTypes
import DocStore
import Testing
@testable import Server

@Suite struct ServerEndpointTests {
    @Test func welcomeAndUpNeedNoCredentials() async throws {
        try await TestServer.run { client in
            let welcome = try await client.request(.get, "/", auth: nil)
            #expect(welcome.status == .ok)
            #expect(welcome.json["couchdb"] == "Welcome")
            #expect(welcome.json["vendor"]?["name"] == "Divan")
            #expect(welcome.headers[.server]?.contains("Divan") == true)
            #expect(try await client.request(.get, "/_up", auth: nil).json["status"] == "ok")
        }
    }

    @Test func everythingElseNeedsCredentials() async throws {
        try await TestServer.run { client in
            for path in ["/_all_dbs", "/_uuids", "/_users", "/db", "/_membership", "/_node/_local/_config"] {
                let reply = try await client.request(.get, path, auth: nil)
                #expect(reply.status == .unauthorized, "\(path)")
                #expect(reply.error == "unauthorized")
            }
            let wrong = try await client.request(.get, "/_all_dbs", auth: TestServer.Client.basic("admin", "nope"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.json["reason"] == "Name or password is incorrect.")
        }
    }

    @Test func serverLevelEndpoints() async throws {
        try await TestServer.run { client in
            let dbs = try await client.request(.get, "/_all_dbs")
            #expect(dbs.json == ["_replicator", "_users"])
            let uuids = try await client.request(.get, "/_uuids?count=3")
            #expect(uuids.json["uuids"]?.arrayValue?.count == 3)
            #expect(try await client.request(.get, "/_uuids?count=x").status == .badRequest)
            #expect(try await client.request(.get, "/_membership").json["all_nodes"]?.arrayValue?.count == 1)
            #expect(try await client.request(.get, "/_active_tasks").json == [])
            let config = try await client.request(.get, "/_node/_local/_config/couchdb/max_document_size")
            #expect(config.json == "8000000")
            // CouchDB takes an unknown `_name` for a database: missing, or illegal to create.
            #expect(try await client.request(.get, "/_nope").status == .notFound)
            #expect(try await client.request(.put, "/_nope").error == "illegal_database_name")
            #expect(try await client.request(.get, "/_uuids?count=1001").error == "bad_request")
            #expect(try await client.request(.get, "/_all_dbs?startkey=notjson").error == "bad_request")
            let notAllowed = try await client.request(.post, "/_all_dbs", json: [:])
            #expect(notAllowed.status == .methodNotAllowed && notAllowed.headers[.allow] == "GET,HEAD")
            let info = try await client.request(.post, "/_dbs_info", json: ["keys": ["_users", "missing"]])
            #expect(info.json[0]?["info"]?["db_name"] == "_users")
            #expect(info.json[1]?["error"] == "not_found")
            #expect(try await client.request(.delete, "/").status == .methodNotAllowed)
        }
    }

    @Test func runtimeConfigurationChanges() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            #expect(try await client.request(.put, "/db/small", json: ["t": .string(String(repeating: "x", count: 500))]).status == .created)
            let old = try await client.request(.put, "/_node/_local/_config/couchdb/max_document_size", json: "100")
            #expect(old.json == "8000000")
            #expect(try await client.request(.put, "/db/big", json: ["t": .string(String(repeating: "x", count: 500))]).status == .contentTooLarge)
            #expect(try await client.request(.put, "/_node/_local/_config/couchdb/max_document_size", json: "-3").status == .badRequest)
            #expect(try await client.request(.put, "/_node/_local/_config/couchdb/uuid", json: "x").status == .badRequest)
            #expect(try await client.request(.get, "/_node/_local/_config").json["chttpd"]?["max_http_request_size"] != nil)
            #expect(try await client.request(.get, "/_node/_local/_config/couchdb/nope").status == .notFound)
        }
    }

    /// CouchDB's `_config` shapes: unknown keys are stored, trimmed and returned; DELETE
    /// answers the old value; wrong methods get `Allow`.
    @Test func configStoresOtherSectionsAsCouchDBDoes() async throws {
        try await TestServer.run { client in
            let base = "/_node/_local/_config"
            #expect(try await client.request(.put, "\(base)/myapp/k", json: "  v1  ").json == "")
            #expect(try await client.request(.get, "\(base)/myapp/k").json == "v1")
            #expect(try await client.request(.put, "\(base)/myapp/k", json: "v2").json == "v1")
            #expect(try await client.request(.put, "\(base)/myapp/k", json: 12).json["reason"] == "a JSON string expected")
            #expect(try await client.request(.get, "\(base)/myapp").json == ["k": "v2"])
            #expect(try await client.request(.get, "\(base)").json["myapp"] == ["k": "v2"])
            #expect(try await client.request(.delete, "\(base)/myapp/k").json == "v2")
            #expect(try await client.request(.delete, "\(base)/myapp/k").json["reason"] == "unknown_config_value")
            #expect(try await client.request(.get, "\(base)/nosuchsection").json == [:])
            #expect(try await client.request(.get, "\(base)/myapp/k/extra").json["reason"] == "missing")
            let section = try await client.request(.post, "\(base)/myapp", json: "x")
            #expect(section.status == .methodNotAllowed && section.headers[.allow] == "GET")
            let key = try await client.request(.post, "\(base)/myapp/k", json: "x")
            #expect(key.status == .methodNotAllowed && key.headers[.allow] == "GET,PUT,DELETE")
            #expect(try await client.request(.post, "\(base)/_reload").json == ["ok": true])
            // Settings Divan does not implement are refused, not ignored.
            #expect(try await client.request(.put, "\(base)/couchdb/max_attachment_size", json: "10").status == .badRequest)
            #expect(try await client.request(.delete, "\(base)/couchdb/max_document_size").status == .badRequest)
        }
    }

    static func maxDocumentSizeFlag(_ configuration: inout ServerConfiguration) {
        configuration.limits.maxDocumentSize = 2_000
        configuration.startOverrides.insert("couchdb/max_document_size")
    }

    /// Admins, limits and the `_uuids` count change at once and survive a restart;
    /// `X-Couch-Persist: false` lasts until the restart; a flag wins over a stored value.
    @Test func configChangesTakeEffectAndPersist() async throws {
        let directory = NSTemporaryDirectory() + "divan-config-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = "/_node/_local/_config"
        let bob = TestServer.Client.basic("bob", "hunter2")
        try await TestServer.run(directory: directory) { client in
            #expect(try await client.request(.get, "/_all_dbs", auth: bob).status == .unauthorized)
            #expect(try await client.request(.put, "\(base)/admins/bob", json: "hunter2").json == "")
            #expect(try await client.request(.get, "/_all_dbs", auth: bob).status == .ok)
            let hash = try await client.request(.get, "\(base)/admins/bob").json.stringValue
            #expect(hash?.hasPrefix("-pbkdf2:sha256-") == true)
            #expect(try await client.request(.put, "\(base)/uuids/max_count", json: "5").json == "1000")
            #expect(try await client.request(.get, "/_uuids?count=6").status == .badRequest)
            #expect(try await client.request(.put, "\(base)/chttpd_auth/timeout", json: "42").status == .ok)
            #expect(try await client.request(.put, "\(base)/myapp/k", json: "kept").status == .ok)
            let transient: HTTPFields = [HTTPField.Name("X-Couch-Persist")!: "false"]
            #expect(try await client.request(.put, "\(base)/myapp/gone", json: "x", headers: transient).status == .ok)
            #expect(try await client.request(.put, "\(base)/couchdb/max_document_size", json: "1000").status == .ok)
        }
        try await TestServer.run(.router, directory: directory, configure: Self.maxDocumentSizeFlag, { (client: TestServer.Client) async throws in
            #expect(try await client.request(.get, "/_all_dbs", auth: bob).status == .ok)
            #expect(try await client.request(.get, "/_uuids?count=6").status == .badRequest)
            #expect(try await client.request(.get, "\(base)/chttpd_auth/timeout").json == "42")
            #expect(try await client.request(.get, "\(base)/myapp/k").json == "kept")
            #expect(try await client.request(.get, "\(base)/myapp/gone").status == .notFound)
            #expect(try await client.request(.get, "\(base)/couchdb/max_document_size").json == "2000")
            #expect(try await client.request(.delete, "\(base)/admins/bob").status == .ok)
            #expect(try await client.request(.get, "/_all_dbs", auth: bob).status == .unauthorized)
            #expect(try await client.request(.delete, "\(base)/admins/admin").json["reason"] == "the last server admin cannot be deleted")
        })
    }

    @Test func statsAndPrometheus() async throws {
        try await TestServer.run { client in
            try await client.request(.get, "/_up")
            try await client.request(.get, "/missing-db")
            let stats = try await client.request(.get, "/_node/_local/_stats")
            #expect((stats.json["couchdb"]?["httpd_request_methods"]?["GET"]?["value"]?.int64Value ?? 0) >= 2)
            #expect(stats.json["couchdb"]?["httpd_status_codes"]?["404"]?["value"] == 1)
            let prometheus = try await client.request(.get, "/_node/_local/_prometheus")
            #expect(prometheus.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(prometheus.text.contains("couchdb_httpd_status_codes{code=\"404\"} 1"))
            #expect(prometheus.text.contains("couchdb_request_time_seconds"))
            #expect(try await client.request(.get, "/_node/_local/_prometheus", auth: nil).status == .unauthorized)
        }
    }

    @Test func corsPreflightAndHeaders() async throws {
        try await TestServer.run(configure: { $0.cors.enabled = true; $0.cors.origins = ["http://app.example"]; $0.cors.credentials = true }) { client in
            let preflight = try await client.request(.options, "/db", headers: [.origin: "http://app.example", .accessControlRequestMethod: "PUT"], auth: nil)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "http://app.example")
            #expect(preflight.headers[.accessControlAllowCredentials] == "true")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PUT") == true)
            let other = try await client.request(.get, "/", headers: [.origin: "http://evil.example"], auth: nil)
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let allowed = try await client.request(.get, "/", headers: [.origin: "http://app.example"], auth: nil)
            #expect(allowed.headers[.accessControlAllowOrigin] == "http://app.example")
        }
    }

    @Test func oversizedHeadersAreRefused() async throws {
        try await TestServer.run(configure: { $0.limits.maxHeaderSize = 1024 }) { client in
            let reply = try await client.request(.get, "/", headers: [.init("X-Padding")!: String(repeating: "p", count: 2000)], auth: nil)
            #expect(reply.status == .requestHeaderFieldsTooLarge)
            #expect(reply.error == "bad_request")
        }
    }

    @Test func sessionCookieLogin() async throws {
        try await TestServer.run { client in
            let bad = try await client.request(.post, "/_session", json: ["name": "admin", "password": "x"], auth: nil)
            #expect(bad.status == .unauthorized)
            let login = try await client.request(.post, "/_session", json: ["name": "admin", "password": .string(TestServer.password)], auth: nil)
            #expect(login.status == .ok)
            #expect(login.json["roles"] == ["_admin"])
            let setCookie = try #require(login.headers[.setCookie])
            #expect(setCookie.hasPrefix("AuthSession=") && setCookie.contains("HttpOnly"))
            let cookie = String(setCookie.split(separator: ";")[0])
            let session = try await client.request(.get, "/_session", headers: [.cookie: cookie], auth: nil)
            #expect(session.json["userCtx"]?["name"] == "admin")
            #expect(session.json["info"]?["authenticated"] == "cookie")
            #expect(try await client.request(.get, "/_all_dbs", headers: [.cookie: cookie], auth: nil).status == .ok)
            let tampered = cookie.dropLast(3) + "AAA"
            #expect(try await client.request(.get, "/_all_dbs", headers: [.cookie: String(tampered)], auth: nil).status == .unauthorized)
            let form = try await client.request(
                .post, "/_session?next=/_up", body: Array("name=admin&password=\(TestServer.password)".utf8),
                headers: [.contentType: "application/x-www-form-urlencoded"], auth: nil)
            #expect(form.status == .found && form.headers[.location] == "/_up")
            let logout = try await client.request(.delete, "/_session", auth: nil)
            // CouchDB logs out with an empty cookie that keeps the session's attributes.
            #expect(logout.headers[.setCookie]?.hasPrefix("AuthSession=; Version=1; Expires=") == true)
            #expect(logout.headers[.setCookie]?.hasSuffix("; Max-Age=600; Path=/; HttpOnly") == true)
            let anonymous = try await client.request(.get, "/_session", auth: nil)
            #expect(anonymous.json["userCtx"]?["name"] == .null)
        }
    }

    @Test func jwtBearerTokens() async throws {
        try await TestServer.run(configure: { $0.jwtKeys = ["_default": Array("jwt-secret".utf8)] }) { client in
            let token = JWTSupport.token(["sub": "alice", "_couchdb.roles": ["_admin"]], secret: "jwt-secret")
            let ok = try await client.request(.get, "/_all_dbs", headers: [.authorization: "Bearer \(token)"], auth: nil)
            #expect(ok.status == .ok)
            let forged = JWTSupport.token(["sub": "alice", "_couchdb.roles": ["_admin"]], secret: "other")
            #expect(try await client.request(.get, "/_all_dbs", headers: [.authorization: "Bearer \(forged)"], auth: nil).status == .unauthorized)
            let expired = JWTSupport.token(["sub": "alice", "exp": 1000], secret: "jwt-secret")
            #expect(try await client.request(.get, "/_session", headers: [.authorization: "Bearer \(expired)"], auth: nil).status == .unauthorized)
        }
    }
}

import Crypto

enum JWTSupport {
    static func token(_ claims: JSON, secret: String) -> String {
        let headerJSON: JSON = ["alg": "HS256", "typ": "JWT"]
        let header = Base64.encodeURL(headerJSON.serialized())
        let body = Base64.encodeURL(claims.serialized())
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(header).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "\(header).\(body).\(Base64.encodeURL(Array(mac)))"
    }
}
