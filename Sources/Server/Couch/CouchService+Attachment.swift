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
                let current = try attachmentWriteBase(database, id, revision)
                body = current.fields()
                attachments = current.attachments.filter { !$0.name.hasSameBytes(as: name) }.map { ($0.name, .stub(digest: $0.digest)) }
            }
            attachments.append((name, .staged(contentType: contentType, staged)))
            let rev = try await database.put(DocumentUpdate(id: id, revision: revision, body: body, attachments: attachments), userContext: request.user.writer)
            return .json(
                ["ok": true, "id": .string(id), "rev": .string(rev)], status: .created,
                headers: [.location: request.location(database.name, id, name)])
        case .delete:
            try checkDesignWrite(id, access)
            let revision = try revisionParameter(request)
            // Without a revision CouchDB still opens the winner and looks for the
            // attachment (404s) before its update conflicts.
            let current = try revision.map { rev throws in try attachmentWriteBase(database, id, rev) } ?? database.document(id)
            guard current.attachments.contains(where: { $0.name.hasSameBytes(as: name) }) else {
                throw CouchError(.notFound, "not_found", "Document is missing attachment")
            }
            guard let revision else { throw CouchError(.conflict, "conflict", "Document update conflict.") }
            let kept = current.attachments.filter { !$0.name.hasSameBytes(as: name) }.map { ($0.name, AttachmentInput.stub(digest: $0.digest)) }
            let rev = try await database.put(DocumentUpdate(id: id, revision: revision, body: current.fields(), attachments: kept), userContext: request.user.writer)
            return .json(["ok": true, "id": .string(id), "rev": .string(rev)])
        default:
            throw CouchError.methodNotAllowed("DELETE,GET,HEAD,PUT")
        }
    }

    /// The revision an attachment PUT or DELETE edits. CouchDB answers a revision the
    /// document lacks with `409 not_found/missing_rev`; Divan keeps no body for a
    /// revision that has children (README), so that one is the conflict its edit is.
    private func attachmentWriteBase(_ database: DocumentDatabase, _ id: String, _ revision: Revision) throws -> Document {
        var options = DocumentReadOptions()
        options.revision = revision
        if let document = try? database.document(id, options: options) { return document }
        guard try database.revisionsDiff([ExactString(id): [revision]]).isEmpty else {
            throw CouchError(.conflict, "not_found", "missing_rev")
        }
        throw CouchError(.conflict, "conflict", "Document update conflict.")
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
            let requested = try Self.byteRanges(header, length: length)
        {
            status = .partialContent
            if requested.count > 1 {
                return multipleRanges(database, attachment, requested, length: length, head: request.method == .head)
            }
            range = requested[0]
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

    /// Several ranges: `206 multipart/byteranges`, one part per range in the order asked,
    /// each with its `Content-Type` and `Content-Range`, as CouchDB (mochiweb) sends them.
    private func multipleRanges(
        _ database: DocumentDatabase, _ attachment: AttachmentInfo, _ ranges: [Range<Int>], length: Int, head: Bool
    ) -> Response {
        let boundary = UUIDs.random()
        // Only the type: CouchDB sends no ETag, Accept-Ranges or Cache-Control here.
        var headers: HTTPFields = [.contentType: "multipart/byteranges; boundary=\"\(boundary)\""]
        let heads = ranges.enumerated().map { offset, range in
            (offset == 0 ? "" : "\r\n") + "--\(boundary)\r\nContent-Type: \(attachment.contentType)\r\n"
                + "Content-Range: bytes \(range.lowerBound)-\(range.upperBound - 1)/\(length)\r\n\r\n"
        }
        let closing = "\r\n--\(boundary)--"
        let total = zip(heads, ranges).reduce(closing.utf8.count) { $0 + $1.0.utf8.count + $1.1.count }
        headers[.contentLength] = String(total)
        if head { return Response(status: .partialContent, headers: headers) }
        let body = ResponseBody(contentLength: total) { writer in
            for (partHead, range) in zip(heads, ranges) {
                try await writer.write(ByteBuffer(string: partHead))
                for try await piece in AttachmentByteStream(database: database, attachment: attachment, range: range) {
                    try await writer.write(ByteBuffer(bytes: piece))
                }
            }
            try await writer.write(ByteBuffer(string: closing))
            try await writer.finish(nil)
        }
        return Response(status: .partialContent, headers: headers, body: body)
    }

    /// The `bytes=` ranges of a `Range` header resolved against `length`, in the order
    /// given; nil to answer the whole body (a header we do not understand, as RFC 9110
    /// allows). - Throws: 416 when a range starts past the end.
    static func byteRanges(_ header: String, length: Int) throws(CouchError) -> [Range<Int>]? {
        guard header.hasPrefix("bytes=") else { return nil }
        let unsatisfiable = CouchError(.rangeNotSatisfiable, "requested_range_not_satisfiable", "Requested range not satisfiable")
        var ranges: [Range<Int>] = []
        for item in header.dropFirst(6).split(separator: ",") {
            let spec = item.trimmingCharacters(in: .whitespaces)
            let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            if parts[0].isEmpty {
                guard let suffix = Int(parts[1]), suffix > 0 else { throw unsatisfiable }
                ranges.append(max(0, length - suffix)..<length)
                continue
            }
            guard let start = Int(parts[0]) else { return nil }
            let end = parts[1].isEmpty ? length - 1 : min(Int(parts[1]) ?? -1, length - 1)
            guard start < length, end >= start else { throw unsatisfiable }
            ranges.append(start..<(end + 1))
        }
        return ranges.isEmpty ? nil : ranges
    }
}
