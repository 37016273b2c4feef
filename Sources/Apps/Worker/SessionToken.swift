import Crypto
import DocStore

/// The value of the `budibase:auth` cookie and `x-budibase-token` header: an HS256 JWT,
/// as Budibase's is, whose claims name the user and the session (`{userId, sessionId,
/// tenantId}`). It carries no expiry: the session document decides, so logout and
/// deleting a user end it at once. The signature only proves the server made it.
enum SessionToken {
    static let header = Base64.encodeURL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    /// Longest token read; anything longer is not one of ours (bounds the work done).
    static let maxLength = 1024

    static func sign(userID: String, sessionID: String, key: SymmetricKey) -> String {
        let claims: JSON = ["userId": .string(userID), "sessionId": .string(sessionID), "tenantId": "default"]
        let signed = header + "." + Base64.encodeURL(claims.serialized())
        return signed + "." + Base64.encodeURL(Array(HMAC<SHA256>.authenticationCode(for: Array(signed.utf8), using: key)))
    }

    /// The user and session ids of a token this server signed, or nil for anything else.
    static func verify(_ token: String, key: SymmetricKey) -> (userID: String, sessionID: String)? {
        guard token.utf8.count <= maxLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == header, let signature = Base64.decodeURL(parts[2]) else { return nil }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: Array("\(parts[0]).\(parts[1])".utf8), using: key))
        guard ConstantTime.equal(expected, signature), let claimBytes = Base64.decodeURL(parts[1]),
            let claims = try? JSON.parse(claimBytes), let userID = claims["userId"]?.stringValue,
            let sessionID = claims["sessionId"]?.stringValue
        else { return nil }
        return (userID, sessionID)
    }
}
