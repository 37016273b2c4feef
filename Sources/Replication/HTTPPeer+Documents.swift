import AsyncHTTPClient
import DocStore
import NIOCore

extension HTTPPeer {
    /// `_bulk_get?revs=true&latest=true` with the target's possible ancestors as
    /// `atts_since`, as CouchDB's replicator asks; when the source has no `_bulk_get`
    /// (older CouchDB), one `open_revs` GET per document.
    public func fetch(_ requests: [FetchRequest]) async throws -> [FetchedRevision] {
        guard !requests.isEmpty else { return [] }
        if !bulkGetUnsupported.load(ordering: .relaxed) {
            if let fetched = try await bulkGet(requests) { return fetched }
            bulkGetUnsupported.store(true, ordering: .relaxed)
        }
        var fetched: [FetchedRevision] = []
        var byID: [ExactString: [FetchRequest]] = [:]
        for request in requests { byID[ExactString(request.id), default: []].append(request) }
        for (id, wanted) in byID.sorted(by: { $0.key < $1.key }) {
            fetched += try await openRevisions(id.string, wanted)
        }
        return fetched
    }

    /// - Returns: nil when the source lacks `_bulk_get`.
    private func bulkGet(_ requests: [FetchRequest]) async throws(ReplicationError) -> [FetchedRevision]? {
        let docs: [JSON] = requests.map { request in
            var item: JSONObject = ["id": .string(request.id), "rev": .string(request.revision.description)]
            if !request.possibleAncestors.isEmpty {
                item["atts_since"] = .array(request.possibleAncestors.map { .string($0.description) })
            }
            return .object(item)
        }
        let reply = try await request(
            .POST, "/_bulk_get", query: [("revs", "true"), ("latest", "true"), ("attachments", "false"), ("att_encoding_info", "true")],
            json: ["docs": .array(docs), "revs": true, "latest": true, "attachments": false])
        if [400, 404, 405, 406, 415, 501].contains(reply.status) { return nil }
        guard reply.isSuccess else { throw failure(reply, "_bulk_get") }
        guard let results = try reply.json()["results"]?.arrayValue else {
            throw ReplicationError(.invalidResponse, "_bulk_get of \(displayName) lacks results")
        }
        var fetched: [FetchedRevision] = []
        fetched.reserveCapacity(results.count)
        for result in results {
            for entry in result["docs"]?.arrayValue ?? [] {
                // Errors are revisions the source no longer has: nothing to copy.
                guard case .object(let document)? = entry["ok"] else { continue }
                fetched.append(try FetchedRevision(json: document))
            }
        }
        return fetched
    }

    private func openRevisions(_ id: String, _ wanted: [FetchRequest]) async throws(ReplicationError) -> [FetchedRevision] {
        let revisions = JSON.array(wanted.map { .string($0.revision.description) }).serializedString
        var query = [("revs", "true"), ("latest", "true"), ("att_encoding_info", "true"), ("open_revs", revisions)]
        let ancestors = Set(wanted.flatMap(\.possibleAncestors)).map { JSON.string($0.description) }
        if !ancestors.isEmpty { query.append(("atts_since", JSON.array(ancestors).serializedString)) }
        let reply = try await request(.GET, "/" + Self.encode(id: id), query: query)
        if reply.status == 404 { return [] }
        guard reply.isSuccess else { throw failure(reply, "GET \(id)?open_revs") }
        guard let rows = try reply.json().arrayValue else { throw ReplicationError(.invalidResponse, "open_revs of \(id) is not a list") }
        var fetched: [FetchedRevision] = []
        for row in rows {
            guard case .object(let document)? = row["ok"] else { continue }
            fetched.append(try FetchedRevision(json: document))
        }
        return fetched
    }

    public func write(_ revisions: [FetchedRevision]) async throws -> [WriteFailure] {
        guard !revisions.isEmpty else { return [] }
        var body: [UInt8] = Array(#"{"new_edits":false,"docs":["#.utf8)
        for (index, revision) in revisions.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            JSON.object(revision.json).serialize(into: &body)
        }
        body += Array("]}".utf8)
        let reply = try await request(.POST, "/_bulk_docs", bytes: body, headers: [("Content-Type", "application/json")])
        if reply.status == 413, revisions.count > 1 {
            // Too large for the target: write each half separately.
            let half = revisions.count / 2
            return try await write(Array(revisions[..<half])) + write(Array(revisions[half...]))
        }
        guard reply.isSuccess else { throw failure(reply, "_bulk_docs") }
        guard let rows = try reply.json().arrayValue else { throw ReplicationError(.invalidResponse, "_bulk_docs answer is not a list") }
        return rows.compactMap { row in
            guard let error = row["error"]?.stringValue else { return nil }
            return WriteFailure(
                id: row["id"]?.stringValue ?? "", revision: row["rev"]?.stringValue, error: error,
                reason: row["reason"]?.stringValue ?? "")
        }
    }

    public func attachmentBytes(documentID: String, revision: Revision, attachment: AttachmentStub) -> AttachmentBytes {
        let reader = AttachmentReader(
            peer: self, suffix: "/" + Self.encode(id: documentID) + "/" + Self.encode(attachmentName: attachment.name),
            revision: revision, encoding: attachment.encoding, expectedLength: attachment.storedLength)
        return AttachmentBytes(unfolding: reader.next)
    }
}

/// Pulls an attachment's bytes from a GET, started on the first read, in the encoding
/// the source stores them in (gzip ones are asked for with `Accept-Encoding: gzip`, and
/// an answer in another encoding is refused). Checks the length at the end, so a cut
/// connection is an error, never a short attachment.
/// Only the stream's single consumer calls `next`, one call at a time.
final class AttachmentReader: @unchecked Sendable {
    let peer: HTTPPeer
    let suffix: String
    let revision: Revision
    let encoding: AttachmentEncoding
    let expectedLength: Int?
    private var iterator: HTTPClientResponse.Body.AsyncIterator?
    private var received = 0
    private var finished = false

    init(peer: HTTPPeer, suffix: String, revision: Revision, encoding: AttachmentEncoding, expectedLength: Int?) {
        self.peer = peer
        self.suffix = suffix
        self.revision = revision
        self.encoding = encoding
        self.expectedLength = expectedLength
    }

    @Sendable func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        if iterator == nil {
            let wanted = encoding == .gzip ? "gzip" : "identity"
            let response = try await peer.execute(
                .GET, suffix, query: [("rev", revision.description)], body: nil,
                headers: [("Accept", "*/*"), ("Accept-Encoding", wanted)], timeout: .seconds(120))
            guard response.status == .ok else {
                let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
                throw peer.failure(HTTPReply(status: Int(response.status.code), headers: response.headers, body: body), "GET attachment")
            }
            let sent = response.headers.first(name: "Content-Encoding")?.lowercased() ?? "identity"
            guard sent == wanted else {
                throw ReplicationError(.invalidResponse, "attachment \(suffix) came \(sent)-encoded, not \(wanted)")
            }
            iterator = response.body.makeAsyncIterator()
        }
        let buffer: ByteBuffer?
        do {
            buffer = try await iterator!.next()
        } catch {
            throw peer.connectionFailure(error, .GET, suffix)
        }
        guard let buffer else {
            finished = true
            if let expectedLength, received != expectedLength {
                throw ReplicationError(.peerUnreachable, "attachment \(suffix) ended after \(received) of \(expectedLength) bytes", transient: true)
            }
            return nil
        }
        received += buffer.readableBytes
        return Array(buffer.readableBytesView)
    }
}
