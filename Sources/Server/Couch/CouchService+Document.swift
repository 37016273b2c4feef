import DocStore
import HTTPTypes
import Hummingbird

/// `/{db}/{docid}`: GET, HEAD, PUT, DELETE, COPY, and POST `/{db}`.
extension CouchService {
    func documentEndpoint(
        _ database: DocumentDatabase, _ id: String, _ attachmentPath: [String], _ request: CouchRequest, _ access: DatabaseAccess
    ) async throws -> Response {
        if case .ownUserDocument(let name) = access, id != Authenticator.userPrefix + name {
            throw CouchError(.forbidden, "forbidden", "You may only access your own user document.")
        }
        if !attachmentPath.isEmpty {
            return try await attachmentEndpoint(database, id, attachmentPath.joined(separator: "/"), request, access)
        }
        switch request.method {
        case .get: return try getDocument(database, id, request)
        case .head:
            let response = try getDocument(database, id, request)
            return Response(status: response.status, headers: response.headers)
        case .put:
            try checkDesignWrite(id, access)
            return try await putDocument(database, id, request, access)
        case .delete:
            try checkDesignWrite(id, access)
            // CouchDB opens the document first: a missing or deleted one is a 404.
            _ = try database.document(id)
            guard let revision = try revisionParameter(request) else {
                throw CouchError(.conflict, "conflict", "Document update conflict.")
            }
            let rev = try await database.put(DocumentUpdate(id: id, revision: revision, deleted: true), userContext: request.user.writer)
            return .json(["ok": true, "id": .string(id), "rev": .string(rev)], headers: [.eTag: "\"\(rev)\""])
        case .init("COPY")!:
            return try await copyDocument(database, id, request, access)
        default:
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,POST,PUT,COPY")
        }
    }

    /// Design documents belong to database admins.
    func checkDesignWrite(_ id: String, _ access: DatabaseAccess) throws(CouchError) {
        if id.hasPrefix("_design/"), access != .admin {
            throw CouchError(.forbidden, "forbidden", "You are not a db or server admin.")
        }
    }

    /// `rev` from the query, or `If-Match`.
    func revisionParameter(_ request: CouchRequest) throws(CouchError) -> Revision? {
        let text = request.query["rev"] ?? request.headers[.ifMatch].map { $0.trimmingCharacters(in: ["\""]) }
        guard let text else { return nil }
        guard let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
        return revision
    }

    /// CouchDB's read parameters.
    func readOptions(_ query: QueryParameters) throws -> DocumentReadOptions {
        var options = DocumentReadOptions()
        if let text = query["rev"] {
            guard let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
            options.revision = revision
        }
        let meta = try query.bool("meta")
        options.revisions = try query.bool("revs")
        options.revisionsInfo = try query.bool("revs_info") || meta
        options.conflicts = try query.bool("conflicts") || meta
        options.deletedConflicts = try query.bool("deleted_conflicts") || meta
        options.localSequence = try query.bool("local_seq")
        options.attachments = try query.bool("attachments")
        options.attachmentEncodingInfo = try query.bool("att_encoding_info")
        if let since = try query.json("atts_since") {
            guard let list = since.arrayValue else { throw QueryParameters.parseError("atts_since must be a JSON array") }
            options.attachmentsSince = list.compactMap { $0.stringValue.flatMap(Revision.init) }
        }
        return options
    }

    private func getDocument(_ database: DocumentDatabase, _ id: String, _ request: CouchRequest) throws -> Response {
        var options = try readOptions(request.query)
        if let openRevs = request.query["open_revs"] {
            return try openRevisions(database, id, openRevs, options, request)
        }
        // CouchDB opens the winning revision whatever `rev` says when `latest` is set.
        if try request.query.bool("latest") { options.revision = nil }
        let document = try database.document(id, options: options)
        // CouchDB sends an ETag only for a document without meta members.
        let hasMeta = document.conflicts?.isEmpty == false || document.deletedConflicts?.isEmpty == false
            || document.revisionsInfo != nil || document.localSequence != nil
        if hasMeta { return .json(bytes: document.serialized()) }
        let etag = "\"\(document.revision)\""
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
        return .json(bytes: document.serialized(), headers: [.eTag: etag])
    }

    private func openRevisions(
        _ database: DocumentDatabase, _ id: String, _ parameter: String, _ options: DocumentReadOptions, _ request: CouchRequest
    ) throws -> Response {
        var revisions: [Revision]?
        if parameter != "all" {
            guard let list = (try? JSON.parse(parameter))?.arrayValue else {
                throw QueryParameters.parseError("open_revs must be \"all\" or a JSON array of revisions")
            }
            revisions = try list.map { item in
                guard let text = item.stringValue, let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
                return revision
            }
        }
        let multipart = request.headers[.accept]?.contains("multipart/mixed") == true
        var options = options
        // CouchDB's multipart answer always carries the attachments (atts_since still
        // leaves out those the client has), encoded as stored.
        options.attachmentsFollow = multipart
        if multipart { options.attachments = true }
        let answers = try database.openRevisions(id, revisions: revisions, latest: try request.query.bool("latest"), options: options)
        if multipart { return MultipartResponse.openRevisions(answers, database: database) }
        let rows: [JSON] = answers.map { answer in
            switch answer {
            case .found(let document): ["ok": .object(document.json())]
            case .missing(let revision): ["missing": .string(revision)]
            }
        }
        return .json(.array(rows))
    }

    private func putDocument(_ database: DocumentDatabase, _ id: String, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        var update: DocumentUpdate
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/related") == true {
            update = try await MultipartUpload.documentUpdate(request, id: id, database: database)
        } else {
            // CouchDB reads a PUT body as JSON whatever its Content-Type (`curl -d` sends a form type).
            guard case .object(let object) = try await request.jsonBody(requireContentType: false) else {
                throw CouchError.badRequest("Document must be a JSON object")
            }
            update = try DocumentUpdate(json: object, id: id)
        }
        if let queried = request.query["rev"], let given = update.revision?.description ?? update.localRevision.map({ "0-\($0)" }),
            queried != given
        {
            throw CouchError.badRequest("Document rev from request body and query string have different values")
        }
        if update.revision == nil, let revision = try revisionParameter(request) { update.revision = revision }
        if update.localRevision == nil, id.hasPrefix(LocalDocument.prefix), let text = request.query["rev"] {
            update.localRevision = Self.localRevision(text)
        }
        if database.name == Authenticator.usersDatabase { try prepareUserDocument(&update, access) }
        let newEdits = try request.query.bool("new_edits", default: true)
        let rev = try await database.put(update, newEdits: newEdits, userContext: request.user.writer)
        let body: JSON = ["ok": true, "id": .string(id), "rev": .string(rev)]
        // CouchDB: 202 without headers for batch=ok, 200 for a deletion, 201 otherwise;
        // local documents have no revision ETag.
        if request.query["batch"] == "ok" { return .json(body, status: .accepted) }
        var headers: HTTPFields = [.location: request.location(database.name, id)]
        if !id.hasPrefix(LocalDocument.prefix) { headers[.eTag] = "\"\(rev)\"" }
        return .json(body, status: update.deleted ? .ok : .created, headers: headers)
    }

    static func localRevision(_ text: String) -> UInt64? {
        text.hasPrefix("0-") ? UInt64(text.dropFirst(2)) : nil
    }

    func postDocument(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        var update = try DocumentUpdate(json: try await request.jsonObjectBody())
        if let id = update.id { try checkDesignWrite(id, access) }
        if case .ownUserDocument = access { throw CouchError.forbidden }
        if database.name == Authenticator.usersDatabase { try prepareUserDocument(&update, access) }
        let result = try await database.update([update], userContext: request.user.writer)[0]
        if let error = result.error { throw CouchError(error) }
        let body: JSON = ["ok": true, "id": .string(result.id), "rev": .string(result.revision!)]
        if request.query["batch"] == "ok" { return .json(body, status: .accepted) }
        return .json(body, status: .created, headers: [.location: request.location(database.name, result.id)])
    }

    private func copyDocument(_ database: DocumentDatabase, _ id: String, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        guard let destination = request.headers[HTTPField.Name("Destination")!] else {
            throw CouchError.badRequest("Destination header is mandatory for COPY.")
        }
        let parts = destination.split(separator: "?", maxSplits: 1)
        let target = URIEncoding.decodeLeniently(parts[0], plusAsSpace: true)
        var targetRevision: Revision?
        if parts.count == 2 {
            let query = QueryParameters(String(parts[1]))
            if let text = query["rev"] {
                guard let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
                targetRevision = revision
            }
        }
        try checkDesignWrite(target, access)
        let source = try database.document(id, options: try readOptions(request.query))
        let attachments = source.attachments.map { ($0.name, AttachmentInput.stub(digest: $0.digest)) }
        // Stubs resolve against the target's own leaves, so copy the bytes through staging.
        var staged: [(name: String, input: AttachmentInput)] = []
        for (name, _) in attachments {
            let info = source.attachments.first { $0.name.hasSameBytes(as: name) }!
            let bytes = AttachmentByteStream(database: database, attachment: info)
            let copy = try await database.stageAttachment(bytes, encoding: info.encoding, identityLength: info.length)
            staged.append((name, .staged(contentType: info.contentType, copy)))
        }
        let update = DocumentUpdate(id: target, revision: targetRevision, body: source.fields(), attachments: staged)
        let rev = try await database.put(update, userContext: request.user.writer)
        return .json(
            ["ok": true, "id": .string(target), "rev": .string(rev)], status: .created,
            headers: [.eTag: "\"\(rev)\"", .location: request.location(database.name, target)])
    }

    /// `_users` documents: the password becomes a PBKDF2 hash; only admins set roles.
    private func prepareUserDocument(_ update: inout DocumentUpdate, _ access: DatabaseAccess) throws {
        guard let id = update.id, id.hasPrefix(Authenticator.userPrefix), !update.deleted else {
            if update.id?.hasPrefix("_design/") == true || update.deleted { return }
            throw CouchError(.forbidden, "forbidden", "doc.type must be user and the id must start with org.couchdb.user:")
        }
        let name = String(id.dropFirst(Authenticator.userPrefix.count))
        guard update.body["name"]?.stringValue == name else {
            throw CouchError(.forbidden, "forbidden", "Doc ID must be of the form org.couchdb.user:name")
        }
        guard update.body["type"]?.stringValue == "user" else { throw CouchError(.forbidden, "forbidden", "doc.type must be user") }
        if access != .admin {
            let existing = authenticator.userDocument(name)
            let oldRoles = existing.map(Authenticator.roles(of:)) ?? []
            let newRoles = update.body["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard oldRoles == newRoles else { throw CouchError(.forbidden, "forbidden", "Only _admin may edit roles") }
        }
        if let password = update.body["password"]?.stringValue {
            PasswordHash.make(password: password, iterations: authenticator.iterations).apply(to: &update.body)
        } else if let existing = authenticator.userDocument(name), update.body["derived_key"] == nil {
            // Keep the stored hash when a user document is saved without a new password.
            for key in ["password_scheme", "pbkdf2_prf", "derived_key", "salt", "iterations"] {
                if let value = existing[key] { update.body[key] = value }
            }
        }
    }
}
