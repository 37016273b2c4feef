import AsyncHTTPClient
import DocStore
import NIOCore
import NIOHTTP1

/// A whole HTTP answer.
struct HTTPReply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    /// The body as JSON. - Throws: transient `invalid_response` (a cut connection
    /// gives half a body).
    func json() throws(ReplicationError) -> JSON {
        do {
            return try JSON.parse(body)
        } catch {
            throw ReplicationError(.invalidResponse, "status \(status) with a body that is not JSON")
        }
    }

    var isSuccess: Bool { (200..<300).contains(status) }
}

extension HTTPPeer {
    /// Sends a request and reads the whole answer (up to `limit` bytes).
    /// - Throws: transient `peer_unreachable` when the connection fails.
    func request(
        _ method: HTTPMethod, _ suffix: String, query: [(String, String)] = [], json: JSON? = nil, bytes: [UInt8]? = nil,
        headers: [(String, String)] = [], timeout: TimeAmount = .seconds(120), limit: Int = 1 << 30
    ) async throws(ReplicationError) -> HTTPReply {
        let body = json.map { $0.serialized() } ?? bytes
        var sendHeaders = headers
        if json != nil { sendHeaders.append(("Content-Type", "application/json")) }
        for attempt in 0..<2 {
            let usedCookie = session.withLock { $0.cookie != nil }
            let response = try await execute(
                method, suffix, query: query, body: body.map { .bytes(ByteBuffer(bytes: $0)) }, headers: sendHeaders, timeout: timeout)
            let reply: HTTPReply
            do {
                let collected = try await response.body.collect(upTo: limit)
                reply = HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
            } catch {
                throw connectionFailure(error, method, suffix)
            }
            // An expired session: log in again once.
            if reply.status == 401, usedCookie, attempt == 0 {
                session.withLock { $0 = SessionState() }
                continue
            }
            return reply
        }
        throw ReplicationError(.unauthorized, "unauthorized to access \(displayName)")
    }

    /// Sends a request with credentials and returns the answer's head with its body
    /// still streaming. Logs in first when the URL has credentials.
    func execute(
        _ method: HTTPMethod, _ suffix: String, query: [(String, String)] = [], body: HTTPClientRequest.Body?,
        headers: [(String, String)], timeout: TimeAmount = .seconds(120)
    ) async throws(ReplicationError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url + suffix + Self.queryString(query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Divan/\(DivanVersion.string) replicator")
        for (name, value) in extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if extraHeaders.keys.contains(where: { $0.lowercased() == "authorization" }) == false {
            for (name, value) in try await credentialHeaders() { request.headers.replaceOrAdd(name: name, value: value) }
        }
        request.body = body
        do {
            let response = try await client.execute(request, timeout: timeout)
            rememberCookie(response.headers)
            return response
        } catch {
            throw connectionFailure(error, method, suffix)
        }
    }

    /// A request that got no answer: transient, and named as CouchDB names it when it
    /// ends a replication (`{"error":"error","reason":"{http_request_failed,…}"}`).
    func connectionFailure(_ error: Error, _ method: HTTPMethod, _ suffix: String) -> ReplicationError {
        if Task.isCancelled || error is CancellationError { return .cancelled }
        let term = ErlangTerm.tuple([
            .atom("http_request_failed"), .string(method.rawValue), .string(url + (suffix.isEmpty ? "/" : suffix)),
            .tuple([.atom("error"), .tuple([.atom("error"), Self.erlangReason(error)])]),
        ])
        return ReplicationError(.requestFailed, term.pretty, transient: true)
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\($0.0)=\(encode(query: $0.1))" }.joined(separator: "&")
    }

    /// `Cookie: AuthSession=…` once a session is open, else Basic credentials.
    /// - Throws: `replication_auth_error` when the server refuses the login.
    private func credentialHeaders() async throws(ReplicationError) -> [(String, String)] {
        guard let user, let password else { return [] }
        let (cookie, tried) = session.withLock { ($0.cookie, $0.triedLogin) }
        if let cookie { return [("Cookie", "AuthSession=\(cookie)")] }
        if !tried, let fresh = try await login(user: user, password: password) { return [("Cookie", "AuthSession=\(fresh)")] }
        return [("Authorization", basicCredentials(user, password))]
    }

    private func basicCredentials(_ user: String, _ password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    /// `POST /_session`, answered as CouchDB's replicator does
    /// (couch_replicator_auth_session:init_state/1, http_response/2): a cookie on 200
    /// (none given: Basic auth then); 404, no sessions: Basic auth; 401 with
    /// `WWW-Authenticate`: once more with Basic credentials; any other refusal, or no
    /// answer at all, fails the replication with `replication_auth_error`, not retried.
    private func login(user: String, password: String) async throws(ReplicationError) -> String? {
        session.withLock { $0.triedLogin = true }
        let sessionURL = String(url.dropLast(path.count)) + "/_session"
        func failure(_ tag: String, _ detail: [ErlangTerm] = [], code: String? = nil) -> ReplicationError {
            let term = ErlangTerm.tuple([.atom(tag)] + (code.map { [.string($0)] } ?? []) + [.string(sessionURL), .string(user)] + detail)
            return ReplicationError(.authenticationFailed, term.pretty)
        }
        var requireValidUser = false
        while true {
            var request = HTTPClientRequest(url: sessionURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: "application/json")
            if requireValidUser { request.headers.add(name: "Authorization", value: basicCredentials(user, password)) }
            let body: JSON = ["name": .string(user), "password": .string(password)]
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
            } catch {
                if Task.isCancelled || error is CancellationError { throw .cancelled }
                throw failure("session_request_failed", [Self.erlangReason(error)])
            }
            switch response.status.code {
            case 200:
                rememberCookie(response.headers)
                return session.withLock { $0.cookie }
            case 401 where !response.headers["WWW-Authenticate"].isEmpty:
                if requireValidUser { throw failure("session_requires_valid_user") }
                requireValidUser = true
            case 401: throw failure("session_request_unauthorized")
            case 403: throw failure("session_request_forbidden")
            case 404: return nil
            default: throw failure("session_unexpected_result", code: String(response.status.code))
            }
        }
    }

    /// How ibrowse names a failed connection in CouchDB's reasons: refused is
    /// `{conn_failed,{error,econnrefused}}`; others are approximated.
    static func erlangReason(_ error: Error) -> ErlangTerm {
        let text = "\(error)"
        if text.contains("Connection refused") || text.contains("errno: 111") {
            return .tuple([.atom("conn_failed"), .tuple([.atom("error"), .atom("econnrefused")])])
        }
        if text.lowercased().contains("timeout") || text.lowercased().contains("timed out") { return .atom("req_timedout") }
        return .tuple([.atom("conn_failed"), .tuple([.atom("error"), .string(text)])])
    }

    /// Keeps a (refreshed) `AuthSession` cookie the server sets.
    private func rememberCookie(_ headers: HTTPHeaders) {
        for header in headers["Set-Cookie"] {
            guard let pair = header.split(separator: ";").first, pair.hasPrefix("AuthSession=") else { continue }
            let value = String(pair.dropFirst("AuthSession=".count))
            session.withLock { $0.cookie = value.isEmpty ? nil : value }
        }
    }

    /// The error an unsuccessful answer stands for.
    func failure(_ reply: HTTPReply, _ what: String) -> ReplicationError {
        let json = try? reply.json()
        let name = json?["error"]?.stringValue ?? ""
        let reason = json?["reason"]?.stringValue ?? String(decoding: reply.body.prefix(200), as: UTF8.self)
        let detail = "\(what) on \(displayName): \(reply.status) \(name) \(reason)"
        switch reply.status {
        case 401: return ReplicationError(.unauthorized, detail)
        case 403: return ReplicationError(.forbidden, detail)
        case 404 where name == "not_found" && (reason == "Database does not exist." || reason == "no_db_file"):
            return ReplicationError(.databaseNotFound, "could not open \(displayName)")
        case 409: return ReplicationError(.conflict, detail)
        case 412 where name == "missing_stub": return ReplicationError(.missingStub, detail)
        case 400, 404, 405, 413, 415: return ReplicationError(.badRequest, detail)
        default: return ReplicationError(.peerUnreachable, detail, transient: true)
        }
    }
}
