/// A JavaScript filter of a changes feed, bound to one request: a design document's
/// `filters.name` called as `filter(doc, req)`, or `_view` (a document passes when the
/// view's map function emits anything for it). One implementation for `_changes` and for
/// replication (which filters its source's feed through the same call).
///
/// Threading: any task; calls into the design document's context are serialised there.
public struct DocumentFilter: Sendable {
    private enum Kind: Sendable {
        case function(DesignProgram, name: String, request: String)
        case view(ViewProgram, index: Int)
    }

    private let kind: Kind

    /// Resolves a CouchDB filter name (`ddoc/name`, or `_view` with `view`).
    /// - Parameters:
    ///   - request: CouchDB's `req` object (`query`, `userCtx`, `info`, …), for functions.
    /// - Throws: `not_found` (`missing` design document, `missing json key: name`),
    ///   `bad_request` for a malformed name.
    public init(_ filter: String, view: String?, request: JSONObject, in database: DocumentDatabase) throws(DocStoreError) {
        if filter == "_view" {
            guard let view else { throw DocStoreError(.badRequest, "`view` filter parameter is not provided.") }
            let (design, name) = try Self.split(view, "`view` must be of the form `designname/viewname`")
            guard let definition = try database.viewDefinition("_design/" + design),
                let index = definition.views.firstIndex(where: { $0.name == name })
            else { throw DocStoreError(.notFound, "missing json key: \(name)") }
            kind = .view(try database.viewIndexer.program(for: definition, timeLimit: database.javaScriptTimeLimit), index: index)
            return
        }
        let (design, name) = try Self.split(filter, "`filter` must be of the form `designname/filtername`")
        let id = "_design/" + design
        let document = try database.document(id)
        let program = try database.designPrograms.program(id: id, revision: document.revision, timeLimit: database.javaScriptTimeLimit) {
            document.fields()
        }
        guard let filters = document.fields()["filters"]?.objectValue else { throw DocStoreError(.notFound, "missing json key: filters") }
        guard filters[name] != nil else { throw DocStoreError(.notFound, "missing json key: \(name)") }
        kind = .function(program, name: name, request: JSON.object(request).serializedString)
    }

    private static func split(_ text: String, _ reason: String) throws(DocStoreError) -> (String, String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw DocStoreError(.badRequest, reason) }
        return (String(parts[0]), String(parts[1]))
    }

    /// Whether `document` (as CouchDB renders it: `_id`, `_rev`, fields, `_deleted`,
    /// `_attachments` stubs) passes.
    /// - Throws: `os_process_error` when the function throws or runs past the time
    ///   limit; `compilation_error` when it does not compile.
    public func accepts(_ document: Document) throws(DocStoreError) -> Bool {
        let text = String(decoding: document.serialized(), as: UTF8.self)
        switch kind {
        case .function(let program, let name, let request):
            return try program.filter(name, documents: [text], request: request).first ?? false
        case .view(let program, let index):
            let rows = try program.map(text).rows
            return index < rows.count && !rows[index].isEmpty
        }
    }
}
