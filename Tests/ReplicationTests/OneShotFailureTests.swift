import DocStore
import Foundation
import Testing
@testable import Replication

/// How a one-shot `POST /_replicate` ends when a peer refuses or is gone: answered at
/// once with CouchDB 3.4.3's status and body (recorded from it), the job removed; only
/// transient errors are retried, per request.
@Suite(.serialized) struct OneShotFailureTests {
    static func replicate(_ runner: DivanProcess, source: String, target: String) async throws -> (TestReply, Duration) {
        let started = ContinuousClock.now
        let reply = try await runner.request(.POST, "/_replicate", json: ["source": .string(source), "target": .string(target)])
        return (reply, ContinuousClock.now - started)
    }

    @Test func permanentErrorsAnswerAtOnceAsCouchDBDoes() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/src").status == 201)
        try await a.fill("src", count: 3)
        #expect(try await a.request(.PUT, "/private").status == 201)  // admins only
        let bob: JSON = ["name": "bob", "password": "pw", "roles": [], "type": "user"]
        #expect(try await a.request(.PUT, "/_users/org.couchdb.user:bob", json: bob).status == 201)
        let host = a.url.replacingOccurrences(of: "http://", with: "")
        let source = a.adminURL + "/src"

        // Credentials in the URL open a session first; refused, that is CouchDB's
        // replication_auth_error with its Erlang term.
        let (wrong, wrongTime) = try await Self.replicate(b, source: source, target: "http://nobody:wrong@\(host)/private")
        #expect(wrong.status == 500)
        #expect(wrong.json == ["error": "replication_auth_error",
                               "reason": .string("{session_request_unauthorized,\"\(a.url)/_session\",\"nobody\"}")])
        let (forbidden, _) = try await Self.replicate(b, source: source, target: "http://bob:pw@\(host)/private")
        #expect(forbidden.status == 403)
        #expect(forbidden.json == ["error": "forbidden", "reason": .string("\(a.url)/private/")])
        let (anonymous, _) = try await Self.replicate(b, source: source, target: "\(a.url)/private")
        #expect(anonymous.status == 401)
        #expect(anonymous.json == ["error": "unauthorized", "reason": .string("unauthorized to access or create database \(a.url)/private/")])
        let (missing, _) = try await Self.replicate(b, source: a.adminURL + "/absent", target: "copy")
        #expect(missing.status == 500)
        #expect(missing.json == ["error": "db_not_found", "reason": .string("could not open \(a.url)/absent/")])
        let (missingTarget, _) = try await Self.replicate(b, source: source, target: a.adminURL + "/absent")
        #expect(missingTarget.json == ["error": "db_not_found", "reason": .string("could not open \(a.url)/absent/")])
        #expect(wrongTime < .seconds(5))
        #expect(try await b.request(.GET, "/_scheduler/jobs").json["jobs"] == [])

        // A `_replicator` document keeps trying (CouchDB's permanent jobs), shown crashing.
        let document: JSON = ["source": .string(source), "target": .string("http://bob:pw@\(host)/private")]
        #expect(try await b.request(.PUT, "/_replicator/refused", json: document).status == 201)
        var row = JSON.null
        let crashing = try await DivanProcess.eventually(30) {
            row = try await b.request(.GET, "/_scheduler/docs/_replicator/refused").json
            return row["state"] == "crashing"
        }
        #expect(crashing, "\(row)")
        #expect(row["info"] == ["error": .string("forbidden: \(a.url)/private/")])
        #expect(row["target"] == .string("\(a.url)/private/"))
    }

    @Test func aPeerThatIsDownEndsTheReplicationAfterTheRequestRetries() async throws {
        let b = try await DivanProcess()
        #expect(try await b.request(.PUT, "/local").status == 201)
        let nobody = "http://127.0.0.1:\(try freePort())"
        let (down, elapsed) = try await Self.replicate(b, source: "local", target: nobody + "/x")
        #expect(down.status == 500)
        #expect(down.json == ["error": "error", "reason": .string(
            "{http_request_failed,\"GET\",\"\(nobody)/x/\",\n                     {error,{error,{conn_failed,{error,econnrefused}}}}}")])
        // Five retries, 250 ms doubling (CouchDB: the same, about 8 s), not minutes.
        #expect(elapsed > .seconds(4) && elapsed < .seconds(30), "\(elapsed)")
        // With credentials the session request fails first, and is not retried.
        let withCredentials = nobody.replacingOccurrences(of: "http://", with: "http://admin:pw@")
        let (login, loginTime) = try await Self.replicate(b, source: "local", target: withCredentials + "/x")
        #expect(login.status == 500)
        #expect(login.json["error"] == "replication_auth_error")
        #expect(login.json["reason"]?.stringValue?.hasPrefix("{session_request_failed,\"\(nobody)/_session\",\"admin\",") == true)
        #expect(loginTime < .seconds(3))
        #expect(try await b.request(.GET, "/_scheduler/jobs").json["jobs"] == [])
    }

    @Test func transientErrorsMidRunAreRetriedPerRequest() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/src").status == 201)
        try await a.fill("src", count: 1_500)
        let proxy = FaultyProxy(upstream: a.adminURL)
        let proxied = try await proxy.start()
        defer { proxy.stop() }
        let source = proxied.replacingOccurrences(of: "http://", with: "http://\(DivanProcess.admin.0):\(DivanProcess.admin.1)@") + "/src"
        let reply = try await b.request(.POST, "/_replicate", json: [
            "source": .string(source), "target": "copy", "create_target": true, "worker_batch_size": 100,
        ])
        #expect(reply.status == 200, "\(reply.text)")
        #expect(proxy.faults.load(ordering: .relaxed) > 5, "the proxy injected too few faults to test anything")
        #expect(try await b.leaves("copy") == a.leaves("src"))
    }
}

@Test func erlangTermsPrintAsCouchDBPrintsThem() {
    let short = ErlangTerm.tuple([.atom("session_request_unauthorized"), .string("http://127.0.0.1:5984/_session"), .string("nobody")])
    #expect(short.pretty == #"{session_request_unauthorized,"http://127.0.0.1:5984/_session","nobody"}"#)
    let refused = ErlangTerm.tuple([.atom("conn_failed"), .tuple([.atom("error"), .atom("econnrefused")])])
    // Both recorded from CouchDB 3.4.3's answers.
    let session = ErlangTerm.tuple([.atom("session_request_failed"), .string("http://127.0.0.1:5999/_session"), .string("admin"), refused])
    #expect(session.pretty == "{session_request_failed,\"http://127.0.0.1:5999/_session\",\"admin\",\n                        {conn_failed,{error,econnrefused}}}")
    let request = ErlangTerm.tuple([
        .atom("http_request_failed"), .string("GET"), .string("http://127.0.0.1:5999/rtgt/"),
        .tuple([.atom("error"), .tuple([.atom("error"), refused])]),
    ])
    #expect(request.pretty == "{http_request_failed,\"GET\",\"http://127.0.0.1:5999/rtgt/\",\n                     {error,{error,{conn_failed,{error,econnrefused}}}}}")
}
