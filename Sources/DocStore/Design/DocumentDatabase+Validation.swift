import LMDB

/// `validate_doc_update`: every design document's function sees every write of a
/// normal document (interactive or replicated, admins included), as in CouchDB's
/// `couch_db:validate_doc_update`. Design documents are not validated (their writers are
/// admins) and neither are `_local` documents.
extension DocumentDatabase {
    /// CouchDB's `userCtx` for writes with no requester (the replicator into a local
    /// database, the server itself): a nameless admin.
    public static let internalUserContext: JSONObject = ["name": .null, "roles": ["_admin"]]

    /// The loaded programs of live design documents that declare `validate_doc_update`,
    /// in id order (the order CouchDB runs them).
    func validators() throws(DocStoreError) -> [DesignProgram] {
        var options = AllDocumentsOptions()
        options.prefix = "_design/"
        var found: [DesignProgram] = []
        var live = Set<String>()
        for row in try allDocuments(options).rows {
            guard case .revision(let revision) = row.value else { continue }
            live.insert(row.id)
            let program = try designPrograms.program(id: row.id, revision: revision, timeLimit: javaScriptTimeLimit) { () throws(DocStoreError) in
                var read = DocumentReadOptions()
                read.revision = revision
                return try document(row.id, options: read).fields()
            }
            if program.validates { found.append(program) }
        }
        designPrograms.retain(live)
        return found
    }

    /// Runs the validators over each prepared update that is not already a failure,
    /// turning refusals into failures. Runs outside the write transaction: the previous
    /// revision is read from a snapshot taken now, so a write racing this one may be
    /// validated against the revision it replaces (CouchDB validates inside its updater).
    func validate(
        _ prepared: inout [Result<PreparedUpdate, DocStoreError>], newEdits: Bool, userContext: JSONObject
    ) throws(DocStoreError) {
        guard prepared.contains(where: { (try? $0.get()).map(\.needsValidation) ?? false }) else { return }
        let validators = try validators()
        guard !validators.isEmpty else { return }
        var context = userContext
        context["db"] = .string(name)
        let contextText = JSON.object(context).serializedString
        let securityText = JSON.object(try security()).serializedString
        let oldDocuments: [String?] = try read { txn in
            try prepared.map { item -> String? in
                guard case .success(let update) = item, update.needsValidation else { return nil }
                return try previousDocument(update, txn)
            }
        }
        for index in prepared.indices {
            guard case .success(let update) = prepared[index], update.needsValidation else { continue }
            let newDocument = JSON.object(update.validationJSON()).serializedString
            do {
                for program in validators {
                    try program.validate(
                        newDocument: newDocument, oldDocument: oldDocuments[index] ?? "null", userContext: contextText, security: securityText)
                }
            } catch {
                prepared[index] = .failure(error)
            }
        }
    }

    /// CouchDB's disk document for the validator: the revision an edit replaces (the
    /// winner when it names none, a deleted one included), or for a replicated revision
    /// the nearest ancestor held as a leaf; nil for a new document.
    private func previousDocument(_ update: PreparedUpdate, _ txn: Transaction) throws -> String? {
        guard let record = try loadRecord(update.id, txn) else { return nil }
        let revision: Revision?
        if update.checkRevisions {
            revision = update.parent ?? record.tree.winner?.revision
        } else {
            revision = update.path?.revisions.dropFirst().first { record.tree.isLeaf($0) }
        }
        guard let revision else { return nil }
        var options = DocumentReadOptions()
        options.revisions = true
        return try makeDocument(update.id, revision, record, options, txn).map { String(decoding: $0.serialized(), as: UTF8.self) }
    }
}

extension PreparedUpdate {
    /// Whether validators see this update (not design, not local documents).
    var needsValidation: Bool { !isLocal && !id.hasPrefix("_design/") }

    /// The new document as CouchDB gives it to `validate_doc_update`
    /// (`couch_doc:to_json_obj(Doc, [revs])`): `_rev` and `_revisions` name the revision
    /// being edited (interactive) or the new one (replicated); none for a new document.
    func validationJSON() -> JSONObject {
        var object = JSONObject()
        object["_id"] = .string(id)
        let revisions = checkRevisions ? parent.map { RevisionPath(start: $0.position, ids: [$0.id]) } : path
        if let revisions { object["_rev"] = .string("\(revisions.start)-\(revisions.ids[0])") }
        for (key, value) in fields { object[key] = value }
        if deleted { object["_deleted"] = true }
        if let revisions {
            object["_revisions"] = ["start": .number(JSONNumber(revisions.start)), "ids": .array(revisions.ids.map(JSON.string))]
        }
        if !attachments.isEmpty {
            var stubs = JSONObject()
            for attachment in attachments {
                switch attachment {
                case .inline(let name, let contentType, _, let digest, let length, _):
                    stubs[name] = ["content_type": .string(contentType), "digest": .string(digest), "length": .number(JSONNumber(length)), "stub": true]
                case .staged(let name, let contentType, let staged):
                    stubs[name] = ["content_type": .string(contentType), "digest": .string(staged.digest), "length": .number(JSONNumber(staged.length)), "stub": true]
                case .stub(let name, let digest):
                    stubs[name] = digest.map { ["digest": .string($0), "stub": true] } ?? ["stub": true]
                }
            }
            object["_attachments"] = .object(stubs)
        }
        return object
    }
}
