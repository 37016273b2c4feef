import DocStore

/// One end of a replication as a request names it: a database of this server, or a
/// URL with optional headers.
public enum ReplicationEndpoint: Sendable, Equatable {
    case local(String)
    case remote(url: String, headers: [String: String])

    /// Reads `"name"`, `"http://…"` or `{"url": …, "headers": {…}, "auth": {"basic": {…}}}`.
    public init(json: JSON, role: String) throws(ReplicationError) {
        switch json {
        case .string(let text):
            self = Self.fromString(text)
        case .object(let object):
            guard let url = object["url"]?.stringValue else {
                throw ReplicationError(.badRequest, "\(role) must have a url")
            }
            var headers: [String: String] = [:]
            for (name, value) in object["headers"]?.objectValue ?? [:] {
                guard let text = value.stringValue else { throw ReplicationError(.badRequest, "\(role) headers must be strings") }
                headers[name] = text
            }
            if let basic = object["auth"]?["basic"], let user = basic["username"]?.stringValue,
                let password = basic["password"]?.stringValue
            {
                headers["Authorization"] = "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
            }
            switch Self.fromString(url) {
            case .remote(let url, _): self = .remote(url: url, headers: headers)
            case .local(let name): self = .local(name)
            }
        default:
            throw ReplicationError(.badRequest, "\(role) must be a string or an object")
        }
    }

    /// A URL (`http(s)://…`) or the name of a database of this server.
    public init(_ text: String) { self = Self.fromString(text) }

    static func fromString(_ text: String) -> ReplicationEndpoint {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") ? .remote(url: text, headers: [:]) : .local(text)
    }

    /// The endpoint without credentials.
    public var displayName: String {
        switch self {
        case .local(let name): name
        case .remote(let url, _): HTTPPeer.stripCredentials(url)
        }
    }
}

/// What a replication is asked to do: CouchDB's `_replicate` body or `_replicator`
/// document, checked.
public struct ReplicationSpecification: Sendable {
    public var source: ReplicationEndpoint
    public var target: ReplicationEndpoint
    public var continuous = false
    public var createTarget = false
    public var filter: ReplicationFilter?
    /// A filter function's source code, fetched from the source for the replication id
    /// (`resolvingFilterCode(from:)`); nil otherwise.
    public var filterCode: String?
    /// Where to start when no checkpoint exists.
    public var sinceSequence: PeerSequence?
    public var useCheckpoints = true
    public var winningRevisionsOnly = false
    /// Changes per batch (`worker_batch_size`).
    public var batchSize = 500
    /// Batches in flight at once (`worker_processes`).
    public var workers = 4
    /// `cancel: true` in a `_replicate` request.
    public var cancel = false
    /// `replication_id` (or `id`) of a `_replicate` cancel request.
    public var cancelID: String?

    public init(source: ReplicationEndpoint, target: ReplicationEndpoint) {
        self.source = source
        self.target = target
    }

    /// Parses and checks a request. - Throws: `bad_request` for a missing source or
    /// target, bad option types, filter functions, or both `doc_ids` and `selector`.
    public init(json: JSONObject) throws(ReplicationError) {
        let cancel = json["cancel"]?.boolValue ?? false
        let cancelID = json["replication_id"]?.stringValue ?? json["id"]?.stringValue
        guard let sourceJSON = json["source"], let targetJSON = json["target"] else {
            guard cancel, cancelID != nil else { throw ReplicationError(.badRequest, "source and target are required") }
            self.init(source: .local(""), target: .local(""))
            self.cancel = true
            self.cancelID = cancelID
            return
        }
        self.init(source: try ReplicationEndpoint(json: sourceJSON, role: "source"), target: try ReplicationEndpoint(json: targetJSON, role: "target"))
        self.cancel = cancel
        self.cancelID = cancelID
        continuous = try Self.bool(json, "continuous")
        createTarget = try Self.bool(json, "create_target")
        useCheckpoints = try Self.bool(json, "use_checkpoints", default: true)
        winningRevisionsOnly = try Self.bool(json, "winning_revs_only")
        batchSize = try Self.positive(json, "worker_batch_size", default: 500)
        workers = try Self.positive(json, "worker_processes", default: 4)
        if let since = json["since_seq"] { sinceSequence = PeerSequence(since) }
        let docIDs = json["doc_ids"].flatMap { $0.isNull ? nil : $0 }
        let selector = json["selector"].flatMap { $0.isNull ? nil : $0 }
        if let name = json["filter"]?.stringValue, !name.isEmpty, name != "_doc_ids", name != "_selector" {
            guard docIDs == nil, selector == nil else {
                throw ReplicationError(.badRequest, "`selector`, `filter` and `doc_ids` are mutually exclusive")
            }
            if !name.hasPrefix("_") {
                let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ReplicationError(.badRequest, "Invalid filter. Must match `ddocname/filtername`.")
                }
            } else if name != "_view" {
                throw ReplicationError(.badRequest, "unknown filter \(name)")
            }
            let parameters = json["query_params"].flatMap { $0.isNull ? nil : $0 }
            if let parameters, parameters.objectValue == nil { throw ReplicationError(.badRequest, "query_params must be an object") }
            filter = .function(name: name, queryParameters: parameters?.objectValue ?? [:])
            return
        }
        if docIDs != nil && selector != nil { throw ReplicationError(.badRequest, "doc_ids and selector cannot be combined") }
        if let docIDs {
            guard let list = docIDs.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw ReplicationError(.badRequest, "doc_ids must be a list of strings")
            }
            filter = .documentIDs(list.compactMap(\.stringValue))
        } else if let selector {
            do throws(SelectorError) {
                _ = try Selector(selector)
            } catch {
                throw ReplicationError(.badRequest, "invalid selector: \(error.message)")
            }
            filter = .selector(selector)
        }
    }

    private static func bool(_ json: JSONObject, _ key: String, default value: Bool = false) throws(ReplicationError) -> Bool {
        guard let item = json[key], !item.isNull else { return value }
        if let bool = item.boolValue { return bool }
        if let text = item.stringValue, ["true", "false"].contains(text) { return text == "true" }
        throw ReplicationError(.badRequest, "\(key) must be a boolean")
    }

    private static func positive(_ json: JSONObject, _ key: String, default value: Int) throws(ReplicationError) -> Int {
        guard let item = json[key], !item.isNull else { return value }
        let number = item.int64Value ?? item.stringValue.flatMap { Int64($0) }
        guard let number, number > 0 else { throw ReplicationError(.badRequest, "\(key) must be a positive integer") }
        return Int(number)
    }
}

extension ReplicationSpecification {
    /// Fetches a filter function's code from the source (`filters.name` of its design
    /// document, trimmed as CouchDB trims it) into `filterCode`, for the replication id.
    /// - Throws: `not_found` naming the design document or filter when the source lacks
    ///   it; the source's errors.
    public func resolvingFilterCode(from source: any ReplicationPeer) async throws -> ReplicationSpecification {
        guard case .function(let name, _)? = filter, !name.hasPrefix("_"), filterCode == nil else { return self }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        guard let design = try await source.designDocument("_design/" + parts[0]) else {
            throw ReplicationError(.notFound, "Couldn't open document `_design/\(parts[0])` from source database `\(source.displayName)`")
        }
        guard let code = design["filters"]?[parts[1]]?.stringValue else {
            throw ReplicationError(.notFound, "Couldn't parse filter code from document `_design/\(parts[0])` on `\(source.displayName)`")
        }
        var resolved = self
        resolved.filterCode = code.trimmingCharacters(in: .whitespacesAndNewlines)
        return resolved
    }
}
