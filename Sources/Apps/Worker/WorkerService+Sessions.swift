import DocStore
import Foundation

/// A login: the `session_<userId>_<sessionId>` document of `global-db`.
public struct Session: Sendable, Equatable {
    public let userID: String
    public let sessionID: String
    /// Cookie-authenticated writes must echo it in `x-csrf-token`.
    public let csrfToken: String
    public let createdAt: Date
    public let lastAccessedAt: Date

    static func documentID(userID: String, sessionID: String) -> String {
        WorkerService.sessionPrefix + userID + "_" + sessionID
    }
}

extension WorkerService {
    /// One answer for every failed credential, so it says nothing about which part was wrong.
    static var invalidCredentials: AppError { AppError(.unauthorized, "Invalid credentials") }
    static var unauthorized: AppError { AppError(.unauthorized, "Unauthorized") }

    /// `POST /api/global/auth/{tenantId}/login`: checks the password and starts a session.
    /// - Returns: the signed token (the `budibase:auth` cookie) and the session.
    /// - Throws: 401 for an unknown user, a wrong password, an inactive user or one with no
    ///   password, alike; 429 after too many failures for the account (`LoginThrottle`).
    public func login(username: String, password: String) async throws(AppError) -> (token: String, session: Session, user: JSONObject) {
        let account = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard throttle.allows(account, at: now) else {
            throw AppError(.tooManyRequests, "Too many failed login attempts; try again later")
        }
        let database = try globalDatabase()
        let user = apps.readIfPresent(database, UserRecord.claimID(account))?["userId"]?.stringValue
            .flatMap { apps.readIfPresent(database, $0) }
        // An unknown user costs a derivation as well, so timing does not tell users apart.
        let hash = user.flatMap(PasswordHash.init(userDocument:))
            ?? PasswordHash(derivedKey: "", salt: "00", iterations: configuration.passwordIterations)
        guard hash.verify(password), let user, user["status"]?.stringValue == "active", let userID = user["_id"]?.stringValue else {
            throttle.recordFailure(account, at: now)
            throw Self.invalidCredentials
        }
        throttle.recordSuccess(account)
        let session = Session(
            userID: userID, sessionID: Self.randomHex(16), csrfToken: Self.randomHex(16), createdAt: now, lastAccessedAt: now)
        try await apps.write(database, document(session), what: "Session")
        return (SessionToken.sign(userID: userID, sessionID: session.sessionID, key: tokenKey), session, UserRecord.publicUser(user))
    }

    /// The user and session a token names, refreshing `lastAccessedAt` when more than
    /// `sessionRefreshInterval` has passed (at most one write a minute per session).
    /// - Throws: 401, alike for a forged or malformed token, an expired or ended session,
    ///   and a deleted or inactive user.
    public func authenticate(token: String) async throws(AppError) -> (Principal, Session) {
        guard let (userID, sessionID) = SessionToken.verify(token, key: tokenKey) else { throw Self.unauthorized }
        let database = try globalDatabase()
        let id = Session.documentID(userID: userID, sessionID: sessionID)
        guard let document = apps.readIfPresent(database, id), let session = Self.session(document) else { throw Self.unauthorized }
        let current = now
        guard current.timeIntervalSince(session.lastAccessedAt) < configuration.sessionLifetime else {
            try? await delete(database, id)
            throw Self.unauthorized
        }
        guard let user = activeUser(userID, database) else { throw Self.unauthorized }
        if current.timeIntervalSince(session.lastAccessedAt) >= configuration.sessionRefreshInterval {
            var refreshed = document
            refreshed["lastAccessedAt"] = .string(AppService.timestamp(current))
            // A concurrent request refreshed it (conflict) or logged out: either is fine.
            _ = try? await apps.write(database, refreshed, what: "Session")
        }
        return (Principal(user: user), session)
    }

    /// `POST /api/global/auth/logout`: ends the session; its token is refused from now on.
    public func logout(_ session: Session) async throws(AppError) {
        try await delete(try globalDatabase(), Session.documentID(userID: session.userID, sessionID: session.sessionID))
    }

    /// Ends every session of a user (deleted, deactivated, or a password change), but
    /// `keeping` (the one that changed its own password).
    func deleteSessions(of userID: String, keeping: String? = nil, _ database: DocumentDatabase) async throws(AppError) {
        let kept = keeping.map { Session.documentID(userID: userID, sessionID: $0) }
        try await forEachID(database, prefix: Self.sessionPrefix + userID + "_") { ids throws(AppError) in
            for id in ids where id != kept { try await delete(database, id) }
        }
    }

    /// A user document that may act: live and active.
    func activeUser(_ userID: String, _ database: DocumentDatabase) -> JSONObject? {
        guard userID.hasPrefix(Self.userPrefix), let user = apps.readIfPresent(database, userID),
            user["status"]?.stringValue == "active"
        else { return nil }
        return user
    }

    func document(_ session: Session) -> JSONObject {
        [
            "_id": .string(Session.documentID(userID: session.userID, sessionID: session.sessionID)),
            "userId": .string(session.userID), "sessionId": .string(session.sessionID),
            "csrfToken": .string(session.csrfToken), "createdAt": .string(AppService.timestamp(session.createdAt)),
            "lastAccessedAt": .string(AppService.timestamp(session.lastAccessedAt)),
        ]
    }

    static func session(_ document: JSONObject) -> Session? {
        guard let userID = document["userId"]?.stringValue, let sessionID = document["sessionId"]?.stringValue,
            let csrf = document["csrfToken"]?.stringValue, let created = AppService.parseTimestamp(document["createdAt"]?.stringValue),
            let accessed = AppService.parseTimestamp(document["lastAccessedAt"]?.stringValue)
        else { return nil }
        return Session(userID: userID, sessionID: sessionID, csrfToken: csrf, createdAt: created, lastAccessedAt: accessed)
    }
}
