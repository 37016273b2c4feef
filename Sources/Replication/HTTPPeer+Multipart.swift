import AsyncHTTPClient
import DocStore
import NIOCore

extension HTTPPeer {
    /// `PUT /db/id?new_edits=false` with a `multipart/related` body, as CouchDB's
    /// replicator sends documents with attachments: the JSON document (attachments
    /// sent marked `follows`, the others stubs), then one part per attachment in the
    /// order of `_attachments`. The bytes stream from the source as they are sent;
    /// the length is declared up front when every attachment's is known.
    public func write(_ revision: FetchedRevision, attachments: [OutgoingAttachment]) async throws {
        let boundary = UUIDs.random()
        var json = revision.json
        var entries = JSONObject()
        var segments: [MultipartBody.Segment] = []
        var length: Int? = 0
        for attachment in attachments {
            guard case .body(let stub, let size, let bytes) = attachment else {
                entries[attachment.stub.name] = attachment.stub.json(follows: false)
                continue
            }
            entries[stub.name] = stub.json(follows: true)
            let name = stub.name.replacingOccurrences(of: "\"", with: "\\\"")
            var head = "\r\n--\(boundary)\r\nContent-Disposition: attachment; filename=\"\(name)\"\r\nContent-Type: \(stub.contentType)\r\n"
            if let size { head += "Content-Length: \(size)\r\n" }
            if stub.encoding == .gzip { head += "Content-Encoding: gzip\r\n" }
            segments.append(.bytes(Array((head + "\r\n").utf8)))
            segments.append(.attachment(bytes, expected: size))
            length = size.flatMap { size in length.map { $0 + head.utf8.count + 2 + size } }
        }
        json["_attachments"] = entries.isEmpty ? nil : .object(entries)
        guard !segments.isEmpty else {
            // Only stubs: CouchDB waits forever for attachment parts that never come
            // when a multipart body has none, so the document goes as plain JSON.
            let reply = try await request(.PUT, "/" + Self.encode(id: revision.id), query: [("new_edits", "false")], json: .object(json))
            guard reply.isSuccess else { throw failure(reply, "PUT \(revision.id)") }
            return
        }
        let document = Array("--\(boundary)\r\nContent-Type: application/json\r\n\r\n".utf8) + JSON.object(json).serialized()
        let closing = Array("\r\n--\(boundary)--".utf8)
        segments.insert(.bytes(document), at: 0)
        segments.append(.bytes(closing))
        let total = length.map { $0 + document.count + closing.count }
        let body = MultipartBody(segments)
        let response = try await execute(
            .PUT, "/" + Self.encode(id: revision.id), query: [("new_edits", "false")],
            body: .stream(AsyncThrowingStream(unfolding: body.next), length: total.map { .known(Int64($0)) } ?? .unknown),
            headers: [("Content-Type", "multipart/related; boundary=\"\(boundary)\"")], timeout: .seconds(600))
        let reply: HTTPReply
        do {
            let collected = try await response.body.collect(upTo: 1 << 20)
            reply = HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
        } catch {
            throw connectionFailure(error, .PUT, "/" + revision.id)
        }
        guard reply.isSuccess else { throw failure(reply, "PUT \(revision.id)") }
    }
}

/// The pieces of a multipart body, produced on demand. Only the request's single
/// consumer calls `next`, one call at a time.
final class MultipartBody: @unchecked Sendable {
    enum Segment {
        case bytes([UInt8])
        case attachment(AttachmentBytes, expected: Int?)
    }

    private var segments: [Segment]
    private var index = 0
    private var current: AttachmentBytes.AsyncIterator?
    private var sent = 0

    init(_ segments: [Segment]) { self.segments = segments }

    @Sendable func next() async throws -> ByteBuffer? {
        while index < segments.count {
            switch segments[index] {
            case .bytes(let bytes):
                index += 1
                return ByteBuffer(bytes: bytes)
            case .attachment(let stream, let expected):
                if current == nil {
                    current = stream.makeAsyncIterator()
                    sent = 0
                }
                if let piece = try await current!.next() {
                    sent += piece.count
                    if let expected, sent > expected {
                        throw ReplicationError(.invalidResponse, "an attachment is longer than its declared \(expected) bytes")
                    }
                    if piece.isEmpty { continue }
                    return ByteBuffer(bytes: piece)
                }
                if let expected, sent != expected {
                    throw ReplicationError(.invalidResponse, "an attachment has \(sent) bytes, not the declared \(expected)", transient: true)
                }
                current = nil
                index += 1
            }
        }
        return nil
    }
}
