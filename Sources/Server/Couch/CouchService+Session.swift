import DocStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/_session`: cookie login (JSON or form body), the current user, logout.
extension CouchService {
    func session(_ request: CouchRequest) async throws -> Response {
        switch request.method {
        case .get, .head:
            let user = request.user
            var handlers: [JSON] = ["cookie", "default"]
            if !configuration.jwtKeys.isEmpty { handlers.append("jwt") }
            var info: JSONObject = ["authentication_handlers": .array(handlers)]
            if let by = user.authenticatedBy { info["authenticated"] = .string(by) }
            return .json(["ok": true, "userCtx": user.json, "info": .object(info)])
        case .post:
            let (name, password) = try await credentials(request)
            guard let password, let user = authenticator.verify(name: name, password: password) else {
                var response = Response.error(CouchError(.unauthorized, "unauthorized", "Name or password is incorrect."))
                response.headers[.setCookie] = sessionCookieHeader("")
                return response
            }
            let cookie = sessionCookieHeader(authenticator.makeSessionCookie(name: name))
            let answer: JSON = ["ok": true, "name": .string(name), "roles": .array(user.roles.map(JSON.string))]
            if let next = request.query["next"] {
                guard next.hasPrefix("/"), !next.hasPrefix("//") else { throw CouchError.badRequest("next must be a local path") }
                // CouchDB's redirect still carries the JSON answer and its Cache-Control.
                return .json(answer, status: .found, headers: [.location: next, .setCookie: cookie, .cacheControl: "must-revalidate"])
            }
            return .json(answer, headers: [.setCookie: cookie])
        case .delete:
            return .json(["ok": true], headers: [.setCookie: sessionCookieHeader("")])
        default:
            throw CouchError.methodNotAllowed("GET,HEAD,POST,DELETE")
        }
    }

    /// The name and password of a login. CouchDB refuses a body without a name (400),
    /// and takes one without a password as a wrong password (401).
    private func credentials(_ request: CouchRequest) async throws -> (String, String?) {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let missingName = CouchError.badRequest("request body must contain a username")
        if type.hasPrefix("application/x-www-form-urlencoded") {
            let form = QueryParameters(String(decoding: try await request.bodyBytes(), as: UTF8.self))
            guard let name = form["name"] else { throw missingName }
            return (name, form["password"])
        }
        guard type.hasPrefix("application/json") else {
            throw CouchError(.unsupportedMediaType, "bad_content_type", "Content-Type must be 'application/x-www-form-urlencoded' or 'application/json'")
        }
        let body = try await request.jsonObjectBody()
        guard let name = (body["name"] ?? body["username"])?.stringValue else { throw missingName }
        return (name, body["password"]?.stringValue)
    }
}
