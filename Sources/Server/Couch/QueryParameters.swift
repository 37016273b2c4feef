import DocStore

/// A request's query string, percent-decoded, with CouchDB's typed readers: booleans,
/// integers and JSON-encoded values (`startkey="a"`), each rejected with CouchDB's
/// `query_parse_error` when malformed.
struct QueryParameters: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init(_ query: String?) {
        guard let query, !query.isEmpty else { return }
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.decodeLeniently(pieces[0], plusAsSpace: true)
            let value = pieces.count > 1 ? URIEncoding.decodeLeniently(pieces[1], plusAsSpace: true) : ""
            pairs.append((name, value))
        }
    }

    subscript(_ name: String) -> String? { pairs.last { $0.name == name }?.value }

    func contains(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    /// Replaces every value of `name` with `value`.
    mutating func set(_ name: String, _ value: String) {
        pairs.removeAll { $0.name == name }
        pairs.append((name, value))
    }

    func bool(_ name: String, default value: Bool = false) throws(CouchError) -> Bool {
        guard let text = self[name] else { return value }
        switch text {
        case "true": return true
        case "false": return false
        default: throw Self.parseError("Invalid boolean parameter: \"\(text)\"")
        }
    }

    /// A non-negative integer, with CouchDB's two messages (`parse_pos_int`).
    func int(_ name: String) throws(CouchError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text) else { throw Self.parseError("Invalid value for integer: \"\(text)\"") }
        guard value >= 0 else { throw Self.parseError("Invalid value for positive integer: \"\(text)\"") }
        return value
    }

    /// A JSON-encoded parameter (`key`, `startkey`, `keys`, `atts_since`, ...); text that
    /// is not JSON is CouchDB's `400 bad_request` "invalid UTF-8 JSON".
    func json(_ name: String) throws(CouchError) -> JSON? {
        guard let text = self[name] else { return nil }
        do {
            return try JSON.parse(text)
        } catch {
            throw CouchError.invalidJSON
        }
    }

    /// A JSON string parameter, also accepting CouchDB's older unquoted form.
    func jsonString(_ name: String, _ aliases: String...) throws(CouchError) -> String? {
        for key in [name] + aliases {
            guard let text = self[key] else { continue }
            guard let parsed = try? JSON.parse(text) else { throw CouchError.invalidJSON }
            guard let string = parsed.stringValue else { throw Self.parseError("\(key) must be a string") }
            return string
        }
        return nil
    }

    static func parseError(_ reason: String) -> CouchError { CouchError(.badRequest, "query_parse_error", reason) }
}
