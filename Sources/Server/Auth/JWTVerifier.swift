import Crypto
import DocStore
import Foundation

/// HS256 JSON Web Tokens, as CouchDB's `jwt_authentication_handler` takes them: the
/// `sub` claim names the user, a configured claim lists roles, `exp`/`nbf` are checked.
struct JWTVerifier: Sendable {
    let keys: [String: [UInt8]]
    let rolesClaim: String

    func verify(_ token: String) throws(CouchError) -> UserContext {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64.decodeURL(parts[0]),
            let claimsBytes = Base64.decodeURL(parts[1]),
            let signature = Base64.decodeURL(parts[2]),
            let header = try? JSON.parse(headerBytes), let claims = try? JSON.parse(claimsBytes)
        else { throw Self.invalid("malformed token") }
        guard header["alg"]?.stringValue == "HS256" else { throw Self.invalid("only HS256 tokens are accepted") }
        let kid = header["kid"]?.stringValue ?? "_default"
        guard let secret = keys[kid] else { throw Self.invalid("unknown key") }
        let signed = Array("\(parts[0]).\(parts[1])".utf8)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret)))
        guard ConstantTime.equal(expected, signature) else {
            throw Self.invalid("signature does not match")
        }
        let now = Date().timeIntervalSince1970
        if let exp = claims["exp"]?.doubleValue, now >= exp { throw Self.invalid("token expired") }
        if let nbf = claims["nbf"]?.doubleValue, now < nbf { throw Self.invalid("token not yet valid") }
        guard let subject = claims["sub"]?.stringValue else { throw Self.invalid("token has no sub claim") }
        var roles: JSON? = claims
        for component in rolesClaim.split(separator: ".") { roles = roles?[String(component)] }
        if roles == nil { roles = claims[rolesClaim] }
        let names = roles?.arrayValue?.compactMap(\.stringValue) ?? []
        return UserContext(name: subject, roles: names, authenticatedBy: "jwt")
    }

    static func invalid(_ reason: String) -> CouchError { CouchError(.unauthorized, "unauthorized", reason) }
}
