import Crypto
import LMDB

/// `POST /db/_index`, `GET /db/_index`, `DELETE /db/_index/{ddoc}/json/{name}`: index
/// definitions live in design documents exactly as CouchDB writes them, so they
/// replicate; the catalog follows every design document write (see MangoMaintenance).
extension DocumentDatabase {
    /// The outcome of `POST /db/_index`.
    public struct IndexCreation: Sendable {
        /// `created` or `exists`.
        public var result: String
        public var designDocument: String
        public var name: String
    }

    static let indexCreateKeys: Set<String> = ["index", "type", "name", "ddoc", "w", "partitioned"]

    /// Validates an index request as `mango_opts:validate_idx_create/1` and
    /// `mango_idx_view:validate_new/2` do, and adds the view to its design document.
    public func createIndex(_ body: JSONObject) async throws -> IndexCreation {
        guard let definition = body["index"] else { throw MangoError.missingKey("index") }
        var type = "json"
        if let value = body["type"] {
            guard case .string(let t) = value else { throw MangoError.string(value) }
            type = t
        }
        func name(_ key: String) throws(MangoError) -> String? {
            guard let value = body[key] else { return nil }
            guard case .string(let s) = value else { throw MangoError.string(value) }
            if s.isEmpty { throw MangoError.emptyName }
            return s
        }
        let givenName = try name("name")
        let givenDesign = try name("ddoc")
        if let value = body["w"], !(value.numberValue?.isInteger == true && (value.int64Value ?? 0) > 0) {
            throw MangoError.positiveInteger(value)
        }
        // nil: the database's default (mango_idx:get_idx_partitioned/1's `db_default`).
        var requestedPartitioned: Bool?
        if let value = body["partitioned"] {
            guard case .bool(let partitioned) = value else {
                throw MangoError(500, "unknown_error", "Unknown Error: mango_opts :: {invalid_partitioned_value,\(ErlangFormat.term(value))}")
            }
            requestedPartitioned = partitioned
        }
        if let unknown = body.first(where: { !Self.indexCreateKeys.contains($0.key) }) { throw MangoError.invalidKey(unknown.key) }
        switch type {
        case "json": break
        case "text", "nouveau": throw MangoError(503, "required index service unavailable", type)
        default: throw MangoError(400, "invalid_index", "Invalid type for index: \(type)")
        }
        guard case .object(let def) = definition else {
            throw MangoError(400, "invalid_index", "JSON indexes must be an object, not: \(ErlangFormat.term(definition))")
        }
        guard let fieldsJSON = def["fields"] else { throw MangoError.missingKey("fields") }
        var map = JSONObject()
        map["fields"] = .object(try Self.sortObject(fieldsJSON))
        var partial: JSON = .object([:])
        if let selector = def["partial_filter_selector"] {
            guard case .object = selector else {
                throw MangoError(400, "invalid_selector_json", "Selector must be a JSON object, not: \(ErlangFormat.term(selector))")
            }
            do { partial = try Selector(selector).normalized } catch { throw MangoError(error) }
            if case .object(let o) = selector, o.isEmpty { partial = .object([:]) }
        }
        map["partial_filter_selector"] = partial
        if let unknown = def.first(where: { $0.key != "fields" && $0.key != "partial_filter_selector" }) {
            throw MangoError.invalidKey(unknown.key)
        }
        let generated = Self.generatedName(definition)
        let indexName = givenName ?? generated
        let designID = givenDesign.map { $0.hasPrefix("_design/") ? $0 : "_design/" + $0 } ?? "_design/" + generated
        let view: JSON = ["map": .object(map), "reduce": "_count", "options": ["def": definition]]

        while true {
            var ddoc: JSONObject = ["_id": .string(designID), "language": "query"]
            var parent: String?
            if let existing = try? document(designID) {
                ddoc = existing.json()
                parent = existing.revision.description
                let language = ddoc["language"]?.stringValue ?? "javascript"
                if language != "query" {
                    throw MangoError(400, "invalid_ddoc_lang", "Existing design doc has an invalid language: {\(ErlangFormat.binary("language")),\(ErlangFormat.term(ddoc["language"] ?? .null))}")
                }
            }
            // mango_idx:set_ddoc_partitioned/2: the option must match the design
            // document's; only a new design document takes a requested one.
            let existingOption = ddoc["options"]?["partitioned"]?.boolValue
            if requestedPartitioned != existingOption && parent != nil {
                throw MangoError(
                    400, "invalid_partitioned_option", "Requested partitioned option does not match existing value on design document \(designID)")
            }
            var views = ddoc["views"]?.objectValue ?? JSONObject()
            if views[indexName] == view { return IndexCreation(result: "exists", designDocument: designID, name: indexName) }
            views[indexName] = view
            ddoc["views"] = .object(views)
            if parent == nil, let requestedPartitioned { ddoc["options"] = ["partitioned": .bool(requestedPartitioned)] }
            if let parent { ddoc["_rev"] = .string(parent) }
            let update = try DocumentUpdate(json: ddoc, id: designID)
            let result = try await self.update([update])[0]
            if let error = result.error {
                if error.code == .conflict { continue }
                // CouchDB names the error's atom for a refused design document.
                let what = error.code == .invalidDesignDocument ? error.code.rawValue : error.reason
                throw MangoError(500, "error_saving_ddoc", "Unknown error while saving the design document: \(what)")
            }
            return IndexCreation(result: "created", designDocument: designID, name: indexName)
        }
    }

    /// `{"a": "asc"}` from `["a", {"b": "asc"}]` (`mango_sort:new/1`).
    static func sortObject(_ fields: JSON) throws(MangoError) -> JSONObject {
        guard case .array(let items) = fields else {
            throw MangoError(400, "invalid_sort_json", "Sort must be an array of sort specs, not: \(ErlangFormat.pretty(fields))")
        }
        var object = JSONObject()
        var directions = Set<String>()
        for item in items {
            switch item {
            case .string(let field) where !field.isEmpty:
                object[field] = "asc"
                directions.insert("asc")
            case .object(let spec) where spec.count == 1 && (spec.first!.value == "asc" || spec.first!.value == "desc"):
                object[spec.first!.key] = spec.first!.value
                directions.insert(spec.first!.value.stringValue!)
            default:
                throw MangoError(400, "invalid_sort_field", "Invalid sort field: \(ErlangFormat.pretty(item))")
            }
        }
        if directions.count > 1 {
            throw MangoError(400, "unsupported_mixed_sort", "Sorts currently only support a single direction for all fields.")
        }
        return object
    }

    /// A name for an index given none: 40 hex digits of SHA-1 over its definition, as
    /// CouchDB makes them (CouchDB hashes the Erlang term, so the digits differ).
    static func generatedName(_ definition: JSON) -> String {
        Insecure.SHA1.hash(data: definition.serialized()).map { String(format: "%02x", $0) }.joined()
    }

    /// Every index, `_all_docs` first, then by design document and name (as CouchDB sorts).
    public func listIndexes() throws -> [JSON] {
        let catalog = try read { txn in try MangoCatalog.load(txn, tables, cache: mangoCache) }
        let sorted = catalog.indexes.sorted { ($0.designDocument, $0.name) < ($1.designDocument, $1.name) }
        return [MangoExplain.indexJSON(.allDocs)] + sorted.map(\.json)
    }

    /// Removes one JSON index from its design document (the whole document when it
    /// held nothing else). - Returns: false when there is no such index.
    public func deleteIndex(designDocument: String, type: String, name: String) async throws -> Bool {
        let designID = designDocument.hasPrefix("_design/") ? designDocument : "_design/" + designDocument
        while true {
            let catalog = try read { txn in try MangoCatalog.load(txn, tables, cache: mangoCache) }
            guard type == "json", catalog.indexes.contains(where: { $0.designDocument == designID && $0.name == name }) else { return false }
            guard let existing = try? document(designID) else { return false }
            var ddoc = existing.json()
            var views = ddoc["views"]?.objectValue ?? JSONObject()
            guard views.removeValue(forKey: name) != nil else { return false }
            var update: DocumentUpdate
            if views.isEmpty {
                ddoc["views"] = nil
                let rest = ddoc.filter { !$0.key.hasPrefix("_") }
                if rest.count == 1 && rest.first?.key == "language" {
                    update = DocumentUpdate(id: designID, revision: existing.revision, deleted: true)
                } else {
                    update = try DocumentUpdate(json: ddoc, id: designID)
                }
            } else {
                ddoc["views"] = .object(views)
                update = try DocumentUpdate(json: ddoc, id: designID)
            }
            let result = try await self.update([update])[0]
            if let error = result.error {
                if error.code == .conflict { continue }
                // CouchDB names the error's atom for a refused design document.
                let what = error.code == .invalidDesignDocument ? error.code.rawValue : error.reason
                throw MangoError(500, "error_saving_ddoc", "Unknown error while saving the design document: \(what)")
            }
            return true
        }
    }
}
