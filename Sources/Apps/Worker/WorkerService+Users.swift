import DocStore

extension WorkerService {
    /// `POST /api/global/users/init`: the first admin (admin and builder), once.
    /// - Throws: 403 once any user exists or init ran; 400 for a bad email or password.
    public func createFirstAdmin(_ body: JSONObject) async throws(AppError) -> JSONObject {
        let database = try globalDatabase()
        let alreadyDone = AppError(.forbidden, "The first admin has already been created")
        guard try !anyUserExists(database) else { throw alreadyDone }
        // The marker is the compare-and-set: of concurrent inits, one creates it.
        do {
            try await apps.write(database, ["_id": .string(Self.initMarkerID), "createdAt": .string(AppService.timestamp(now))], what: "Init")
        } catch where error.kind == .conflict {
            throw alreadyDone
        }
        var user = body
        user["admin"] = ["global": true]
        user["builder"] = ["global": true]
        do {
            return try await createUser(user, privileged: true)
        } catch {
            // A bad email or password leaves init possible.
            try? await delete(database, Self.initMarkerID)
            throw error
        }
    }

    /// `POST /api/global/users` (without `_id`) and `POST /api/public/v1/users`.
    /// - Parameter privileged: whether status, flags and roles may be set (admins).
    /// - Throws: 400 for bad fields or an email in use (compared ignoring case).
    public func createUser(_ body: JSONObject, privileged: Bool = true) async throws(AppError) -> JSONObject {
        let database = try globalDatabase()
        let email = try UserRecord.email(body["email"])
        let id = AppService.newID(Self.userPrefix)
        var user: JSONObject = [
            "_id": .string(id), "email": .string(email), "status": "active", "builder": ["global": false],
            "admin": ["global": false], "roles": [:], "forceResetPassword": false, "tenantId": "default",
        ]
        try UserRecord.apply(body, to: &user, privileged: privileged)
        if let password = body["password"], password != .null {
            PasswordHash.make(password: try UserRecord.password(password), iterations: configuration.passwordIterations).apply(to: &user)
        }
        let stamp = AppService.timestamp(now)
        user["createdAt"] = .string(stamp)
        user["updatedAt"] = .string(stamp)
        // The user first, then the claim: a claim then always names a user written before
        // it, so a claim whose user is missing was left by a deletion and may be taken over.
        let written = try await apps.write(database, user, what: "User")
        do {
            try await claim(email, for: id, database)
        } catch {
            try? await delete(database, id)
            throw error
        }
        return UserRecord.publicUser(written)
    }

    /// `POST /api/global/users` with `_id`, `PUT /api/public/v1/users/{id}`: changes the
    /// fields given; a new email is claimed before the user changes, the old released after.
    /// A new password ends the user's other sessions (`keepingSession`: the caller's own).
    public func updateUser(
        _ id: String, _ body: JSONObject, privileged: Bool = true, keepingSession: String? = nil
    ) async throws(AppError) -> JSONObject {
        let database = try globalDatabase()
        let existing = try user(id, database)
        let oldEmail = existing["email"]?.stringValue ?? ""
        let newEmail = body["email"] == nil ? oldEmail : try UserRecord.email(body["email"])
        let emailChanges = newEmail.lowercased() != oldEmail.lowercased()
        let hash = try body["password"].map { value throws(AppError) in
            PasswordHash.make(password: try UserRecord.password(value), iterations: configuration.passwordIterations)
        }
        if emailChanges { try await claim(newEmail, for: id, database) }
        let updated: JSONObject
        do {
            updated = try await apps.modify(database, id, what: "User") { user throws(AppError) in
                try UserRecord.apply(body, to: &user, privileged: privileged)
                user["email"] = .string(newEmail)
                hash?.apply(to: &user)
                user["updatedAt"] = .string(AppService.timestamp(now))
            }
        } catch {
            if emailChanges { try? await release(newEmail, of: id, database) }
            throw error
        }
        if emailChanges { try await release(oldEmail, of: id, database) }
        if hash != nil { try await deleteSessions(of: id, keeping: keepingSession, database) }
        return UserRecord.publicUser(updated)
    }

    /// `DELETE /api/global/users/{id}`: the user, then their email claim, sessions and
    /// API key. Deleting the user document first ends every session and key at once.
    public func deleteUser(_ id: String) async throws(AppError) -> JSONObject {
        let database = try globalDatabase()
        let existing = try user(id, database)
        try await delete(database, id)
        try await release(existing["email"]?.stringValue ?? "", of: id, database)
        try await deleteSessions(of: id, database)
        if let info = apps.readIfPresent(database, Self.developerInfoPrefix + id) {
            if let hash = info["apiKeyHash"]?.stringValue { try await delete(database, Self.apiKeyPrefix + hash) }
            try await delete(database, Self.developerInfoPrefix + id)
        }
        return UserRecord.publicUser(existing)
    }

    /// `GET /api/global/users/{id}`: the user without the password hash. - Throws: 404.
    public func publicUser(_ id: String) throws(AppError) -> JSONObject {
        UserRecord.publicUser(try user(id, try globalDatabase()))
    }

    /// `POST /api/global/users/search`: users whose email starts with `prefix` (ignoring
    /// case), in email order, `limit` a page. Read from the email claims' id range and the
    /// page's user documents only, never every user.
    /// - Parameter bookmark: the `nextPage` of the previous page.
    /// - Returns: the page and the bookmark of the next one, nil on the last page.
    public func searchUsers(prefix: String, bookmark: String?, limit: Int) throws(AppError) -> (users: [JSONObject], nextPage: String?) {
        let database = try globalDatabase()
        var options = AllDocumentsOptions()
        options.prefix = UserRecord.claimID(prefix)
        options.includeDocuments = true
        options.limit = limit + 1
        if let bookmark, !bookmark.isEmpty {
            guard let bytes = Base64.decodeURL(bookmark), let after = String(validating: bytes, as: UTF8.self) else {
                throw AppError.badRequest("bookmark is not one this server gave")
            }
            options.startKey = UserRecord.claimID(after)
            options.skip = 1
        }
        let claims: [AllDocumentsRow]
        do { claims = try database.allDocuments(options).rows } catch { throw AppError(error, what: "Users") }
        let page = claims.prefix(limit)
        var users: [JSONObject] = []
        for row in page {
            guard let userID = row.document?.fields()["userId"]?.stringValue, let user = apps.readIfPresent(database, userID) else { continue }
            users.append(UserRecord.publicUser(user))
        }
        let next = claims.count > limit ? page.last.map { Base64.encodeURL(Array($0.id.dropFirst(Self.emailPrefix.count).utf8)) } : nil
        return (users, next)
    }

    // MARK: Helpers

    /// A live user document. - Throws: 404.
    func user(_ id: String, _ database: DocumentDatabase) throws(AppError) -> JSONObject {
        guard id.hasPrefix(Self.userPrefix), let user = apps.readIfPresent(database, id) else { throw AppError.notFound("User \(id)") }
        return user
    }

    func anyUserExists(_ database: DocumentDatabase) throws(AppError) -> Bool {
        var options = AllDocumentsOptions()
        options.prefix = Self.userPrefix
        options.limit = 1
        do { return try !database.allDocuments(options).rows.isEmpty } catch { throw AppError(error, what: "Users") }
    }

    /// Makes `email` name `userID`, which must be written already. - Throws: 400 when
    /// another user has it.
    ///
    /// A claim whose user document is gone (a crash between deleting a user and releasing
    /// the claim) is taken over, with its `_rev` so that a racing taker conflicts. A claim
    /// naming a live user is never taken over, even when that user's email differs (an
    /// email change in progress claims first): taking it would let two users share it.
    func claim(_ email: String, for userID: String, _ database: DocumentDatabase) async throws(AppError) {
        let inUse = AppError(.badRequest, "Email already in use.", validationErrors: ["email": ["email is already in use"]])
        var claim: JSONObject = ["_id": .string(UserRecord.claimID(email)), "userId": .string(userID)]
        if let existing = apps.readIfPresent(database, UserRecord.claimID(email)) {
            let owner = existing["userId"]?.stringValue ?? ""
            if owner == userID { return }
            if apps.readIfPresent(database, owner) != nil { throw inUse }
            claim["_rev"] = existing["_rev"]
        }
        do {
            try await apps.write(database, claim, what: "Email")
        } catch where error.kind == .conflict {
            throw inUse
        }
    }

    /// Deletes `email`'s claim if it still names `userID`.
    func release(_ email: String, of userID: String, _ database: DocumentDatabase) async throws(AppError) {
        guard !email.isEmpty, let claim = apps.readIfPresent(database, UserRecord.claimID(email)),
            claim["userId"]?.stringValue == userID
        else { return }
        try await delete(database, UserRecord.claimID(email))
    }
}
