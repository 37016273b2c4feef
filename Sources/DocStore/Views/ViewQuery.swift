/// The parameters of a view query (`GET /db/_design/d/_view/v`), already parsed from
/// the query string or body; `DocumentDatabase.queryView` checks them against the view
/// (reduce or not) as CouchDB's `couch_mrview_util:validate_args` does.
public struct ViewQuery: Sendable {
    /// When the index is brought up to date: before answering (`true`), never (`false`,
    /// `stale=ok`), or after answering (`lazy`, `stale=update_after`).
    public enum Update: Sendable { case now, never, lazy }

    public var startKey: JSON?
    public var endKey: JSON?
    public var startDocumentID: String?
    public var endDocumentID: String?
    /// `keys`: rows of exactly these keys, in this order.
    public var keys: [JSON]?
    /// Whether `key` was given (`keys` may then only repeat it).
    public var singleKey = false
    public var inclusiveEnd = true
    public var descending = false
    public var limit: Int?
    public var skip = 0
    /// nil: reduce when the view has a reduce function.
    public var reduce: Bool?
    public var group: Bool?
    public var groupLevel: Int?
    public var includeDocuments = false
    public var conflicts: Bool?
    public var update: Update = .now
    public var updateSequence = false
    /// The partition a query of a partitioned view reads (`partition`).
    public var partition: String?

    public init() {}
}

/// One row of a view answer.
public struct ViewRow: Sendable {
    /// The emitting document (nil for reduce rows).
    public let id: String?
    public let key: JSON
    public let value: JSON
    /// With `include_docs`: the document (`.null` when it is gone), nil otherwise.
    public let document: JSON?
}

/// A view answer: map rows with `total_rows` and `offset`, or reduce rows without.
public struct ViewResult: Sendable {
    public let totalRows: Int?
    public let offset: Int?
    public let rows: [ViewRow]
    /// The sequence the index was read at (`update_seq=true`).
    public let updateSequence: UInt64
}

/// What `GET /db/_design/d/_info` reports.
public struct ViewGroupInfo: Sendable {
    public let signature: String
    public let language: String
    public let updateSequence: UInt64
    public let updaterRunning: Bool
    public let rows: Int
}
