import DocStore

/// One end of a replication: a database that can be read as a source and written as a
/// target with CouchDB's replication protocol. `LocalPeer` talks to the engine
/// directly; `HTTPPeer` to any CouchDB-compatible server.
///
/// Every method may be called from any task, several at once. Errors are
/// `ReplicationError`s; `isTransient` ones are worth retrying.
public protocol ReplicationPeer: Sendable {
    /// The peer without credentials, for logs, task lists and answers.
    var displayName: String { get }
    /// What identifies the peer in a replication id: location and user, never a secret.
    var identity: JSON { get }

    /// The database's information. - Throws: `db_not_found` when it does not exist.
    func info() async throws -> PeerInfo
    /// Creates the database (`create_target`); succeeds when it already exists.
    func createDatabase() async throws
    /// A `_local/` document (replication checkpoints), with its `_rev`; nil when absent.
    func localDocument(_ id: String) async throws -> JSONObject?
    /// Writes a `_local/` document; `body["_rev"]` names the revision replaced.
    /// - Returns: the new revision.
    @discardableResult
    func saveLocalDocument(_ id: String, _ body: JSONObject) async throws -> String
    /// A design document (for a filter's code), nil when absent.
    func designDocument(_ id: String) async throws -> JSONObject?
    /// One page of the changes feed.
    func changes(_ request: ChangesRequest) async throws -> ChangesPage
    /// `_revs_diff`: the revisions this database lacks, per document.
    func revisionsDiff(_ revisions: [ExactString: [Revision]]) async throws -> [ExactString: RevisionsDiffEntry]
    /// Reads revisions with their history (`revs=true`, `latest=true`; attachments as
    /// stubs or inline data). Revisions the source no longer has are left out.
    func fetch(_ requests: [FetchRequest]) async throws -> [FetchedRevision]
    /// The bytes of an attachment of a revision, read lazily as the result is consumed.
    func attachmentBytes(documentID: String, revision: Revision, attachment: AttachmentStub) -> AttachmentBytes
    /// Writes revisions whose attachments (if any) are inline (`_bulk_docs` with
    /// `new_edits: false`). - Returns: the documents that failed.
    func write(_ revisions: [FetchedRevision]) async throws -> [WriteFailure]
    /// Writes one revision with attachments streamed from the source (a
    /// `multipart/related` PUT with `new_edits=false`).
    /// - Throws: `missing_stub` when a stub names an attachment the target lacks.
    func write(_ revision: FetchedRevision, attachments: [OutgoingAttachment]) async throws
    /// CouchDB's `_ensure_full_commit` before a checkpoint. - Returns: the instance start time.
    func ensureFullCommit() async throws -> String
}
