import DocStore

/// The `filter` of a changes feed.
enum ChangeFilter: Sendable {
    case none
    /// `_doc_ids`: only these ids.
    case documentIDs(Set<ExactString>)
    /// `_design`: only design documents.
    case design
    /// `_selector`: documents that match a Mango selector.
    case selector(Selector, includeDocuments: Bool)
    /// `ddoc/name` (a design document's filter function) or `_view`.
    case javaScript(DocumentFilter, includeDocuments: Bool)

    /// - Parameter javaScript: resolves `_view` and `ddoc/name` filters (with the request
    ///   object a filter function sees); only called for those.
    static func parse(
        query: QueryParameters, body: JSONObject?, javaScript: (_ name: String, _ view: String?) throws -> DocumentFilter
    ) throws -> ChangeFilter {
        switch query["filter"] {
        case nil:
            return .none
        case "_doc_ids":
            let ids = try body?["doc_ids"] ?? query.json("doc_ids")
            guard let list = ids?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw CouchError.badRequest("`doc_ids` filter parameter is not a list of doc ids.")
            }
            return .documentIDs(Set(list.compactMap { $0.stringValue.map { ExactString($0) } }))
        case "_design":
            return .design
        case "_selector":
            guard let body else { throw CouchError.badRequest("Selector must be specified in POST payload") }
            guard let json = body["selector"] else { throw CouchError.badRequest("Selector error: expected a JSON object") }
            do {
                return .selector(try Selector(json), includeDocuments: try query.bool("include_docs"))
            } catch let error as SelectorError {
                throw CouchError(.badRequest, "bad_request", error.message)
            }
        case let name?:
            do {
                return .javaScript(try javaScript(name, query["view"]), includeDocuments: try query.bool("include_docs"))
            } catch let error as DocStoreError {
                throw CouchError(error)
            }
        }
    }

    /// Whether rows must be read with their documents to be filtered.
    var needsDocuments: Bool {
        switch self {
        case .selector, .javaScript: true
        case .none, .documentIDs, .design: false
        }
    }

    var userAskedForDocuments: Bool {
        switch self {
        case .selector(_, let include), .javaScript(_, let include): include
        case .none, .documentIDs, .design: false
        }
    }

    /// - Throws: a JavaScript filter's failure (`os_process_error`, 500), which ends the feed.
    func accepts(_ change: Change) throws -> Bool {
        switch self {
        // The engine reads only these documents (ChangesOptions.documentIDs, designDocumentsOnly).
        case .none, .documentIDs, .design: return true
        case .selector(let selector, _): return change.document.map(selector.matches) ?? false
        case .javaScript(let filter, _):
            guard let document = change.document else { return false }
            do {
                return try filter.accepts(document)
            } catch {
                throw CouchError(error)
            }
        }
    }
}
