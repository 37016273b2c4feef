import Crypto
import DocStore
import Foundation
import HTTPTypes
import Synchronization

/// Decides who a request runs as: server admins, `_users` documents, Basic auth,
/// `AuthSession` cookies and JWT bearer tokens.
///
/// PBKDF2 is slow on purpose; a verified password is remembered (as a SHA-256 of name
/// and password, never the password) next to the derived key it matched, so later
/// requests skip the derivation until the stored hash changes.
final class Authenticator: Sendable {
    static let usersDatabase = "_users"
    static let userPrefix = "org.couchdb.user:"

    private let secret: [UInt8]
    private let settings: RuntimeSettings
    var sessionTimeout: Int { settings.current.sessionTimeout }
    /// PBKDF2 iterations for new password hashes (`chttpd_auth/iterations`).
    var iterations: Int { settings.current.passwordIterations }
    private var admins: [String: PasswordHash] { settings.admins }
    private let store: DocumentStore
    private let jwt: JWTVerifier
    private let verified = Mutex<[String: (check: [UInt8], derivedKey: String)]>([:])

    init(secret: [UInt8], configuration: ServerConfiguration, store: DocumentStore, settings: RuntimeSettings) {
        self.secret = secret
        self.settings = settings
        self.store = store
        self.jwt = JWTVerifier(keys: configuration.jwtKeys, rolesClaim: configuration.jwtRolesClaim)
    }

    /// The user a request's credentials name, or anonymous without credentials.
    /// - Throws: 401 for wrong credentials.
    func authenticate(_ headers: HTTPFields) throws(CouchError) -> (user: UserContext, refreshedCookie: String?) {
        if let authorization = headers[.authorization] {
            if authorization.lowercased().hasPrefix("basic ") {
                guard let decoded = Base64.decode(authorization.dropFirst(6)),
                    let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":")
                else { throw CouchError(.unauthorized, "unauthorized", "Invalid Basic authorization header") }
                let name = String(text[..<colon])
                let password = String(text[text.index(after: colon)...])
                guard var user = verify(name: name, password: password) else {
                    throw CouchError(.unauthorized, "unauthorized", "Name or password is incorrect.")
                }
                user.authenticatedBy = "default"
                return (user, nil)
            }
            if authorization.lowercased().hasPrefix("bearer ") {
                let user = try jwt.verify(String(authorization.dropFirst(7)))
                return (user, nil)
            }
        }
        if let cookie = Self.cookie(named: "AuthSession", in: headers), !cookie.isEmpty {
            // CouchDB refuses a cookie that is not base64url of `name:time:hash` outright.
            guard let decoded = Base64.decodeURL(cookie), decoded.count(where: { $0 == UInt8(ascii: ":") }) >= 2 else {
                throw CouchError.badRequest("Malformed AuthSession cookie. Please clear your cookies.")
            }
            if let (user, issued) = validateSession(cookie) {
                let age = Int(Date().timeIntervalSince1970) - issued
                // Refresh once a tenth of the timeout has passed, as CouchDB does.
                let refreshed = age > sessionTimeout / 10 ? makeSessionCookie(name: user.name!) : nil
                return (user, refreshed)
            }
        }
        return (.anonymous, nil)
    }

    /// Checks a name and password against the server admins, then `_users`.
    func verify(name: String, password: String) -> UserContext? {
        if let hash = admins[name] {
            return check(name: name, password: password, hash: hash) ? UserContext(name: name, roles: ["_admin"], authenticatedBy: nil) : nil
        }
        guard let document = userDocument(name), let hash = PasswordHash(userDocument: document),
            check(name: name, password: password, hash: hash)
        else { return nil }
        return UserContext(name: name, roles: Self.roles(of: document), authenticatedBy: nil)
    }

    private func check(name: String, password: String, hash: PasswordHash) -> Bool {
        let key = Array(SHA256.hash(data: Array("\(name)\u{0}\(password)".utf8)))
        if let known = verified.withLock({ $0[name] }), known.check == key, known.derivedKey == hash.derivedKey {
            return true
        }
        guard hash.verify(password) else { return false }
        verified.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[name] = (key, hash.derivedKey)
        }
        return true
    }

    /// The `_users` document of `name`, if any.
    func userDocument(_ name: String) -> JSONObject? {
        guard let database = try? store.database(Self.usersDatabase),
            let document = try? database.document(Self.userPrefix + name)
        else { return nil }
        return document.fields()
    }

    static func roles(of userDocument: JSONObject) -> [String] {
        userDocument["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    // MARK: Sessions

    /// A fresh `AuthSession` value: base64url of `name:timestamp-hex:hmac`.
    func makeSessionCookie(name: String) -> String {
        let timestamp = String(Int(Date().timeIntervalSince1970), radix: 16, uppercase: true)
        let payload = "\(name):\(timestamp)"
        let mac = sessionMAC(payload, name: name)
        return Base64.encodeURL(Array(payload.utf8) + [UInt8(ascii: ":")] + mac)
    }

    private func sessionMAC(_ payload: String, name: String) -> [UInt8] {
        // The user's salt joins the key, so a password change ends their sessions.
        let salt = admins[name]?.salt ?? userDocument(name)?["salt"]?.stringValue ?? ""
        let key = SymmetricKey(data: secret + Array(salt.utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key))
    }

    private func validateSession(_ cookie: String) -> (UserContext, Int)? {
        guard let bytes = Base64.decodeURL(cookie), bytes.count > 33 else { return nil }
        let payloadBytes = bytes.dropLast(33)
        guard bytes[bytes.count - 33] == UInt8(ascii: ":"),
            let payload = String(validating: Array(payloadBytes), as: UTF8.self),
            let colon = payload.lastIndex(of: ":"), let issued = Int(payload[payload.index(after: colon)...], radix: 16)
        else { return nil }
        let name = String(payload[..<colon])
        let mac = Array(bytes.suffix(32))
        let expected = sessionMAC(payload, name: name)
        guard ConstantTime.equal(mac, expected) else { return nil }
        guard Int(Date().timeIntervalSince1970) - issued < sessionTimeout else { return nil }
        if admins[name] != nil { return (UserContext(name: name, roles: ["_admin"], authenticatedBy: "cookie"), issued) }
        guard let document = userDocument(name) else { return nil }
        return (UserContext(name: name, roles: Self.roles(of: document), authenticatedBy: "cookie"), issued)
    }

    static func cookie(named name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}
