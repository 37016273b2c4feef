import LMDB

/// Reads one view's rows in one snapshot: the ranges a query names (its key range, or
/// one range per key of `keys`), in collation order or reversed, then either pages
/// them (map) or groups and reduces them.
struct ViewReader {
    let database: DocumentDatabase
    let view: UInt32
    let query: ViewQuery

    /// A stored row.
    struct Row {
        let id: String
        let key: JSON
        let value: JSON
        /// Which range of the query it was read from (one per key of `keys`).
        let range: Int
    }

    /// One range of rows: bounds are stored-key byte strings compared in `IndexKey.order`.
    private struct Range {
        /// Lowest key included (or nil: the view's first row).
        var low: [UInt8]
        /// Rows are below this key.
        var high: [UInt8]
    }

    /// The ranges, in the order they are read.
    private func ranges() -> [Range] {
        // A partitioned view's query reads its partition's rows only.
        let partition = query.partition
        if let keys = query.keys {
            // CouchDB reads the keys in reverse order when descending.
            return (query.descending ? keys.reversed() : keys).map { key in
                Range(
                    low: ViewRowKey.bound(view: view, key: key, .beforeAll, partition: partition),
                    high: ViewRowKey.bound(view: view, key: key, .pastAll, partition: partition))
            }
        }
        // In reading order: `start` is where reading begins (the high end when descending).
        let first = partition.map { IndexKey.bound(index: view, values: [.value(.string($0))], pastIDs: false) } ?? IndexKey.first(index: view)
        let past = partition.map { IndexKey.bound(index: view, values: [.value(.string($0)), .max], pastIDs: true) } ?? IndexKey.past(index: view)
        var low = first
        var high = past
        let startKey = query.startKey
        let endKey = query.endKey
        if !query.descending {
            if let startKey { low = ViewRowKey.bound(view: view, key: startKey, query.startDocumentID.map { .atID($0) } ?? .beforeAll, partition: partition) }
            if let endKey {
                if query.inclusiveEnd {
                    high = ViewRowKey.bound(view: view, key: endKey, query.endDocumentID.map { .pastID($0) } ?? .pastAll, partition: partition)
                } else {
                    high = ViewRowKey.bound(view: view, key: endKey, query.endDocumentID.map { .atID($0) } ?? .beforeAll, partition: partition)
                }
            }
        } else {
            if let startKey { high = ViewRowKey.bound(view: view, key: startKey, query.startDocumentID.map { .pastID($0) } ?? .pastAll, partition: partition) }
            if let endKey {
                if query.inclusiveEnd {
                    low = ViewRowKey.bound(view: view, key: endKey, query.endDocumentID.map { .atID($0) } ?? .beforeAll, partition: partition)
                } else {
                    low = ViewRowKey.bound(view: view, key: endKey, query.endDocumentID.map { .pastID($0) } ?? .pastAll, partition: partition)
                }
            }
        }
        return [Range(low: low, high: high)]
    }

    /// Visits the rows of every range in reading order until `visit` returns false.
    private func scan(_ txn: Transaction, _ visit: (Row) throws -> Bool) throws {
        for (number, range) in ranges().enumerated() {
            var keepGoing = true
            try txn.withCursor(database.tables.views) { cursor in
                let order = IndexKey.order
                var entry: Cursor.Entry?
                if query.descending {
                    entry = try range.high.withUnsafeBytes { try cursor.seek(atMost: $0, order: order) }
                    if let current = entry, range.high.withUnsafeBytes({ order.compare(current.key, $0) }) >= 0 { entry = try cursor.previous() }
                } else {
                    entry = try range.low.withUnsafeBytes { try cursor.seek(orderedAtLeast: $0) }
                }
                while let current = entry {
                    let below = range.high.withUnsafeBytes { order.compare(current.key, $0) } < 0
                    let above = range.low.withUnsafeBytes { order.compare(current.key, $0) } >= 0
                    guard below && above else { return }
                    guard case .array(let pair) = try JSON.parse(current.value), pair.count == 2 else { return }
                    guard try visit(Row(id: ViewRowKey.documentID(current.key), key: pair[0], value: pair[1], range: number)) else {
                        keepGoing = false
                        return
                    }
                    entry = query.descending ? try cursor.previous() : try cursor.next()
                }
            }
            if !keepGoing { return }
        }
    }

    /// The rows before the first one read (CouchDB's `offset`). O(offset).
    private func offset(_ txn: Transaction) throws -> Int {
        guard let range = ranges().first else { return 0 }
        var count = 0
        try txn.withCursor(database.tables.views) { cursor in
            let order = IndexKey.order
            if query.descending {
                var entry = try IndexKey.past(index: view).withUnsafeBytes { try cursor.seek(orderedAtLeast: $0) }
                entry = entry == nil ? try cursor.last() : try cursor.previous()
                while let current = entry, IndexKey.indexNumber(current.key) == view,
                    range.high.withUnsafeBytes({ order.compare(current.key, $0) }) >= 0
                {
                    count += 1
                    entry = try cursor.previous()
                }
            } else {
                var entry = try IndexKey.first(index: view).withUnsafeBytes { try cursor.seek(orderedAtLeast: $0) }
                while let current = entry, IndexKey.indexNumber(current.key) == view,
                    range.low.withUnsafeBytes({ order.compare(current.key, $0) }) < 0
                {
                    count += 1
                    entry = try cursor.next()
                }
            }
        }
        return count
    }

    /// Map rows: `skip`, `limit`, `include_docs` (following `{"_id": …}` values to the
    /// linked document, as CouchDB does).
    func map() throws(DocStoreError) -> (rows: [ViewRow], offset: Int) {
        try database.read { txn in
            var rows: [ViewRow] = []
            var skipped = 0
            if query.limit != 0 {
                try scan(txn) { row in
                    if skipped < query.skip {
                        skipped += 1
                        return true
                    }
                    var document: JSON?
                    if query.includeDocuments { document = try includedDocument(row, txn) }
                    rows.append(ViewRow(id: row.id, key: row.key, value: row.value, document: document))
                    return query.limit.map { rows.count < $0 } ?? true
                }
            }
            // CouchDB's offset is the position of the first row answered: skipped rows count.
            let offset = try offset(txn) + skipped
            return (rows, offset)
        }
    }

    private func includedDocument(_ row: Row, _ txn: Transaction) throws -> JSON {
        var id = row.id
        var revision: Revision?
        if case .object(let value) = row.value, let linked = value["_id"]?.stringValue {
            id = linked
            revision = value["_rev"]?.stringValue.flatMap(Revision.init)
        }
        guard let record = try database.loadRecord(id, txn) else { return .null }
        var options = DocumentReadOptions()
        options.conflicts = query.conflicts ?? false
        let chosen: Revision
        if let revision {
            chosen = revision
        } else {
            guard let winner = record.tree.winner, !winner.deleted else { return .null }
            chosen = winner.revision
        }
        guard let document = try database.makeDocument(id, chosen, record, options, txn) else { return .null }
        return .object(document.json())
    }

    /// Reduce rows: groups of rows whose keys are equal (or share the first
    /// `group_level` elements), each reduced by `reduce(keys, ids, values)`; `skip` and
    /// `limit` count groups.
    func reduce(_ reduce: ([JSON], [String], [JSON]) throws(DocStoreError) -> JSON) throws(DocStoreError) -> [ViewRow] {
        let exact = query.group == true && query.groupLevel == nil
        let level = exact ? Int.max : (query.groupLevel ?? 0)
        func groupKey(_ key: JSON) -> JSON {
            if level == 0 { return .null }
            if level == .max { return key }
            if case .array(let elements) = key, elements.count > level { return .array(Array(elements.prefix(level))) }
            return key
        }
        // The group being filled lives in locals: appending through `groups[i].keys` would
        // copy the arrays on every row (quadratic).
        var groups: [(key: JSON, keys: [JSON], ids: [String], values: [JSON])] = []
        var current: (key: JSON, range: Int)?
        var keys: [JSON] = []
        var ids: [String] = []
        var values: [JSON] = []
        try database.read { txn in
            try scan(txn) { row in
                let key = groupKey(row.key)
                // With `keys`, each key is its own group even when two keys collate equal.
                if let open = current, open.range == row.range || level == 0, Collation.compare(open.key, key) == 0 {
                    keys.append(row.key)
                    ids.append(row.id)
                    values.append(row.value)
                } else {
                    if let open = current { groups.append((open.key, keys, ids, values)) }
                    current = (key, row.range)
                    (keys, ids, values) = ([row.key], [row.id], [row.value])
                }
                return true
            }
        }
        if let open = current { groups.append((open.key, keys, ids, values)) }
        var rows: [ViewRow] = []
        for group in groups.dropFirst(query.skip) {
            if let limit = query.limit, rows.count >= limit { break }
            let value = try reduce(group.keys, group.ids, group.values)
            rows.append(ViewRow(id: nil, key: group.key, value: value, document: nil))
        }
        return rows
    }
}
