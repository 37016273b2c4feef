import DocStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `multipart/related` document uploads, as CouchDB's replicator and couchdb-python
/// send them: the JSON document first, then one part per attachment marked
/// `"follows": true`, in the order of `_attachments`. Attachment parts stream
/// straight into the database.
enum MultipartUpload {
    static func documentUpdate(_ request: CouchRequest, id: String?, database: DocumentDatabase) async throws -> DocumentUpdate {
        guard let boundary = MultipartReader<RequestBody.AsyncIterator>.boundary(of: request.headers[.contentType] ?? "") else {
            throw CouchError.badRequest("multipart/related without a boundary")
        }
        let reader = MultipartReader(source: request.request.body.makeAsyncIterator(), boundary: boundary)
        do {
            guard try await reader.nextPart() != nil else { throw CouchError.badRequest("empty multipart body") }
            let json = try await reader.collectBody(limit: request.limits.maxHTTPRequestSize)
            guard var object = (try? JSON.parse(json))?.objectValue else { throw CouchError.invalidJSON }
            // Take the attachments that follow out of the JSON; the rest parse as usual.
            var following: [(name: String, contentType: String, encoding: AttachmentEncoding, length: Int?)] = []
            var revpos: [ExactString: Int] = [:]
            if var attachments = object["_attachments"]?.objectValue {
                for (name, value) in attachments where value["follows"]?.boolValue == true {
                    // CouchDB's replicator sends compressible attachments as stored: gzip.
                    let encoding: AttachmentEncoding = value["encoding"]?.stringValue == "gzip" ? .gzip : .identity
                    following.append((
                        name, value["content_type"]?.stringValue ?? "application/octet-stream", encoding,
                        value["length"]?.int64Value.map(Int.init)
                    ))
                    if let given = value["revpos"]?.int64Value, given >= 1 { revpos[ExactString(name)] = Int(given) }
                    attachments.removeValue(forKey: name)
                }
                object["_attachments"] = .object(attachments)
            }
            var update = try DocumentUpdate(json: object, id: id)
            update.attachmentRevpos.merge(revpos) { $1 }
            for (name, contentType, encoding, length) in following {
                guard try await reader.nextPart() != nil else {
                    throw CouchError.badRequest("attachment \(name) is missing from the multipart body")
                }
                let staged = try await database.stageAttachment(
                    MultipartPartBytes(reader: reader), contentType: contentType, encoding: encoding, identityLength: length)
                update.attachments.append((name, .staged(contentType: contentType, staged)))
            }
            return update
        } catch let error as MultipartError {
            throw CouchError.badRequest("malformed multipart body: \(error.message)")
        }
    }
}

/// `multipart/mixed` answers to `open_revs` when the client asks for them (CouchDB's
/// replicator does), framed as CouchDB frames them: a revision without attachment
/// bytes to send is an `application/json` part; one with them is a `multipart/related`
/// part (the JSON, its attachments marked `"follows": true`, then one part per
/// attachment with its bytes); a missing revision is an `application/json;
/// error="true"` part. Attachment bytes stream from the database a piece at a time, so
/// memory stays bounded whatever their size.
enum MultipartResponse {
    static func openRevisions(_ answers: [OpenRevision], database: DocumentDatabase) -> Response {
        let outer = UUIDs.random()
        let inner = UUIDs.random()
        let body = ResponseBody { writer in
            func write(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
            try await write("--\(outer)")
            for answer in answers {
                switch answer {
                case .found(let document) where document.followingAttachments.isEmpty:
                    try await write("\r\nContent-Type: application/json\r\n\r\n")
                    try await writer.write(ByteBuffer(bytes: document.serialized()))
                case .found(let document):
                    try await write("\r\nContent-Type: multipart/related; boundary=\"\(inner)\"\r\n\r\n")
                    try await writeRelated(document, boundary: inner, database: database, to: &writer)
                case .missing(let revision):
                    try await write("\r\nContent-Type: application/json; error=\"true\"\r\n\r\n")
                    try await writer.write(ByteBuffer(bytes: JSON.object(["missing": .string(revision)]).serialized()))
                }
                try await write("\r\n--\(outer)")
            }
            try await write("--")
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "multipart/mixed; boundary=\"\(outer)\""], body: body)
    }

    /// A document with `attachmentsFollow` as a `multipart/related` answer.
    static func related(_ document: Document, database: DocumentDatabase, headers: HTTPFields) -> Response {
        let boundary = UUIDs.random()
        let body = ResponseBody { writer in
            try await writeRelated(document, boundary: boundary, database: database, to: &writer)
            try await writer.finish(nil)
        }
        var fields = headers
        fields[.contentType] = "multipart/related; boundary=\"\(boundary)\""
        return Response(status: .ok, headers: fields, body: body)
    }

    /// The parts of one document: its JSON (attachments marked `"follows": true`), then
    /// one part per attachment with its bytes as stored, streamed, then the closing line.
    private static func writeRelated(
        _ document: Document, boundary: String, database: DocumentDatabase, to writer: inout any ResponseBodyWriter
    ) async throws {
        try await writer.write(ByteBuffer(string: "--\(boundary)\r\nContent-Type: application/json\r\n\r\n"))
        try await writer.write(ByteBuffer(bytes: document.serialized()))
        for attachment in document.followingAttachments {
            let name = attachment.name.replacingOccurrences(of: "\"", with: "\\\"")
            try await writer.write(ByteBuffer(string:
                "\r\n--\(boundary)\r\nContent-Disposition: attachment; filename=\"\(name)\"\r\n"
                    + "Content-Type: \(attachment.contentType)\r\nContent-Length: \(attachment.encodedLength)\r\n"
                    + (attachment.encoding == .gzip ? "Content-Encoding: gzip\r\n\r\n" : "\r\n")))
            for try await piece in AttachmentByteStream(database: database, attachment: attachment).buffers {
                try await writer.write(piece)
            }
        }
        try await writer.write(ByteBuffer(string: "\r\n--\(boundary)--"))
    }
}
