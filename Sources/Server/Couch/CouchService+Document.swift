import Foundation
import DocStore
import HTTPTypes
import Hummingbird

/// `/{db}/{docid}`: GET, HEAD, PUT, DELETE, COPY, and POST `/{db}`.
extension CouchService {
    func documentEndpoint(
        _ database: DocumentDatabase, _ id: String, _ attachmentPath: [String], _ request: CouchRequest, _ access: DatabaseAccess
    ) async throws -> Response {
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
        case .post:
            try Self.refuseFormUpload(request)
        default:
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,POST,PUT,COPY")
        }
    }

    /// `POST /{db}/{docid}`: CouchDB's HTML form upload (`multipart/form-data`), which
    /// Divan does not take (README). The checks CouchDB makes first answer as it does.
    static func refuseFormUpload(_ request: CouchRequest) throws(CouchError) -> Never {
        guard let referer = request.headers[.referer] else { throw CouchError.badRequest("Referer header required.") }
        let host = request.headers[HTTPField.Name("X-Forwarded-Host")!] ?? request.request.head.authority
        // The Referer's host and port, as mochiweb_util:urlsplit gives them.
        let refererHost = URL(string: referer).flatMap { url in url.host.map { $0 + (url.port.map { ":\($0)" } ?? "") } }
        guard let host, refererHost == host else {
            throw CouchError.badRequest("Referer header must match host.")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true else {
            throw CouchError(.unsupportedMediaType, "bad_content_type", "Content-Type must be multipart/form-data")
        }
        throw CouchError(.notImplemented, "not_implemented", "Divan does not take HTML form uploads of documents")
    }

    /// Design documents belong to database admins.
    func checkDesignWrite(_ id: String, _ access: DatabaseAccess) throws(CouchError) {
        if id.hasPrefix("_design/"), access != .admin {
            throw CouchError(.forbidden, "forbidden", "You are not a db or server admin.")
        }
    }

    /// The revision a write replaces, from the body, the `rev` query parameter and
    /// `If-Match`, which must name the same one when more than one is given (CouchDB's
    /// `couch_doc_from_req`).
    static func agreedRevision(body: Revision?, _ request: CouchRequest) throws(CouchError) -> Revision? {
        func parse(_ text: String) throws(CouchError) -> Revision {
            guard let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
            return revision
        }
        let queried = try request.query["rev"].map(parse)
        let etag = try request.headers[.ifMatch].map { text throws(CouchError) in try parse(text.trimmingCharacters(in: ["\""])) }
        if let body, let queried, queried != body {
            throw CouchError.badRequest("Document rev from request body and query string have different values")
        }
        let explicit = body ?? queried
        if let explicit, let etag, explicit != etag { throw CouchError.badRequest("Document rev and etag have different values") }
        return explicit ?? etag
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
        // CouchDB's `parse_doc_query` acts on `true` and ignores any other value.
        func flag(_ name: String) -> Bool { query[name] == "true" }
        let meta = flag("meta")
        options.revisions = flag("revs")
        options.revisionsInfo = flag("revs_info") || meta
        options.conflicts = flag("conflicts") || meta
        options.deletedConflicts = flag("deleted_conflicts") || meta
        options.localSequence = flag("local_seq")
        options.attachments = flag("attachments")
        options.attachmentEncodingInfo = flag("att_encoding_info")
        if let since = try query.json("atts_since") {
            guard let list = since.arrayValue else { throw CouchError.badRequest("Invalid list of revisions") }
            options.attachmentsSince = try list.map { item throws(CouchError) in
                guard let revision = item.stringValue.flatMap(Revision.init) else { throw CouchError.badRequest("Invalid rev format") }
                return revision
            }
        }
        return options
    }

    private func getDocument(_ database: DocumentDatabase, _ id: String, _ request: CouchRequest) throws -> Response {
        var options = try readOptions(request.query)
        // CouchDB reads `open_revs=[]` as no open_revs at all: the document, as usual.
        if let openRevs = request.query["open_revs"], (try? JSON.parse(openRevs))?.arrayValue?.isEmpty != true {
            return try openRevisions(database, id, openRevs, options, request)
        }
        // CouchDB opens the winning revision whatever `rev` says when `latest` is set.
        if request.query["latest"] == "true" { options.revision = nil }
        // attachments=true to a client that takes multipart/related: the document, then its
        // attachments as parts (couch_httpd's send_doc_efficiently).
        let related = options.attachments && request.accepts("multipart/related")
        if related {
            options.attachmentsFollow = true
            options.attachmentEncodingInfo = true
        }
        let document = try database.document(id, options: options)
        if related, !document.attachments.isEmpty {
            return MultipartResponse.related(document, database: database, headers: [.eTag: "\"\(document.revision)\""])
        }
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
            guard let parsed = try? JSON.parse(parameter) else { throw CouchError.invalidJSON }
            guard let list = parsed.arrayValue else { throw CouchError.badRequest("Invalid list of revisions") }
            revisions = try list.map { item in
                guard let text = item.stringValue, let revision = Revision(text) else { throw CouchError.badRequest("Invalid rev format") }
                return revision
            }
        }
        // CouchDB answers multipart whenever the client takes it, a missing Accept included.
        let multipart = request.accepts("multipart/mixed")
        var options = options
        // CouchDB's multipart answer always carries the attachments (atts_since still
        // leaves out those the client has), encoded as stored.
        options.attachmentsFollow = multipart
        if multipart { options.attachments = true }
        let answers = try database.openRevisions(id, revisions: revisions, latest: request.query["latest"] == "true", options: options)
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
        if id.hasPrefix(LocalDocument.prefix) {
            if let queried = request.query["rev"], let given = update.localRevision.map({ "0-\($0)" }), queried != given {
                throw CouchError.badRequest("Document rev from request body and query string have different values")
            }
            if update.localRevision == nil, let text = request.query["rev"] { update.localRevision = Self.localRevision(text) }
        } else {
            update.revision = try Self.agreedRevision(body: update.revision, request)
        }
        let newEdits = try request.query.bool("new_edits", default: true)
        let rev = try await database.put(update, newEdits: newEdits, userContext: request.user.writer)
        // CouchDB: 202 without headers or revision for batch=ok (it answers before the
        // write), 200 for a deletion, 201 otherwise; local documents have no revision ETag.
        if request.query["batch"] == "ok" { return .json(["ok": true, "id": .string(id)], status: .accepted) }
        let body: JSON = ["ok": true, "id": .string(id), "rev": .string(rev)]
        var headers: HTTPFields = [.location: request.location(database.name, id)]
        if !id.hasPrefix(LocalDocument.prefix) { headers[.eTag] = "\"\(rev)\"" }
        return .json(body, status: update.deleted ? .ok : .created, headers: headers)
    }

    static func localRevision(_ text: String) -> UInt64? {
        text.hasPrefix("0-") ? UInt64(text.dropFirst(2)) : nil
    }

    func postDocument(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        guard case .object(let object) = try await request.jsonBody() else { throw CouchError.badRequest("Document must be a JSON object") }
        let update = try DocumentUpdate(json: object)
        if let id = update.id { try checkDesignWrite(id, access) }
        let result = try await database.update([update], userContext: request.user.writer)[0]
        if let error = result.error { throw CouchError(error) }
        // With batch=ok CouchDB answers before the write, so without a revision.
        if request.query["batch"] == "ok" { return .json(["ok": true, "id": .string(result.id)], status: .accepted) }
        let body: JSON = ["ok": true, "id": .string(result.id), "rev": .string(result.revision!)]
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
}
