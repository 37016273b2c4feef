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
            var following: [(name: String, contentType: String)] = []
            var revpos: [String: Int] = [:]
            if var attachments = object["_attachments"]?.objectValue {
                for (name, value) in attachments where value["follows"]?.boolValue == true {
                    following.append((name, value["content_type"]?.stringValue ?? "application/octet-stream"))
                    if let given = value["revpos"]?.int64Value, given >= 1 { revpos[name] = Int(given) }
                    attachments.removeValue(forKey: name)
                }
                object["_attachments"] = .object(attachments)
            }
            var update = try DocumentUpdate(json: object, id: id)
            update.attachmentRevpos.merge(revpos) { $1 }
            for (name, contentType) in following {
                guard try await reader.nextPart() != nil else {
                    throw CouchError.badRequest("attachment \(name) is missing from the multipart body")
                }
                let staged = try await database.stageAttachment(MultipartPartBytes(reader: reader))
                update.attachments.append((name, .staged(contentType: contentType, staged)))
            }
            return update
        } catch let error as MultipartError {
            throw CouchError.badRequest("malformed multipart body: \(error.message)")
        }
    }
}

/// `multipart/mixed` answers to `open_revs` when the client asks for them (the
/// replicator does): one `application/json` part per revision, attachments inline.
enum MultipartResponse {
    static func openRevisions(_ answers: [OpenRevision]) -> Response {
        let boundary = UUIDs.random()
        var body: [UInt8] = []
        for answer in answers {
            body += Array("--\(boundary)\r\nContent-Type: application/json\r\n\r\n".utf8)
            switch answer {
            case .found(let document): body += JSON.object(document.json()).serialized()
            case .missing(let revision): body += JSON.object(["missing": .string(revision)]).serialized()
            }
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--".utf8)
        return Response(
            status: .ok, headers: [.contentType: "multipart/mixed; boundary=\"\(boundary)\""],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
