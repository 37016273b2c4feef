import DocStore

/// A database of this process's `DocumentStore`, used directly (no HTTP). Its
/// sequences are plain integers.
public struct LocalPeer: ReplicationPeer {
    public let store: DocumentStore
    public let name: String

    public init(store: DocumentStore, name: String) {
        self.store = store
        self.name = name
    }

    public var displayName: String { name }
    public var identity: JSON { ["local", .string(name)] }

    /// CouchDB 3's security for a created database: admins only.
    static let adminOnlySecurity: JSONObject = ["members": ["roles": ["_admin"]], "admins": ["roles": ["_admin"]]]

    func database() throws(ReplicationError) -> DocumentDatabase {
        do {
            return try store.database(name)
        } catch {
            if error.code == .databaseNotFound { throw ReplicationError(.databaseNotFound, "could not open \(name)") }
            throw Self.map(error)
        }
    }

    static func map(_ error: DocStoreError) -> ReplicationError {
        switch error.code {
        case .databaseNotFound: ReplicationError(.databaseNotFound, "could not open \(error.reason)")
        case .forbidden: ReplicationError(.forbidden, error.reason)
        case .unauthorized: ReplicationError(.unauthorized, error.reason)
        case .missingStub: ReplicationError(.missingStub, error.reason)
        case .conflict: ReplicationError(.conflict, error.reason)
        case .storage: ReplicationError(.peerUnreachable, error.reason, transient: true)
        default: ReplicationError(.badRequest, error.description)
        }
    }

    /// Runs `body`, turning engine errors into replication errors.
    func engine<T>(_ body: () async throws(DocStoreError) -> T) async throws(ReplicationError) -> T {
        do {
            return try await body()
        } catch {
            if error.code == .databaseNotFound { throw ReplicationError(.databaseNotFound, "could not open \(name)") }
            throw Self.map(error)
        }
    }

    public func info() async throws -> PeerInfo {
        let database = try database()
        let info = try await engine { () throws(DocStoreError) in try database.info() }
        return PeerInfo(updateSequence: PeerSequence(.number(JSONNumber(info.updateSequence))), documentCount: info.documentCount)
    }

    public func createDatabase() async throws {
        guard !store.databaseExists(name) else { return }
        do throws(DocStoreError) {
            let database = try store.createDatabase(name)
            try await database.setSecurity(Self.adminOnlySecurity, isDefault: true)
        } catch where error.code == .databaseExists {
            return
        } catch {
            throw Self.map(error)
        }
    }

    public func localDocument(_ id: String) async throws -> JSONObject? {
        let database = try database()
        do throws(DocStoreError) {
            return try database.localDocument(id).json()
        } catch where error.code == .notFound {
            return nil
        } catch {
            throw Self.map(error)
        }
    }

    public func designDocument(_ id: String) async throws -> JSONObject? {
        let database = try database()
        do throws(DocStoreError) {
            return try database.document(id).json()
        } catch where error.code == .notFound {
            return nil
        } catch {
            throw Self.map(error)
        }
    }

    public func saveLocalDocument(_ id: String, _ body: JSONObject) async throws -> String {
        let database = try database()
        return try await engine { () throws(DocStoreError) in try await database.put(try DocumentUpdate(json: body, id: id)) }
    }

    public func revisionsDiff(_ revisions: [ExactString: [Revision]]) async throws -> [ExactString: RevisionsDiffEntry] {
        let database = try database()
        let diff = try await engine { () throws(DocStoreError) in try database.revisionsDiff(revisions) }
        return diff.mapValues { RevisionsDiffEntry(missing: $0.missing, possibleAncestors: $0.possibleAncestors) }
    }

    public func fetch(_ requests: [FetchRequest]) async throws -> [FetchedRevision] {
        let database = try database()
        var options = DocumentReadOptions()
        options.revisions = true
        options.attachmentEncodingInfo = true
        let batch = requests.map { (id: $0.id, revisions: Optional([$0.revision])) }
        let answers = try await engine { () throws(DocStoreError) in try database.openRevisions(batch: batch, latest: true, options: options) }
        var fetched: [FetchedRevision] = []
        var seen = Set<ExactString>()
        for answer in answers.joined() {
            guard case .found(let document) = answer, seen.insert(ExactString(document.id + "\u{0}" + document.revision.description)).inserted else {
                continue
            }
            fetched.append(try FetchedRevision(json: document.json()))
        }
        return fetched
    }

    public func attachmentBytes(documentID: String, revision: Revision, attachment: AttachmentStub) -> AttachmentBytes {
        let store = store
        let name = name
        let cursor = ByteCursor()
        return AttachmentBytes(unfolding: {
            let database = try store.database(name)
            if cursor.info == nil {
                cursor.info = try database.attachment(documentID, name: attachment.name, revision: revision)
            }
            let info = cursor.info!
            guard cursor.offset < info.encodedLength else { return nil }
            let end = min(cursor.offset + database.attachmentReadSize, info.encodedLength)
            let bytes = try database.attachmentBytes(info, range: cursor.offset..<end)
            cursor.offset = end
            return bytes
        })
    }

    public func ensureFullCommit() async throws -> String { "0" }
}

/// Where a local attachment read has got to. Only the stream's single consumer
/// touches it, one call at a time.
final class ByteCursor: @unchecked Sendable {
    var info: AttachmentInfo?
    var offset = 0
}
