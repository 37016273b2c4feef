import Foundation
import HTTPTypes
import Hummingbird

/// A request as the S3 handlers see it: the bucket and key it addresses (path style
/// `/bucket/key`, or virtual-host style `bucket.<domain>` in `Host`) and its decoded
/// query parameters, next to the raw path and query that signatures cover.
struct S3Request: Sendable {
    /// The request head as Hummingbird received it (`Expect` already removed).
    let head: HTTPRequest
    /// The path as sent, without the query.
    let rawPath: String
    /// Query parameters, decoded, in the order sent.
    let query: [(name: String, value: String)]
    /// The addressed bucket; `nil` for service-level requests (ListBuckets).
    let bucket: String?
    /// The addressed object key; `nil` for bucket-level requests.
    let key: String?
    /// The domain of virtual-host-style addressing this request was parsed with.
    let virtualHostDomain: String?
    /// Names of query parameters sent with `=` (`?acl=` rather than `?acl`).
    private let namesWithValues: Set<String>

    /// The HTTP method.
    var method: HTTPRequest.Method { head.method }
    /// The request headers (`Host` is in `head.authority`).
    var headers: HTTPFields { head.headerFields }

    /// - Throws: `InvalidURI` when the path or query has a malformed escape or is not UTF-8.
    init(_ head: HTTPRequest, virtualHostDomain: String?) throws(S3Error) {
        self.head = head
        self.virtualHostDomain = virtualHostDomain
        let target = head.path ?? "/"
        let (path, rawQuery) = Self.split(target)
        rawPath = path
        var parameters: [(name: String, value: String)] = []
        var namesWithValues: Set<String> = []
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = URIEncoding.decode(parts[0]), let value = URIEncoding.decode(parts.count > 1 ? parts[1] : "") else {
                throw Self.invalidURI
            }
            parameters.append((name, value))
            if parts.count > 1 { namesWithValues.insert(name) }
        }
        query = parameters
        self.namesWithValues = namesWithValues
        guard let decodedPath = URIEncoding.decode(path) else { throw Self.invalidURI }
        let hostBucket = Self.bucket(fromHost: head.authority, domain: virtualHostDomain)
        var rest = Substring(decodedPath)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        if let hostBucket {
            bucket = hostBucket
            key = rest.isEmpty ? nil : String(rest)
        } else if rest.isEmpty {
            (bucket, key) = (nil, nil)
        } else if let slash = rest.firstIndex(of: "/") {
            bucket = String(rest[..<slash])
            let remainder = rest[rest.index(after: slash)...]
            key = remainder.isEmpty ? nil : String(remainder)
        } else {
            (bucket, key) = (String(rest), nil)
        }
    }

    /// S3's answer to a path or query it cannot decode.
    static let invalidURI = S3Error(.badRequest, "InvalidURI", "Couldn't parse the specified URI.")

    /// Splits a request target into its path and its query (without `?`).
    static func split(_ target: String) -> (path: String, query: Substring) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), target[target.index(after: mark)...])
    }

    /// The bucket named by `bucket.<domain>[:port]`, if the host has that form.
    static func bucket(fromHost host: String?, domain: String?) -> String? {
        guard let host, let domain, !domain.isEmpty else { return nil }
        var name = Substring(host.lowercased())
        if let colon = name.lastIndex(of: ":"), !name.contains("]") { name = name[..<colon] }
        let suffix = "." + domain.lowercased()
        guard name.hasSuffix(suffix), name.count > suffix.count else { return nil }
        return String(name.dropLast(suffix.count))
    }

    /// The value of query parameter `name` (the first, if repeated).
    func parameter(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// Whether query parameter `name` is present (with or without a value).
    func has(_ name: String) -> Bool { query.contains { $0.name == name } }

    /// Whether query parameter `name` was sent with `=` (possibly with an empty value).
    func hasValue(_ name: String) -> Bool { namesWithValues.contains(name) }

    /// An integer query parameter, `nil` when absent.
    /// - Throws: `InvalidArgument` when present but not an integer in `range`.
    func integer(_ name: String, in range: ClosedRange<Int> = 0...Int.max) throws(S3Error) -> Int? {
        guard let text = parameter(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalidArgument("Provided \(name) not an integer or within integer range")
        }
        return value
    }

    /// A header's value, trimmed.
    func header(_ name: HTTPField.Name) -> String? {
        headers[name].map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A header by raw name (for `x-amz-*` names HTTPTypes has no constant for).
    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { header($0) }
    }

    /// `/bucket/key` for error bodies.
    var resource: String {
        guard let bucket else { return "/" }
        guard let key else { return "/\(bucket)" }
        return "/\(bucket)/\(key)"
    }
}
