import DocStore

/// Reads a view query from a POST body (values already JSON) and the query string
/// (text, JSON-encoded where CouchDB expects JSON), the query string applied last, as
/// `couch_mrview_http:parse_params` does; refusals carry CouchDB's reasons.
enum ViewQueryParser {
    /// One parameter's value: decoded from a body, or text from the query string.
    private enum Value {
        case decoded(JSON)
        case text(String)

        func json() throws(CouchError) -> JSON {
            switch self {
            case .decoded(let value): return value
            case .text(let text):
                do {
                    return try JSON.parse(text)
                } catch {
                    throw CouchError.invalidJSON
                }
            }
        }

        func bool() throws(CouchError) -> Bool {
            switch self {
            case .decoded(.bool(let value)): return value
            case .decoded(let value): return try Value.text(value.stringValue ?? value.serializedString).bool()
            case .text(let text):
                switch text.lowercased() {
                case "true": return true
                case "false": return false
                default: throw QueryParameters.parseError("Invalid boolean parameter: \"\(text)\"")
                }
            }
        }

        func nonNegativeInt() throws(CouchError) -> Int {
            let text: String
            switch self {
            case .decoded(let value): text = value.stringValue ?? value.serializedString
            case .text(let value): text = value
            }
            guard let number = Int(text) else { throw QueryParameters.parseError("Invalid value for integer: \"\(text)\"") }
            guard number >= 0 else { throw QueryParameters.parseError("Invalid value for positive integer: \"\(text)\"") }
            return number
        }

        var string: String {
            switch self {
            case .decoded(let value): value.stringValue ?? value.serializedString
            case .text(let text): text
            }
        }
    }

    static func parse(body: JSONObject, query: QueryParameters) throws(CouchError) -> ViewQuery {
        var parameters: [(String, Value)] = body.map { ($0.key, .decoded($0.value)) }
        parameters += query.pairs.map { ($0.name, .text($0.value)) }
        var result = ViewQuery()
        for (name, value) in parameters {
            switch name {
            case "reduce": result.reduce = try value.bool()
            case "key":
                let key = try value.json()
                (result.startKey, result.endKey) = (key, key)
            case "keys":
                let keys = try value.json()
                if keys.isNull { continue }  // pycouchdb sends "keys": null to mean all
                guard let list = keys.arrayValue else { throw QueryParameters.parseError("`keys` must be an array of strings.") }
                if list.count == 1 {
                    (result.startKey, result.endKey) = (list[0], list[0])
                } else {
                    result.keys = list
                }
            case "startkey", "start_key": result.startKey = try value.json()
            case "endkey", "end_key": result.endKey = try value.json()
            case "startkey_docid", "start_key_doc_id": result.startDocumentID = value.string
            case "endkey_docid", "end_key_doc_id": result.endDocumentID = value.string
            case "limit": result.limit = try value.nonNegativeInt()
            case "skip": result.skip = try value.nonNegativeInt()
            case "stale":
                switch value.string {
                case "ok": result.update = .never
                case "update_after": result.update = .lazy
                default: throw QueryParameters.parseError("Invalid value for `stale`.")
                }
            case "stable":
                guard ["true", "false"].contains(value.string) else { throw QueryParameters.parseError("Invalid value for `stable`.") }
            case "update":
                switch value.string {
                case "true": result.update = .now
                case "false": result.update = .never
                case "lazy": result.update = .lazy
                default: throw QueryParameters.parseError("Invalid value for `update`.")
                }
            case "descending": result.descending = try value.bool()
            case "group": result.group = try value.bool()
            case "group_level": result.groupLevel = try value.nonNegativeInt()
            case "inclusive_end": result.inclusiveEnd = try value.bool()
            case "include_docs": result.includeDocuments = try value.bool()
            case "conflicts": result.conflicts = try value.bool()
            case "update_seq": result.updateSequence = try value.bool()
            case "sorted", "attachments", "att_encoding_info": _ = try value.bool()
            case "partition":
                do throws(DocStoreError) { try Partition.validate(value.string) } catch { throw CouchError(error) }
                result.partition = value.string
            default: continue  // CouchDB keeps unknown parameters as `extra` and ignores them
            }
        }
        if let keys = result.keys, !keys.isEmpty, result.startKey != nil || result.endKey != nil {
            throw QueryParameters.parseError("`keys` is incompatible with `key`, `start_key` and `end_key`")
        }
        return result
    }
}
