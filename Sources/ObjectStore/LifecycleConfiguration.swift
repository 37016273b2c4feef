import Foundation

/// A bucket's lifecycle configuration: the document as the client sent it (returned
/// verbatim by GetBucketLifecycleConfiguration) and the rules the S3 layer parsed from
/// it, which `expireObjects(now:)` applies. Only expiration and the abort of incomplete
/// multipart uploads are acted on; other actions are kept in the document only.
public struct LifecycleConfiguration: Sendable, Hashable {
    /// The XML body of PutBucketLifecycleConfiguration.
    public var document: [UInt8]
    public var rules: [LifecycleRule]

    public init(document: [UInt8], rules: [LifecycleRule]) {
        self.document = document
        self.rules = rules
    }

    /// S3's limits: at most 1000 rules, ids unique and at most 255 characters, days positive.
    func validate() throws(ObjectStoreError) {
        guard rules.count <= 1000 else { throw ObjectStoreError(.invalidArgument, "A lifecycle configuration may have at most 1000 rules.") }
        let ids = rules.compactMap(\.id)
        guard Set(ids).count == ids.count else { throw ObjectStoreError(.invalidArgument, "Rule ID must be unique. Found same ID for more than one rule") }
        for rule in rules {
            if let id = rule.id, id.count > 255 { throw ObjectStoreError(.invalidArgument, "ID length should not exceed allowed limit of 255") }
            if case .days(let days) = rule.expiration, days <= 0 {
                throw ObjectStoreError(.invalidArgument, "'Days' for Expiration action must be a positive integer")
            }
            if let days = rule.abortIncompleteUploadsAfterDays, days <= 0 {
                throw ObjectStoreError(.invalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
            }
        }
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: document.count + 64 * rules.count)
        writer.data(document)
        writer.varint(rules.count)
        for rule in rules {
            writer.optionalString(rule.id)
            writer.string(rule.prefix)
            writer.byte(rule.status == .enabled ? 1 : 0)
            switch rule.expiration {
            case nil: writer.byte(0)
            case .days(let days):
                writer.byte(1)
                writer.varint(days)
            case .date(let date):
                writer.byte(2)
                writer.signed(Milliseconds.from(date))
            }
            writer.varint(rule.abortIncompleteUploadsAfterDays.map { $0 + 1 } ?? 0)
        }
        return writer.bytes
    }

    init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        document = try reader.bytes()
        let count = try reader.int()
        guard count <= buffer.count else { throw ByteReader.corrupt }
        rules = []
        for _ in 0..<count {
            let id = try reader.optionalString()
            let prefix = try reader.string()
            let status: LifecycleRule.Status = try reader.byte() == 1 ? .enabled : .disabled
            let expiration: LifecycleRule.Expiration? =
                switch try reader.byte() {
                case 0: nil
                case 1: .days(try reader.int())
                case 2: .date(Milliseconds.date(try reader.signed()))
                default: throw ByteReader.corrupt
                }
            let abort = try reader.int()
            rules.append(LifecycleRule(
                id: id, prefix: prefix, status: status, expiration: expiration,
                abortIncompleteUploadsAfterDays: abort == 0 ? nil : abort - 1))
        }
    }
}

/// One rule of a lifecycle configuration (tag filters are not supported).
public struct LifecycleRule: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case enabled = "Enabled"
        case disabled = "Disabled"
    }

    public enum Expiration: Sendable, Hashable {
        /// Objects expire this many days after their last modification, rounded up to
        /// the next midnight UTC (S3's rule).
        case days(Int)
        /// Matching objects expire from this moment on.
        case date(Date)
    }

    public var id: String?
    /// `Filter/Prefix` (or the legacy `Prefix`); "" matches every key.
    public var prefix: String
    public var status: Status
    public var expiration: Expiration?
    /// `AbortIncompleteMultipartUpload/DaysAfterInitiation`.
    public var abortIncompleteUploadsAfterDays: Int?

    public init(
        id: String? = nil, prefix: String = "", status: Status = .enabled, expiration: Expiration? = nil,
        abortIncompleteUploadsAfterDays: Int? = nil
    ) {
        self.id = id
        self.prefix = prefix
        self.status = status
        self.expiration = expiration
        self.abortIncompleteUploadsAfterDays = abortIncompleteUploadsAfterDays
    }

    /// Whether an object modified at `lastModified` (or an upload initiated then) is
    /// due at `now` after `days` days: S3 adds the days and rounds up to midnight UTC.
    static func isDue(_ lastModified: Int64, days: Int, now: Int64) -> Bool {
        let day: Int64 = 86_400_000
        let expiry = lastModified + Int64(days) * day
        let roundedUp = (expiry + day - 1) / day * day
        return now >= roundedUp
    }

    /// Whether the rule expires an object modified at `lastModified`, at `now`.
    func expires(lastModified: Int64, now: Int64) -> Bool {
        guard status == .enabled, let expiration else { return false }
        switch expiration {
        case .days(let days): return Self.isDue(lastModified, days: days, now: now)
        case .date(let date): return now >= Milliseconds.from(date)
        }
    }
}
