import DocStore

/// The `_users` rules: CouchDB's couch_users_db:before_doc_update/3 and the `_users`
/// validation function (couch_js_functions.hrl), in one place. The server installs it as
/// `_users`' `before_doc_update`, so every write goes through it: PUT, POST, COPY,
/// `_bulk_docs` (with `new_edits: false` too) and replication into a local `_users`.
extension Authenticator {
    /// Installs `prepareUserDocument` on the store's `_users`. The hook holds the
    /// authenticator weakly: the store outlives the service in tests.
    func installUserDocumentRules(on store: DocumentStore) {
        store.setBeforeUpdate({ [weak self] update, newEdits throws(DocStoreError) in
            try self?.prepareUserDocument(&update, newEdits: newEdits)
        }, forDatabase: Self.usersDatabase)
    }

    /// Checks in CouchDB's order and with its reasons: a new password becomes a PBKDF2
    /// hash first (replicated revisions too, keeping their revision id, as CouchDB does),
    /// then the document must be a well-formed user. Only admins write `_users` (see
    /// `access`), so the function's rules for other users never apply.
    /// - Throws: `forbidden` with CouchDB's reason.
    func prepareUserDocument(_ update: inout DocumentUpdate, newEdits: Bool) throws(DocStoreError) {
        func forbidden(_ reason: String) -> DocStoreError { DocStoreError(.forbidden, reason) }
        guard let id = update.id, !id.hasPrefix("_design/") else { return }
        let suffix = id.hasPrefix(Self.userPrefix) ? String(id.dropFirst(Self.userPrefix.count)) : nil
        let old = suffix.flatMap { userDocument($0) }
        if update.deleted { return }
        if let password = update.body["password"], password != .null {
            guard let text = password.stringValue else { throw forbidden("password must be a string") }
            PasswordHash.make(password: text, iterations: iterations).apply(to: &update.body)
        } else if newEdits, let old, update.body["derived_key"] == nil, update.body["password_sha"] == nil {
            // Saved without a new password: the stored hash stays (Divan keeps it where
            // CouchDB clients resend it). Not for a replicated revision, whose body is
            // the source's.
            for key in ["password_scheme", "pbkdf2_prf", "derived_key", "salt", "iterations"] {
                if let value = old[key] { update.body[key] = value }
            }
        }
        let body = update.body
        guard body["type"]?.stringValue == "user" else { throw forbidden("doc.type must be user") }
        guard let nameValue = body["name"], nameValue.isTruthy else { throw forbidden("doc.name is required") }
        guard let rolesValue = body["roles"], rolesValue.isTruthy else { throw forbidden("doc.roles must exist") }
        guard let roles = rolesValue.arrayValue else { throw forbidden("doc.roles must be an array") }
        let roleNames = roles.compactMap(\.stringValue)
        guard roleNames.count == roles.count else { throw forbidden("doc.roles can only contain strings") }
        let name = nameValue.stringValue ?? nameValue.serializedString
        guard id == Self.userPrefix + name else { throw forbidden("Doc ID must be of the form org.couchdb.user:name") }
        if let old, old["name"] != nameValue { throw forbidden("Usernames can not be changed.") }
        if body["password_sha"]?.isTruthy == true, body["salt"]?.isTruthy != true {
            throw forbidden("Users with password_sha must have a salt.See /_utils/script/couch.js for example code.")
        }
        if let scheme = body["password_scheme"], scheme.isTruthy {
            guard let text = scheme.stringValue, ["simple", "pbkdf2"].contains(text) else {
                throw forbidden("Password scheme `\(scheme.stringValue ?? scheme.serializedString)` not supported.")
            }
            if text == "pbkdf2" {
                guard case .number = body["iterations"] else { throw forbidden("iterations must be a number.") }
                guard body["derived_key"]?.stringValue != nil else { throw forbidden("derived_key must be a string.") }
            }
        }
        if roleNames.contains(where: { $0 != "_metrics" && $0.hasPrefix("_") }) {
            throw forbidden("No system roles (starting with underscore) in users db.")
        }
        if name.hasPrefix("_") { throw forbidden("Username may not start with underscore.") }
        if name.contains(":") { throw forbidden("Character `:` is not allowed in usernames.") }
    }
}
