/// A document revision as read: its fields and whatever revision information the
/// reader asked for. `json()` renders it the way CouchDB shows it.
public struct Document: Sendable {
    public let id: String
    public let revision: Revision
    public let deleted: Bool
    /// The serialized JSON object of the document's own fields.
    public let body: [UInt8]
    public let attachments: [AttachmentInfo]
    /// `_revisions`: the revision's ancestry, newest first.
    public var revisions: RevisionPath?
    /// `_revs_info`: each ancestor and whether its body is available.
    public var revisionsInfo: [(revision: Revision, status: RevisionStatus)]?
    public var conflicts: [Revision]?
    public var deletedConflicts: [Revision]?
    /// `_local_seq`: the sequence of the document's latest change.
    public var localSequence: UInt64?
    /// Bytes of attachments that were asked for inline, by name.
    public var attachmentData: [ExactString: [UInt8]] = [:]
    /// Attachments whose bytes were asked for to follow the JSON (multipart answers,
    /// `DocumentReadOptions.attachmentsFollow`), in `attachments` order: rendered with
    /// `"follows": true`; the caller streams their bytes.
    public var followingAttachments: [AttachmentInfo] = []
    /// Whether attachment entries show `encoding` and `encoded_length`.
    public var attachmentEncodingInfo = false

    init(id: String, revision: Revision, deleted: Bool, body: [UInt8], attachments: [AttachmentInfo]) {
        self.id = id
        self.revision = revision
        self.deleted = deleted
        self.body = body
        self.attachments = attachments
    }

    /// The document's own fields, parsed.
    public func fields() -> JSONObject {
        (try? JSON.parse(body))?.objectValue ?? JSONObject()
    }

    /// The document as CouchDB renders it: `_id`, `_rev`, the fields, `_deleted`,
    /// `_revisions`, `_revs_info`, `_conflicts`, `_deleted_conflicts`, `_local_seq`,
    /// `_attachments` (stubs, or data for those in `attachmentData`, or `follows` for
    /// those in `followingAttachments`).
    public func json() -> JSONObject {
        var object = JSONObject()
        object["_id"] = .string(id)
        object["_rev"] = .string(revision.description)
        for (key, value) in fields() { object[key] = value }
        appendMeta(to: &object)
        return object
    }

    /// Serialized `json()`, splicing the stored body bytes instead of re-parsing them:
    /// the hot path of GET, `include_docs` and `_bulk_get`.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + id.utf8.count + 64)
        output.append(contentsOf: #"{"_id":"#.utf8)
        serializedStringLiteral(id, into: &output)
        output.append(contentsOf: #","_rev":""#.utf8)
        output.append(contentsOf: revision.description.utf8)
        output.append(UInt8(ascii: "\""))
        if body.count > 2 {
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: body[1..<(body.count - 1)])
        }
        var meta = JSONObject()
        appendMeta(to: &meta)
        for (key, value) in meta {
            output.append(UInt8(ascii: ","))
            serializedStringLiteral(key, into: &output)
            output.append(UInt8(ascii: ":"))
            value.serialize(into: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    private func appendMeta(to object: inout JSONObject) {
        if deleted { object["_deleted"] = true }
        if let revisions {
            object["_revisions"] = ["start": .number(JSONNumber(revisions.start)), "ids": .array(revisions.ids.map { .string($0) })]
        }
        if let revisionsInfo {
            object["_revs_info"] = .array(revisionsInfo.map { ["rev": .string($0.revision.description), "status": .string($0.status.rawValue)] })
        }
        if let conflicts, !conflicts.isEmpty { object["_conflicts"] = .array(conflicts.map { .string($0.description) }) }
        if let deletedConflicts, !deletedConflicts.isEmpty {
            object["_deleted_conflicts"] = .array(deletedConflicts.map { .string($0.description) })
        }
        if let localSequence { object["_local_seq"] = .number(JSONNumber(UInt64(localSequence))) }
        if !attachments.isEmpty {
            var stubs = JSONObject()
            let following = Set(followingAttachments.map { ExactString($0.name) })
            for attachment in attachments {
                stubs[attachment.name] = attachment.stubJSON(
                    includeData: attachmentData[ExactString(attachment.name)], follows: following.contains(ExactString(attachment.name)),
                    encodingInfo: attachmentEncodingInfo)
            }
            object["_attachments"] = .object(stubs)
        }
    }
}

/// `_revs_info` status of a revision.
public enum RevisionStatus: String, Sendable {
    case available, missing, deleted
}
