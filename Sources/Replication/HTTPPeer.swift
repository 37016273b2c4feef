import AsyncHTTPClient
import DocStore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A database on a CouchDB-compatible server, spoken to over HTTP(S) as CouchDB's own
/// replicator does.
///
/// Credentials come from the URL's userinfo (used to open a cookie session with
/// `POST /_session`, falling back to Basic auth when the server gives no cookie, as
/// CouchDB 3's replicator does), or from headers given with the endpoint (an
/// `Authorization` header is used as it is). TLS is used for `https` URLs.
public final class HTTPPeer: ReplicationPeer {
    /// The database URL without credentials or trailing slash.
    public let url: String
    let scheme: String
    let host: String
    let port: Int?
    let path: String
    let user: String?
    let password: String?
    let extraHeaders: [String: String]
    let session = Mutex(SessionState())
    /// Set once `_bulk_get` turned out to be missing; `open_revs` GETs are used instead.
    let bulkGetUnsupported = Atomic<Bool>(false)
    let client: HTTPClient

    struct SessionState {
        var cookie: String?
        var triedLogin = false
    }

    /// - Throws: `bad_request` for a URL that is not http(s) with a host and a database.
    public init(url text: String, headers: [String: String] = [:], client: HTTPClient = HTTPPeer.sharedClient) throws(ReplicationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else { throw ReplicationError(.badRequest, "not a database URL: \(Self.stripCredentials(text))") }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.isEmpty else { throw ReplicationError(.badRequest, "the URL names no database: \(Self.stripCredentials(text))") }
        self.scheme = scheme
        self.host = host
        port = components.port
        self.path = path
        user = components.user.map { $0.removingPercentEncoding ?? $0 }
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        extraHeaders = headers
        self.client = client
        let hostPart = host.contains(":") ? "[\(host)]" : host
        url = "\(scheme)://\(hostPart)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    /// One client for every peer of the process: pooled connections, a read timeout
    /// that catches stalled peers, no automatic decompression. Never shut down.
    ///
    /// A refused connection fails at once (the pool does not keep reconnecting until the
    /// connect timeout): `RetryPolicy` retries the request, as CouchDB's replicator
    /// retries a failed ibrowse request (5 times, 250 ms doubling), so a peer that is
    /// down ends a `_replicate` after seconds, as in CouchDB, not after minutes.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(10), read: .seconds(120)), decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public var displayName: String { url + "/" }

    /// CouchDB's v4 endpoint identity: user, host, non-default port, path and the
    /// headers other than credentials.
    public var identity: JSON {
        let defaultPort = (scheme == "https" && port == 443) || (scheme == "http" && (port == 80 || port == 5984)) || port == nil
        let headers = extraHeaders.filter { $0.key.lowercased() != "authorization" && $0.key.lowercased() != "cookie" }
            .sorted { $0.key < $1.key }.map { JSON.array([.string($0.key), .string($0.value)]) }
        return [
            "remote", user.map(JSON.string) ?? .null, .string(host), defaultPort ? "default" : .number(JSONNumber(port!)),
            .string(path), .array(headers),
        ]
    }

    /// `url` with any `user:password@` removed.
    public static func stripCredentials(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }

    /// Percent-encodes a document id for a path: `_design/` and `_local/` keep their
    /// slash (CouchDB and Divan route on it), everything else is one segment.
    static func encode(id: String) -> String {
        for prefix in ["_design/", "_local/"] where id.hasPrefix(prefix) {
            return prefix + encode(segment: String(id.dropFirst(prefix.count)))
        }
        return encode(segment: id)
    }

    /// Percent-encodes an attachment name for a path: its slashes stay (servers join
    /// the segments after the document id back into the name).
    static func encode(attachmentName: String) -> String {
        attachmentName.split(separator: "/", omittingEmptySubsequences: false).map { encode(segment: String($0)) }.joined(separator: "/")
    }

    static func encode(segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? segment
    }

    static func encode(query: String) -> String {
        query.addingPercentEncoding(withAllowedCharacters: queryCharacters) ?? query
    }

    /// Without `+`: CouchDB reads a `+` in a path as a space.
    private static let segmentCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*,;=:@")
    private static let queryCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*,;:@/?")
}
