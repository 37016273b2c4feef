import DocStore
import HTTPTypes
import Hummingbird

/// `_bulk_docs`, `_bulk_get`.
extension CouchService {
    func bulkDocuments(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .post)
        let body = try await request.jsonObjectBody()
        guard let docsValue = body["docs"] else { throw CouchError.badRequest("POST body must include `docs` parameter.") }
        guard let docs = docsValue.arrayValue else { throw CouchError.badRequest("`docs` parameter must be an array.") }
        let newEdits = body["new_edits"]?.boolValue ?? true
        if body["all_or_nothing"]?.boolValue == true {
            // CouchDB 3 refuses it for every document, with 417.
            let rows: [JSON] = docs.map { item in
                [
                    "id": .string(item["_id"]?.stringValue ?? UUIDs.sequential()), "rev": .string(item["_rev"]?.stringValue ?? "0-"),
                    "error": "not_implemented", "reason": "all_or_nothing is not supported",
                ]
            }
            return .json(.array(rows), status: .expectationFailed)
        }
        var updates: [DocumentUpdate?] = []
        var failures: [Int: (String, CouchError)] = [:]
        // A document that does not parse fails the whole request, as in CouchDB; refusals
        // (design documents of non-admins, conflicts) are answered per document.
        for (index, item) in docs.enumerated() {
            guard case .object(let object) = item else { throw CouchError.badRequest("Document must be a JSON object") }
            let update = try DocumentUpdate(json: object)
            // couch_doc:from_json_obj_validate/2 checks the partition too, for the whole request.
            if database.isPartitioned, let id = update.id { try Partition.validate(documentID: id) }
            if !newEdits, update.revision == nil, update.revisions == nil, update.id?.hasPrefix(LocalDocument.prefix) != true {
                throw CouchError.badRequest("When `new_edits: false`, the document needs `_rev` or `_revisions` specified")
            }
            do throws(CouchError) {
                if let id = update.id, id.hasPrefix("_design/"), access != .admin {
                    throw CouchError(.forbidden, "forbidden", "You are not a db or server admin.")
                }
                updates.append(update)
            } catch {
                failures[index] = (update.id ?? "", error)
                updates.append(nil)
            }
        }
        let written = updates.compactMap { $0 }
        let results = try await database.update(written, newEdits: newEdits, userContext: request.user.writer)
        var revisionsSent = written.map { $0.revisions.map { "\($0.start)-\($0.ids[0])" } ?? $0.revision?.description }.makeIterator()
        var rows: [JSON] = []
        var next = results.makeIterator()
        for index in docs.indices {
            if let (id, error) = failures[index] {
                rows.append(["id": .string(id), "error": .string(error.error), "reason": .string(error.reason)])
                continue
            }
            let result = next.next()!
            let sent = revisionsSent.next()!
            if let error = result.error {
                let couch = CouchError(error)
                var row: JSONObject = ["id": .string(result.id)]
                // Replicated writes name the revision that failed (CouchDB's `{Id, Rev}` tag).
                if !newEdits, let sent { row["rev"] = .string(sent) }
                row["error"] = .string(couch.error)
                row["reason"] = .string(couch.reason)
                rows.append(.object(row))
            } else if newEdits || result.id.hasPrefix(LocalDocument.prefix) {
                rows.append(["ok": true, "id": .string(result.id), "rev": .string(result.revision!)])
            }
            // With new_edits=false CouchDB lists only the failures.
        }
        return .json(.array(rows), status: .created)
    }

    func bulkGet(_ database: DocumentDatabase, _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        try Self.methodCheck(request, .post)
        let body = try await request.jsonObjectBody()
        guard let docs = body["docs"]?.arrayValue else { throw CouchError.badRequest("Missing JSON list of 'docs'.") }
        var options = try readOptions(request.query)
        options.revision = nil
        let latest = request.query["latest"] == "true"
        var results: [JSON] = []
        for item in docs {
            func failure(_ id: JSON, _ rev: JSON, _ error: String, _ reason: String) -> JSON {
                ["id": id, "docs": [["error": ["id": id, "rev": rev, "error": .string(error), "reason": .string(reason)]]]]
            }
            // CouchDB answers a malformed entry in its place, with the rest.
            guard case .object(let entry) = item else {
                results.append(failure(.null, .null, "bad_request", "document must be a JSON object"))
                continue
            }
            guard let idValue = entry["id"] else {
                results.append(failure(.null, .null, "bad_request", "document id missed"))
                continue
            }
            guard let id = idValue.stringValue else {
                results.append(failure(idValue, .null, "illegal_docid", "Document id must be a string"))
                continue
            }
            do {
                try DocumentUpdate.validate(id: id)
            } catch {
                results.append(failure(idValue, .null, "illegal_docid", error.reason))
                continue
            }
            var itemOptions = options
            if let since = entry["atts_since"]?.arrayValue {
                itemOptions.attachmentsSince = since.compactMap { $0.stringValue.flatMap(Revision.init) }
            }
            var revision: Revision?
            if let text = entry["rev"]?.stringValue {
                guard let parsed = Revision(text) else {
                    results.append(failure(idValue, .string(text), "bad_request", "Invalid rev format"))
                    continue
                }
                revision = parsed
            }
            var entries: [JSON] = []
            do {
                // Without `rev`, every leaf, deleted ones too, as `open_revs=all`.
                let answers = try database.openRevisions(
                    id, revisions: revision.map { [$0] }, latest: latest, options: itemOptions, order: .keyTree)
                for answer in answers {
                    switch answer {
                    case .found(let document): entries.append(["ok": .object(document.json())])
                    case .missing(let rev):
                        entries.append(["error": ["id": .string(id), "rev": .string(rev), "error": "not_found", "reason": "missing"]])
                    }
                }
            } catch {
                let couch = CouchError(error)
                entries.append(["error": ["id": .string(id), "rev": .string(revision?.description ?? "undefined"), "error": .string(couch.error), "reason": .string(couch.reason)]])
            }
            results.append(["id": .string(id), "docs": .array(entries)])
        }
        return .json(["results": .array(results)])
    }
}
