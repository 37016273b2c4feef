import LMDB

/// The stored state of one view group (all the views of one signature), in the
/// `view_catalog` table under its signature: the numbers its rows are keyed by and the
/// last update sequence indexed.
///
/// Rows live in `views` under `ViewRowKey`s that start with the view's number, and in
/// `view_docs` (group number + document id → the row keys the document emitted, to
/// replace them when the document changes). Numbers are never reused, so rows of a
/// removed group can never be read as another's.
struct ViewGroupRecord: Sendable, Equatable {
    let signature: String
    let group: UInt32
    /// View name → view number.
    let views: [String: UInt32]
    /// Every change up to this sequence is in the rows.
    var sequence: UInt64
    /// View number → rows (`total_rows`).
    var rowCounts: [UInt32: Int] = [:]
    /// The design document last queried through this group (for `_active_tasks`).
    var designDocument: String

    static func load(_ txn: Transaction, _ tables: Tables, signature: String) throws -> ViewGroupRecord? {
        try txn.withValue(tables.viewCatalog, key: Array(signature.utf8)) { value in
            guard let value, case .object(let object)? = try? JSON.parse(value) else { return nil }
            return ViewGroupRecord(signature: signature, object)
        }
    }

    /// Every group in the catalog.
    static func all(_ txn: Transaction, _ tables: Tables) throws -> [ViewGroupRecord] {
        var records: [ViewGroupRecord] = []
        try txn.scan(tables.viewCatalog) { entry in
            if case .object(let object)? = try? JSON.parse(entry.value),
                let record = ViewGroupRecord(signature: String(decoding: entry.key, as: UTF8.self), object)
            {
                records.append(record)
            }
            return true
        }
        return records
    }

    init(signature: String, group: UInt32, views: [String: UInt32], sequence: UInt64, designDocument: String) {
        (self.signature, self.group, self.views, self.sequence, self.designDocument) = (signature, group, views, sequence, designDocument)
    }

    private init?(signature: String, _ object: JSONObject) {
        guard let group = object["group"]?.int64Value, let sequence = object["seq"]?.int64Value, let views = object["views"]?.objectValue
        else { return nil }
        self.signature = signature
        self.group = UInt32(truncatingIfNeeded: group)
        self.sequence = UInt64(sequence)
        self.views = Dictionary(uniqueKeysWithValues: views.compactMap { name, number in number.int64Value.map { (name, UInt32(truncatingIfNeeded: $0)) } })
        designDocument = object["ddoc"]?.stringValue ?? ""
        for (number, count) in object["rows"]?.objectValue ?? [:] {
            if let number = UInt32(number), let count = count.int64Value { rowCounts[number] = Int(count) }
        }
    }

    /// A new, empty group for `definition`, with fresh numbers.
    static func create(_ definition: ViewGroupDefinition, designDocument: String, _ txn: Transaction, _ tables: Tables) throws -> ViewGroupRecord {
        var next = try txn.readCounter(tables.meta, MetaKey.viewNextNumber)
        func number() -> UInt32 {
            next += 1
            return UInt32(truncatingIfNeeded: next)
        }
        let group = number()
        var views: [String: UInt32] = [:]
        for view in definition.views { views[view.name] = number() }
        try txn.writeCounter(tables.meta, MetaKey.viewNextNumber, next)
        let record = ViewGroupRecord(signature: definition.signature, group: group, views: views, sequence: 0, designDocument: designDocument)
        try record.save(txn, tables)
        return record
    }

    func save(_ txn: Transaction, _ tables: Tables) throws {
        var viewNumbers = JSONObject()
        for (name, number) in views.sorted(by: { $0.key < $1.key }) { viewNumbers[name] = .number(JSONNumber(Int(number))) }
        var counts = JSONObject()
        for (number, count) in rowCounts.sorted(by: { $0.key < $1.key }) { counts[String(number)] = .number(JSONNumber(count)) }
        let object: JSON = [
            "group": .number(JSONNumber(Int(group))), "seq": .number(JSONNumber(sequence)), "views": .object(viewNumbers),
            "ddoc": .string(designDocument), "rows": .object(counts),
        ]
        try txn.put(tables.viewCatalog, key: Array(signature.utf8), value: object.serialized())
    }

    /// Removes the group: its record, its rows and its document lists. O(rows).
    func remove(_ txn: Transaction, _ tables: Tables) throws {
        _ = try txn.delete(tables.viewCatalog, key: Array(signature.utf8))
        for number in views.values {
            let first = IndexKey.first(index: number)
            try txn.withCursor(tables.views) { cursor in
                while let current = try first.withUnsafeBytes({ try cursor.seek(atLeast: $0) }), IndexKey.indexNumber(current.key) == number {
                    try cursor.deleteCurrent()
                }
            }
        }
        let prefix = ViewRowKey.groupPrefix(group)
        try txn.withCursor(tables.viewDocuments) { cursor in
            while let current = try prefix.withUnsafeBytes({ try cursor.seek(atLeast: $0) }), current.key.starts(with: prefix) {
                try cursor.deleteCurrent()
            }
        }
    }
}
