import DocStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/{db}/{docid}/{attachment}`: GET (with Range), HEAD, PUT (streamed) and DELETE.
extension CouchService {
    func attachmentEndpoint(
        _ database: DocumentDatabase, _ id: String, _ name: String, _ request: CouchRequest, _ access: DatabaseAccess
    ) async throws -> Response {
        switch request.method {
        case .get, .head:
            let attachment = try database.attachment(id, name: name, revision: try revisionParameter(request))
            return try attachmentResponse(database, attachment, request)
        case .put:
            try checkDesignWrite(id, access)
            let contentType = request.headers[.contentType] ?? "application/octet-stream"
            // A body sent gzip-encoded is stored so (CouchDB does the same).
            let encoding: AttachmentEncoding =
                request.headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip" ? .gzip : .identity
            let staged = try await database.stageAttachment(
                RequestBytes(base: request.request.body), contentType: contentType, encoding: encoding)
            let revision = try revisionParameter(request)
            var attachments: [(name: String, input: AttachmentInput)] = []
            var body = JSONObject()
            if let revision {
                var options = DocumentReadOptions()
                options.revision = revision
                let current = try database.document(id, options: options)
                body = current.fields()
                attachments = current.attachments.filter { !$0.name.hasSameBytes(as: name) }.map { ($0.name, .stub(digest: $0.digest)) }
            }
            attachments.append((name, .staged(contentType: contentType, staged)))
            let rev = try await database.put(DocumentUpdate(id: id, revision: revision, body: body, attachments: attachments), userContext: request.user.writer)
            return .json(
                ["ok": true, "id": .string(id), "rev": .string(rev)], status: .created,
                headers: [.location: request.location(database.name, id) + "/" + name.split(separator: "/", omittingEmptySubsequences: false).map { URIEncoding.encodeCouch($0) }.joined(separator: "/")])
        case .delete:
            try checkDesignWrite(id, access)
            guard let revision = try revisionParameter(request) else { throw CouchError(.conflict, "conflict", "Document update conflict.") }
            var options = DocumentReadOptions()
            options.revision = revision
            let current = try database.document(id, options: options)
            guard current.attachments.contains(where: { $0.name.hasSameBytes(as: name) }) else {
                throw CouchError(.notFound, "not_found", "Document is missing attachment")
            }
            let kept = current.attachments.filter { !$0.name.hasSameBytes(as: name) }.map { ($0.name, AttachmentInput.stub(digest: $0.digest)) }
            let rev = try await database.put(DocumentUpdate(id: id, revision: revision, body: current.fields(), attachments: kept), userContext: request.user.writer)
            return .json(["ok": true, "id": .string(id), "rev": .string(rev)])
        default:
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,PUT")
        }
    }

    /// CouchDB's attachment GET: the stored encoding is sent when the client accepts
    /// it (`Content-Encoding: gzip`), else the bytes are decoded on the way; ranges
    /// apply to identity attachments only (`Accept-Ranges: none` otherwise).
    private func attachmentResponse(_ database: DocumentDatabase, _ attachment: AttachmentInfo, _ request: CouchRequest) throws -> Response {
        let etag = "\"\(attachment.digest.hasPrefix("md5-") ? String(attachment.digest.dropFirst(4)) : attachment.digest)\""
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
        let sendEncoded = attachment.encoding == .gzip && Self.acceptsGzip(request.headers[.acceptEncoding])
        var headers: HTTPFields = [
            .eTag: etag, .cacheControl: "must-revalidate", .contentType: attachment.contentType,
            .acceptRanges: attachment.encoding == .identity ? "bytes" : "none",
            .contentSecurityPolicy: "sandbox",
        ]
        if sendEncoded { headers[.contentEncoding] = "gzip" }
        let length = sendEncoded ? attachment.encodedLength : attachment.length
        var status = HTTPResponse.Status.ok
        var range = 0..<length
        if attachment.encoding == .identity, let header = request.headers[.range],
            let requested = try Self.byteRange(header, length: length)
        {
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(length)"
        }
        headers[.contentLength] = String(range.count)
        if request.method == .head { return Response(status: status, headers: headers) }
        let body: ResponseBody
        if attachment.encoding == .gzip && !sendEncoded {
            let stream = DecodedAttachmentStream(database: database, attachment: attachment)
            body = ResponseBody(contentLength: range.count) { writer in
                for try await piece in stream { try await writer.write(ByteBuffer(bytes: piece)) }
                try await writer.finish(nil)
            }
        } else {
            let stream = AttachmentByteStream(database: database, attachment: attachment, range: range)
            body = ResponseBody(contentLength: range.count) { writer in
                for try await piece in stream { try await writer.write(ByteBuffer(bytes: piece)) }
                try await writer.finish(nil)
            }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether an `Accept-Encoding` header admits gzip (by name or `*`, with q > 0).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var gzip: Double?
        var any: Double?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if name == "gzip" || name == "x-gzip" { gzip = q } else if name == "*" { any = q }
        }
        return (gzip ?? any ?? 0) > 0
    }

    /// One `bytes=` range resolved against `length`; nil to answer the whole body
    /// (several ranges, or a header we do not understand, as RFC 9110 allows).
    /// - Throws: 416 for a range that starts past the end.
    static func byteRange(_ header: String, length: Int) throws(CouchError) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let unsatisfiable = CouchError(.rangeNotSatisfiable, "requested_range_not_satisfiable", "Requested range not satisfiable")
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { throw unsatisfiable }
            return max(0, length - suffix)..<length
        }
        guard let start = Int(parts[0]) else { return nil }
        let end = parts[1].isEmpty ? length - 1 : min(Int(parts[1]) ?? -1, length - 1)
        guard start < length, end >= start else { throw unsatisfiable }
        return start..<(end + 1)
    }
}
