import DocStore

/// A peer's update sequence, kept exactly as the peer gave it: CouchDB 3 sends opaque
/// strings, CouchDB 1.x and PouchDB integers. Only the peer that made it reads it.
public struct PeerSequence: Sendable, Hashable, CustomStringConvertible {
    public let json: JSON

    public init(_ json: JSON) { self.json = json }

    /// The start of every feed.
    public static let zero = PeerSequence(0)

    /// How the value goes into a `since=` query parameter (CouchDB's `seq_encode`):
    /// strings as they are, numbers as their digits, anything else as JSON.
    public var queryValue: String {
        switch json {
        case .string(let text): text
        case .number(let number): number.text
        default: json.serializedString
        }
    }

    /// The leading integer of a Divan sequence (`12` or `"12-divan"`), if any.
    public var integerPrefix: UInt64? {
        switch json {
        case .number(let number): number.int64Value.map { UInt64(max(0, $0)) }
        case .string(let text): UInt64(text.prefix { $0.isASCII && $0.isNumber })
        default: nil
        }
    }

    public var isZero: Bool { self == .zero || json == "0" || json.isNull }

    public var description: String { queryValue }
}

/// What a peer reports about its database (`GET /db`).
public struct PeerInfo: Sendable {
    public var updateSequence: PeerSequence
    public var documentCount: Int?
    /// CouchDB's `instance_start_time`; checkpoints are void when it changes.
    public var instanceStartTime: String

    public init(updateSequence: PeerSequence, documentCount: Int?, instanceStartTime: String = "0") {
        self.updateSequence = updateSequence
        self.documentCount = documentCount
        self.instanceStartTime = instanceStartTime
    }
}

/// Which documents a replication carries (CouchDB's `doc_ids` and `selector`).
public enum ReplicationFilter: Sendable, Equatable {
    case documentIDs([String])
    /// A Mango selector, as JSON (peers evaluate it).
    case selector(JSON)
    /// A design document's filter function (`ddoc/name`) or `_view`, with the
    /// replication's `query_params` (which carry `view` for `_view`).
    case function(name: String, queryParameters: JSONObject)
}

/// One read of a changes feed.
public struct ChangesRequest: Sendable {
    public enum Feed: Sendable, Equatable {
        /// Answer at once (one-shot replications).
        case normal
        /// Wait up to `timeout` milliseconds for a change (continuous replications).
        case longpoll(timeout: Int)
    }

    public var since: PeerSequence
    public var limit: Int
    public var feed: Feed = .normal
    public var filter: ReplicationFilter?
    /// `style=all_docs` (every leaf); false reads the winner only (`winning_revs_only`).
    public var allLeaves = true

    public init(since: PeerSequence, limit: Int, feed: Feed = .normal, filter: ReplicationFilter? = nil, allLeaves: Bool = true) {
        self.since = since
        self.limit = limit
        self.feed = feed
        self.filter = filter
        self.allLeaves = allLeaves
    }
}

/// One row of a changes feed.
public struct PeerChange: Sendable {
    public var sequence: PeerSequence
    public var id: String
    public var revisions: [Revision]
    public var deleted: Bool

    public init(sequence: PeerSequence, id: String, revisions: [Revision], deleted: Bool) {
        self.sequence = sequence
        self.id = id
        self.revisions = revisions
        self.deleted = deleted
    }
}

/// A page of a changes feed: its rows, the sequence to continue from, and how many
/// changes remain (when the peer says).
public struct ChangesPage: Sendable {
    public var changes: [PeerChange]
    public var lastSequence: PeerSequence
    public var pending: Int?

    public init(changes: [PeerChange], lastSequence: PeerSequence, pending: Int?) {
        self.changes = changes
        self.lastSequence = lastSequence
        self.pending = pending
    }
}

/// `_revs_diff`'s answer for one document.
public struct RevisionsDiffEntry: Sendable, Equatable {
    public var missing: [Revision]
    /// Leaves the target has that may be ancestors of the missing revisions.
    public var possibleAncestors: [Revision]

    public init(missing: [Revision], possibleAncestors: [Revision]) {
        self.missing = missing
        self.possibleAncestors = possibleAncestors
    }
}

/// A revision to fetch from the source, with the target's possible ancestors.
public struct FetchRequest: Sendable {
    public var id: String
    public var revision: Revision
    public var possibleAncestors: [Revision]

    public init(id: String, revision: Revision, possibleAncestors: [Revision]) {
        self.id = id
        self.revision = revision
        self.possibleAncestors = possibleAncestors
    }
}

/// A per-document failure of a write (`_bulk_docs` error rows).
public struct WriteFailure: Sendable, Equatable {
    public var id: String
    public var revision: String?
    public var error: String
    public var reason: String

    public init(id: String, revision: String?, error: String, reason: String) {
        self.id = id
        self.revision = revision
        self.error = error
        self.reason = reason
    }
}
