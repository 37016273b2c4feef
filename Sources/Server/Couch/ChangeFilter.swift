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

    static func parse(query: QueryParameters, body: JSONObject?) throws -> ChangeFilter {
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
        case "_view":
            throw CouchError(.badRequest, "bad_request", "filter=_view needs JavaScript views, which Divan does not have yet")
        case let name?:
            throw CouchError(.badRequest, "bad_request", "filter \(name): JavaScript filter functions are not supported yet; use _doc_ids, _selector or _design")
        }
    }

    /// Whether rows must be read with their documents to be filtered.
    var needsDocuments: Bool {
        if case .selector = self { return true }
        return false
    }

    var userAskedForDocuments: Bool {
        if case .selector(_, let include) = self { return include }
        return false
    }

    func accepts(_ change: Change) -> Bool {
        switch self {
        case .none, .documentIDs: true
        case .design: change.id.hasPrefix("_design/")
        case .selector(let selector, _): change.document.map(selector.matches) ?? false
        }
    }
}
