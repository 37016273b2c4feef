import Crypto
import DocStore
import HTTPTypes
import Hummingbird
import NIOCore

/// What a CouchDB handler sees of a request: the method, the decoded path segments,
/// the query, the authenticated user and the (not yet read) body.
struct CouchRequest: Sendable {
    let request: Request
    /// Path segments, each percent-decoded after splitting, so `a%2Fb` is one segment;
    /// `+` is a space, as CouchDB reads paths.
    private(set) var segments: [String]
    private(set) var query: QueryParameters
    let user: UserContext
    let limits: ServerConfiguration.Limits

    var method: HTTPRequest.Method { request.method }
    var headers: HTTPFields { request.headers }

    init(request: Request, user: UserContext, limits: ServerConfiguration.Limits) {
        self.request = request
        self.user = user
        self.limits = limits
        segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map { URIEncoding.decodeLeniently($0, plusAsSpace: true) }
        query = QueryParameters(request.uri.query)
    }

    /// The partition of a `/{db}/_partition/{p}/…` request.
    private(set) var partition: String?

    /// The request as CouchDB hands `/{db}/_partition/{p}/…` to the database's own
    /// handlers: the path without the partition, and `partition` set in the query.
    func scoped(to partition: String, segments: [String]) -> CouchRequest {
        var copy = self
        copy.segments = segments
        copy.query.set("partition", partition)
        copy.partition = partition
        return copy
    }

    /// The whole body, refused beyond `max_http_request_size`.
    func bodyBytes() async throws(CouchError) -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limits.maxHTTPRequestSize {
            throw CouchError.requestTooLarge
        }
        var collected: [UInt8] = []
        do {
            for try await buffer in request.body {
                guard collected.count + buffer.readableBytes <= limits.maxHTTPRequestSize else { throw CouchError.requestTooLarge }
                collected.append(contentsOf: buffer.readableBytesView)
            }
        } catch let error as CouchError {
            throw error
        } catch {
            throw CouchError.badRequest("could not read the request body")
        }
        return collected
    }

    /// An absolute URL for a `Location` header, as CouchDB's `absolute_uri` builds it:
    /// the forwarded or requested host, and each path part percent-encoded on its own
    /// (so `_design/x` becomes `_design%2Fx`).
    func location(_ parts: String...) -> String {
        absoluteURL(parts.map { "/" + URIEncoding.encodeCouch($0) }.joined())
    }

    /// `path` (already encoded) as an absolute URL on the host the client asked.
    func absoluteURL(_ path: String) -> String {
        let host = headers[HTTPField.Name("X-Forwarded-Host")!] ?? request.head.authority ?? "127.0.0.1"
        let scheme = headers[HTTPField.Name("X-Forwarded-Proto")!] ?? "http"
        return "\(scheme)://\(host)" + path
    }

    /// CouchDB's `validate_ctype`: a missing or other content type is 415.
    /// Whether the client accepts `type`, as mochiweb's `accepts_content_type` decides: no
    /// `Accept` header is `*/*`; `*/*`, `main/*` or the type itself with q > 0 accept
    /// it, unless the type or `main/*` is listed with q = 0.
    func accepts(_ type: String) -> Bool {
        let header = headers[.accept] ?? "*/*"
        let superType = (type.split(separator: "/").first.map(String.init) ?? type) + "/*"
        var accepted = false
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let range = parts.first, !range.isEmpty else { continue }
            var q = 1.0
            if let value = parts.dropFirst().first(where: { $0.hasPrefix("q=") }) {
                guard let number = Double(value.dropFirst(2)) else { return false }
                q = number
            }
            if q > 0, range == "*/*" || range == type || range == superType { accepted = true }
            if q == 0, range == type || range == superType { return false }
        }
        return accepted
    }

    func requireJSONContentType() throws(CouchError) {
        guard headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw CouchError(.unsupportedMediaType, "bad_content_type", "Content-Type must be application/json")
        }
    }

    /// The body parsed as JSON. CouchDB checks the content type on writes: anything
    /// but `application/json` is 415.
    func jsonBody(requireContentType: Bool = true) async throws(CouchError) -> JSON {
        if requireContentType, let type = headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw CouchError(.unsupportedMediaType, "bad_content_type", "Content-Type must be application/json")
        }
        let bytes = try await bodyBytes()
        do {
            return try JSON.parse(bytes)
        } catch {
            throw CouchError.invalidJSON
        }
    }

    /// The body as a JSON object (documents, `_bulk_docs`, ...).
    func jsonObjectBody() async throws(CouchError) -> JSONObject {
        guard case .object(let object) = try await jsonBody() else {
            throw CouchError.badRequest("Request body must be a JSON object")
        }
        return object
    }
}

extension Response {
    /// CouchDB's opaque ETag (`chttpd:make_etag`): the MD5 of what an answer depends on,
    /// in base 36, quoted.
    static func opaqueETag(_ bytes: [UInt8]) -> String {
        let value = Insecure.MD5.hash(data: bytes).reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        return "\"" + String(value, radix: 36, uppercase: true) + "\""
    }

    /// A JSON answer with an opaque ETag of its bytes, or 304 when the request's
    /// If-None-Match names it.
    static func json(_ value: JSON, validatedFor request: CouchRequest, headers: HTTPFields = [:]) -> Response {
        let bytes = value.serialized()
        var fields = headers
        fields[.eTag] = opaqueETag(bytes)
        if request.headers[.ifNoneMatch] == fields[.eTag] { return Response(status: .notModified, headers: fields) }
        return json(bytes: bytes, headers: fields)
    }

    /// A JSON response with CouchDB's headers.
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(bytes: value.serialized(), status: status, headers: headers)
    }

    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    static func error(_ error: CouchError) -> Response {
        var headers: HTTPFields = [:]
        if let allow = error.allow { headers[.allow] = allow }
        return json(error.json, status: error.status, headers: headers)
    }

    /// `{"ok": true}` with the given status.
    static func ok(status: HTTPResponse.Status = .ok) -> Response { json(["ok": true], status: status) }
}

extension HTTPField.Name {
    static let couchRequestID = HTTPField.Name("X-Couch-Request-ID")!
    static let couchUpdateNewRev = HTTPField.Name("X-Couch-Update-NewRev")!
}
