import DocStore
import HTTPTypes
import Hummingbird

/// `_all_docs` (GET, POST with keys, `/queries`), `_design_docs`, `_local_docs`.
extension CouchService {
    /// `POST …/queries` (`_all_docs`, views): each object of `queries` answered by
    /// `answer`, as `{"results": [...]}` in order.
    func multipleQueries(_ request: CouchRequest, _ answer: (JSONObject) async throws -> JSON) async throws -> Response {
        try Self.methodCheck(request, .post)
        let body = try await request.jsonObjectBody()
        guard let queries = body["queries"]?.arrayValue else { throw CouchError.badRequest("`queries` member must be a list") }
        var results: [JSON] = []
        for query in queries {
            guard let object = query.objectValue else { throw CouchError.badRequest("each query must be an object") }
            results.append(try await answer(object))
        }
        return .json(["results": .array(results)])
    }

    func allDocuments(_ database: DocumentDatabase, _ path: [String], _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        let endpoint = path[0]
        if path.count == 2, path[1] == "queries" {
            let partition = try Self.partitionParameter(request.query)
            return try await multipleQueries(request) { object in
                try allDocumentsJSON(database, endpoint, try Self.options(from: object, QueryParameters(nil)), partition: partition)
            }
        }
        guard path.count == 1 else { throw CouchError.notFound }
        var body = JSONObject()
        if request.method == .post {
            body = try await request.jsonObjectBody()
        } else {
            try Self.methodCheck(request, .get, .head, .post)
        }
        let partition = try Self.partitionParameter(request.query)
        return .json(try allDocumentsJSON(database, endpoint, try Self.options(from: body, request.query), partition: partition))
    }

    /// Reads view-style options from a POST body (which wins) and the query string.
    static func options(from body: JSONObject, _ query: QueryParameters) throws -> (AllDocumentsOptions, updateSeq: Bool) {
        var options = AllDocumentsOptions()
        func string(_ names: String...) throws -> String? {
            for name in names {
                if let value = body[name] {
                    guard let text = value.stringValue else { throw QueryParameters.parseError("\(name) must be a string") }
                    return text
                }
            }
            for name in names {
                if let value = try query.json(name) {
                    guard let text = value.stringValue else { throw QueryParameters.parseError("\(name) must be a JSON string") }
                    return text
                }
            }
            return nil
        }
        func bool(_ name: String, _ fallback: Bool) throws -> Bool {
            if let value = body[name] { return value.boolValue ?? fallback }
            return try query.bool(name, default: fallback)
        }
        func int(_ name: String) throws -> Int? {
            if let value = body[name] {
                // CouchDB prints the body's value as an Erlang term: -1, <<"x">>.
                guard let number = value.int64Value else {
                    let term = value.stringValue.map { "<<\"\($0)\">>" } ?? value.serializedString
                    throw QueryParameters.parseError("Invalid value for integer: \(term)")
                }
                guard number >= 0 else { throw QueryParameters.parseError("Invalid value for positive integer: \(number)") }
                return Int(number)
            }
            return try query.int(name)
        }
        options.startKey = try string("start_key", "startkey", "startkey_docid", "start_key_doc_id")
        options.endKey = try string("end_key", "endkey", "endkey_docid", "end_key_doc_id")
        options.inclusiveEnd = try bool("inclusive_end", true)
        options.descending = try bool("descending", false)
        options.limit = try int("limit")
        options.skip = try int("skip") ?? 0
        options.includeDocuments = try bool("include_docs", false)
        options.conflicts = try bool("conflicts", false)
        options.documentOptions.attachments = try bool("attachments", false)
        if let key = try string("key") {
            options.startKey = key
            options.endKey = key
            options.inclusiveEnd = true
        }
        let keys = try body["keys"] ?? query.json("keys")
        if let keys, !keys.isNull {  // pycouchdb sends "keys": null to mean all
            guard let list = keys.arrayValue else {
                let place = body["keys"] == nil ? "parameter" : "body member"
                throw CouchError.badRequest("`keys` \(place) must be an array.")
            }
            options.keys = list.map { $0.stringValue ?? $0.serializedString }
        }
        return (options, try bool("update_seq", false))
    }

    private func allDocumentsJSON(
        _ database: DocumentDatabase, _ endpoint: String, _ parsed: (AllDocumentsOptions, updateSeq: Bool), partition: String?
    ) throws -> JSON {
        var (options, updateSeq) = parsed
        if let partition, endpoint == "_all_docs" {
            // couch_mrview_util:validate_all_docs_args: the range narrowed to the partition.
            guard database.isPartitioned else { throw QueryParameters.parseError("`partition` parameter is not supported on this db") }
            options.partition = partition
        }
        if database.isPartitioned, let keys = options.keys {
            // CouchDB finds each key's shard by its partition: a key without one is refused.
            for key in keys where !key.hasPrefix("_") && Partition.of(key) == nil {
                throw CouchError(DocStoreError(.illegalDocumentID, "Doc id must be of form partition:id"))
            }
        }
        if endpoint == "_local_docs" {
            func row(_ local: LocalDocument) throws -> JSON {
                var row: JSONObject = ["id": .string(local.id), "key": .string(local.id), "value": ["rev": .string(local.revision)]]
                if options.includeDocuments { row["doc"] = .object(try local.json()) }
                return .object(row)
            }
            // Keys are looked up one by one, in their order; a missing one is a not_found row.
            let rows: [JSON] = try options.keys.map { keys in
                try keys.map { key in
                    guard let local = try? database.localDocument(key) else { return ["key": .string(key), "error": "not_found"] }
                    return try row(local)
                }
            } ?? database.localDocuments(options).map(row)
            return ["total_rows": .null, "offset": .null, "rows": .array(rows)]
        }
        if endpoint == "_design_docs" { options.prefix = "_design/" }
        let result = try database.allDocuments(options)
        let rows: [JSON] = result.rows.map { row in
            switch row.value {
            case .revision(let revision):
                var object: JSONObject = ["id": .string(row.id), "key": .string(row.id), "value": ["rev": .string(revision.description)]]
                if options.includeDocuments { object["doc"] = row.document.map { .object($0.json()) } ?? .null }
                return .object(object)
            case .deleted(let revision):
                var object: JSONObject = ["id": .string(row.id), "key": .string(row.id), "value": ["rev": .string(revision.description), "deleted": true]]
                if options.includeDocuments { object["doc"] = .null }
                return .object(object)
            case .notFound:
                return ["key": .string(row.id), "error": "not_found"]
            }
        }
        // CouchDB has no offset for a lookup by keys.
        let offset: JSON = options.keys == nil ? .number(JSONNumber(result.offset)) : .null
        var answer: JSONObject = ["total_rows": .number(JSONNumber(result.totalRows)), "offset": offset, "rows": .array(rows)]
        if updateSeq { answer["update_seq"] = .string(WireSequence.format(result.updateSequence)) }
        return .object(answer)
    }

    func localDocumentEndpoint(_ database: DocumentDatabase, _ id: String, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        switch request.method {
        case .get, .head:
            // CouchDB opens no revision of a local document but the current one, and
            // gives it a one-entry history.
            if request.query["rev"] != nil { throw CouchError.notFound }
            let local = try database.localDocument(id)
            var json = try local.json()
            if try request.query.bool("revs") {
                json["_revisions"] = ["start": 0, "ids": [.string(String(local.revisionNumber))]]
            }
            return .json(.object(json), validatedFor: request)
        case .put:
            guard case .object(let object) = try await request.jsonBody(requireContentType: false) else {
                throw CouchError.badRequest("Document must be a JSON object")
            }
            var update = try DocumentUpdate(json: object, id: id)
            if update.localRevision == nil, let text = request.query["rev"] { update.localRevision = Self.localRevision(text) }
            let rev = try await database.put(update)
            // The ETag a GET of the new revision answers.
            let etag = Response.opaqueETag(JSON.object(try database.localDocument(id).json()).serialized())
            return .json(
                ["ok": true, "id": .string(id), "rev": .string(rev)], status: .created,
                headers: [.location: request.location(database.name, id), .eTag: etag])
        case .delete:
            var update = DocumentUpdate(id: id, deleted: true)
            update.localRevision = request.query["rev"].flatMap(Self.localRevision)
            let rev = try await database.put(update)
            let body: JSON = ["ok": true, "id": .string(id), "rev": .string(rev)]
            return .json(body, headers: [.eTag: Response.opaqueETag(body.serialized())])
        case .post:
            try Self.refuseFormUpload(request)
        default:
            // CouchDB routes `_local/` documents through its document handler, so it
            // names COPY and POST too, though neither works on them.
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,POST,PUT,COPY")
        }
    }
}
