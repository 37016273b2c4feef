import Foundation
import LMDB

/// What `_find` answers.
public struct FindResult: Sendable {
    /// The matching documents (projected to `fields`), in index order.
    public var documents: [JSON]
    /// Where the next page starts: opaque, continues right after the last row.
    public var bookmark: String?
    /// CouchDB's warnings, one per line.
    public var warnings: [String]
    public var stats: ExecutionStats
}

/// `execution_stats`, with CouchDB's counters.
public struct ExecutionStats: Sendable {
    public var keysExamined = 0
    public var documentsExamined = 0
    public var resultsReturned = 0
    public var executionTimeMilliseconds = 0.0

    public var json: JSON {
        [
            "total_keys_examined": .number(JSONNumber(keysExamined)),
            "total_docs_examined": .number(JSONNumber(documentsExamined)),
            "total_quorum_docs_examined": 0,
            "results_returned": .number(JSONNumber(resultsReturned)),
            "execution_time_ms": .number(JSONNumber(executionTimeMilliseconds) ?? JSONNumber(0)),
        ]
    }
}

extension DocumentDatabase {
    /// Runs a Mango query in one read snapshot. O(rows scanned × selector size).
    /// When the best index is still being built, waits for the build first (CouchDB
    /// plans with an index as soon as its design document exists).
    /// - Throws: `MangoError` for requests CouchDB refuses, `DocStoreError` for storage.
    public func find(_ request: FindRequest) async throws -> FindResult {
        let started = ContinuousClock.now
        while true {
            if var result = try findNow(request) {
                let elapsed = ContinuousClock.now - started
                result.stats.executionTimeMilliseconds = elapsed.inMilliseconds
                return result
            }
            // Starts a pass if none runs yet (the write that created the index may still
            // be publishing), then waits for the build to end.
            mangoBuilder.wake()
            if await mangoBuilder.untilIdle(), try isBuildingMangoIndexes() {
                throw DocStoreError(.storage, "building a Mango index failed")
            }
        }
    }

    /// One attempt at `find`: nil when the chosen index is not ready yet.
    private func findNow(_ request: FindRequest) throws -> FindResult? {
        try readQuery { txn -> FindResult? in
            let catalog = try MangoCatalog.load(txn, tables, cache: mangoCache)
            let plan = try QueryPlanner.plan(request, indexes: catalog.indexes, partitionedDatabase: isPartitioned)
            if case .json(let index) = plan.index, !index.isReady { return nil }
            var run = QueryRun(request: request, plan: plan, database: self)
            if let bookmark = request.bookmark { run.resumeAfter = try QueryBookmark.decode(bookmark) }
            guard let ranges = plan.ranges else {
                // CouchDB answers an empty range before its bookmark and warnings exist.
                return FindResult(documents: [], bookmark: nil, warnings: [], stats: run.stats)
            }
            // fabric_view:get_shards/2 refuses a partition here, once a scan is run.
            if request.partition != nil && !isPartitioned {
                throw MangoError(400, "bad_request", "partition specified on non-partitioned db")
            }
            try run.execute(ranges, txn)
            var warnings: [String] = []
            if plan.useIndexIgnored { warnings.append(QueryPlanner.useIndexWarning(request.useIndex)) }
            if case .allDocs = plan.index { warnings.append("No matching index found, create an index to optimize query time.") }
            let examined = run.stats.documentsExamined
            let ratio = run.stats.resultsReturned == 0 ? Double(examined) : Double(examined) / Double(run.stats.resultsReturned)
            if ratio > 10 {
                warnings.append(
                    "The number of documents examined is high in proportion to the number of results returned. Consider adding a more specific index to improve this."
                )
            }
            let bookmark = run.last.map { QueryBookmark.encode($0) } ?? request.bookmark ?? "nil"
            return FindResult(documents: run.documents, bookmark: bookmark, warnings: warnings, stats: run.stats)
        }
    }

    /// A read snapshot whose `MangoError`s reach the caller unchanged.
    func readQuery<T>(_ body: (Transaction) throws -> T) throws -> T {
        guard !isDeleted else { throw DocStoreError.databaseMissing }
        do {
            return try environment.read(body)
        } catch let error as MangoError {
            throw error
        } catch let error as DocStoreError {
            throw error
        } catch {
            throw DocStoreError(.storage, "read failed: \(error)")
        }
    }

    /// `_explain`: the index `find` would use and how.
    public func explain(_ request: FindRequest) throws -> JSON {
        try readQuery { txn in
            let catalog = try MangoCatalog.load(txn, tables, cache: mangoCache)
            let plan = try QueryPlanner.plan(request, indexes: catalog.indexes, partitionedDatabase: isPartitioned)
            return MangoExplain.render(request, plan, database: name, partitioned: isPartitioned)
        }
    }
}

/// The position of the last row returned: index key values (or the id for `_all_docs`)
/// and the document id. Encoded as base64url JSON.
struct QueryBookmark {
    var key: JSON
    var id: String

    static func encode(_ bookmark: QueryBookmark) -> String {
        let bytes = JSON.array([bookmark.key, .string(bookmark.id)]).serialized()
        return Base64URL.encode(bytes)
    }

    static func decode(_ text: String) throws(MangoError) -> QueryBookmark {
        guard let bytes = Base64URL.decode(text), case .array(let parts)? = try? JSON.parse(bytes), parts.count == 2,
            case .string(let id) = parts[1]
        else { throw .bookmark(.string(text)) }
        return QueryBookmark(key: parts[0], id: id)
    }
}

enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }
}

/// One execution of a plan: the scan, the selector, skip and limit, the projection.
struct QueryRun {
    let request: FindRequest
    let plan: QueryPlanner.Plan
    let database: DocumentDatabase
    var resumeAfter: QueryBookmark?
    var documents: [JSON] = []
    var stats = ExecutionStats()
    var last: QueryBookmark?
    private var skip: Int
    private var limit: Int
    /// The fields come from the index alone (`mango_idx_view:covers/2`).
    private let covering: Bool

    init(request: FindRequest, plan: QueryPlanner.Plan, database: DocumentDatabase) {
        self.request = request
        self.plan = plan
        self.database = database
        skip = request.skip
        limit = request.limit
        if case .json(let index) = plan.index, let fields = request.fields {
            let needed = Set(fields + QueryPlanner.fields(request.selector.normalized))
            covering = needed.isSubset(of: Set(["_id"] + index.fields))
        } else {
            covering = false
        }
    }

    mutating func execute(_ ranges: [QueryPlanner.Range], _ txn: Transaction) throws {
        guard limit > 0 || skip > 0 || true else { return }
        switch plan.index {
        case .allDocs: try scanAllDocuments(ranges.first, txn)
        case .json(let index): try scanIndex(index, ranges, txn)
        }
    }

    /// Handles one row; false stops the scan.
    private mutating func row(id: String, key: JSON, values: [JSON]?, _ txn: Transaction, record: DocumentRecord?) throws -> Bool {
        stats.keysExamined += 1
        var document: JSON
        if covering, let values, case .json(let index) = plan.index {
            var object = JSON.object(["_id": .string(id)])
            for (path, value) in zip(index.paths, values) { object = Projection.set(object, path, value) }
            document = object
        } else {
            guard let record = try record ?? database.loadRecord(id, txn), let winner = record.tree.winner, !winner.deleted else { return true }
            var options = DocumentReadOptions()
            options.conflicts = request.conflicts
            guard let found = try database.makeDocument(id, winner.revision, record, options, txn) else { return true }
            stats.documentsExamined += 1
            document = .object(found.json())
        }
        guard request.selector.matches(document) else { return true }
        if skip > 0 {
            skip -= 1
            return true
        }
        guard limit > 0 else { return false }
        last = QueryBookmark(key: key, id: id)
        documents.append(request.fields.map { Projection.extract(document, $0) } ?? document)
        stats.resultsReturned += 1
        limit -= 1
        return limit > 0
    }

    private mutating func scanAllDocuments(_ range: QueryPlanner.Range?, _ txn: Transaction) throws {
        var start: [UInt8]?
        var end: [UInt8]?
        if case .value(.string(let low))? = range?.low { start = Array(low.utf8) }
        if case .value(.string(let high))? = range?.high { end = Array(high.utf8) }
        if let partition = request.partition {
            // The partition's ids only (couch_mrview_util:apply_all_docs_partition/2).
            let (low, high) = Partition.idRange(partition)
            let lowBytes = Array(low.utf8), highBytes = Array(high.utf8)
            if start.map({ $0.lexicographicallyPrecedes(lowBytes) }) ?? true { start = lowBytes }
            if end.map({ highBytes.lexicographicallyPrecedes($0) }) ?? true { end = highBytes }
        }
        if request.descending { swap(&start, &end) }
        if let resume = resumeAfter { start = Array(resume.id.utf8) }
        let resumeID = resumeAfter.map { Array($0.id.utf8) }
        // Ids only: a decoded record may point into the map, valid only inside the scan.
        var rows: [String] = []
        var stop = false
        // Decode inside the scan, handle rows in small groups (makeDocument reads blobs).
        try txn.scan(database.tables.documents, from: start, to: end, descending: request.descending) { entry in
            if let resumeID, compareBytes(entry.key, resumeID.withUnsafeBytes { $0 }) == 0 { return true }
            guard !DocumentRecord.isDeleted(encoded: entry.value) else { return true }
            rows.append(String(decoding: entry.key, as: UTF8.self))
            return rows.count < 64
        }
        while !stop {
            for id in rows {
                if id.hasPrefix("_design/") {
                    stats.keysExamined += 1
                    stats.documentsExamined += 1
                    continue
                }
                if try !row(id: id, key: .string(id), values: nil, txn, record: nil) {
                    stop = true
                    break
                }
            }
            if stop || rows.count < 64 { break }
            let next = Array(rows.last!.utf8)
            rows.removeAll(keepingCapacity: true)
            try txn.scan(database.tables.documents, from: next, to: end, descending: request.descending) { entry in
                if compareBytes(entry.key, next.withUnsafeBytes { $0 }) == 0 { return true }
                guard !DocumentRecord.isDeleted(encoded: entry.value) else { return true }
                rows.append(String(decoding: entry.key, as: UTF8.self))
                return rows.count < 64
            }
        }
    }

    private mutating func scanIndex(_ index: MangoIndex, _ ranges: [QueryPlanner.Range], _ txn: Transaction) throws {
        let count = index.keyWidth
        // CouchDB's own start and end keys (inclusive), so that the same keys are examined.
        let (startKey, endKey) = MangoExplain.keyBounds(plan)
        // A partitioned index's rows lead with the partition: the query's one key range.
        let scope: [JSON] = index.partitioned ? [.string(request.partition ?? "")] : []
        let lowValues = (scope + startKey).map { IndexKey.BoundValue.value($0) }
        let highValues = scope.map { IndexKey.BoundValue.value($0) } + endKey.map { $0.map(IndexKey.BoundValue.value) ?? .max }
        let lower = IndexKey.bound(index: index.number, values: lowValues, pastIDs: false)
        // A shorter end key sorts before the rows it prefixes; a full one ends past their ids.
        let upper = IndexKey.bound(index: index.number, values: highValues, pastIDs: highValues.count >= count)
        let descending = request.descending
        var position: [UInt8]? = nil
        if let resume = resumeAfter, case .array(let values) = resume.key, values.count == index.fields.count {
            position = IndexKey.encode(index: index.number, values: scope + values, id: resume.id)
        }
        let order = IndexKey.order
        var batch: [[UInt8]] = []
        var first = true
        while true {
            batch.removeAll(keepingCapacity: true)
            try txn.withCursor(database.tables.mango) { cursor in
                var entry: Cursor.Entry?
                if let position {
                    entry = try position.withUnsafeBytes { key in
                        descending ? try cursor.seek(atMost: key, order: order) : try cursor.seek(atLeast: key)
                    }
                    if let current = entry, position.withUnsafeBytes({ order.compare(current.key, $0) }) == 0 {
                        entry = descending ? try cursor.previous() : try cursor.next()
                    }
                } else if first {
                    entry = try (descending ? upper : lower).withUnsafeBytes { key in
                        descending ? try cursor.seek(atMost: key, order: order) : try cursor.seek(atLeast: key)
                    }
                }
                while let current = entry, batch.count < 64 {
                    let inRange = descending
                        ? lower.withUnsafeBytes { order.compare(current.key, $0) } >= 0
                        : upper.withUnsafeBytes { order.compare(current.key, $0) } <= 0
                    guard inRange else { break }
                    batch.append(Array(current.key))
                    entry = descending ? try cursor.previous() : try cursor.next()
                }
            }
            first = false
            for key in batch {
                guard let decoded = key.withUnsafeBytes({ IndexKey.decode($0) }) else { continue }
                let values = Array(decoded.values.dropFirst(scope.count))
                if try !row(id: decoded.id, key: .array(values), values: values, txn, record: nil) { return }
            }
            guard batch.count == 64 else { return }
            position = batch.last
        }
    }
}

/// `fields` projection (`mango_fields:extract/2`, `mango_doc:set_field/3`).
enum Projection {
    static func extract(_ document: JSON, _ fields: [String]) -> JSON {
        var result = JSON.object([:])
        for field in fields {
            guard let path = try? FieldPath.parse(field), case .found(let value) = FieldPath.lookup(path, in: document) else { continue }
            result = set(result, path, value)
        }
        return result
    }

    static func set(_ document: JSON, _ path: [String], _ value: JSON) -> JSON {
        guard let key = path.first else { return value }
        guard case .object(var object) = document else { return document }
        let inner = object[key] ?? .object([:])
        object[key] = path.count == 1 ? value : set(inner, Array(path.dropFirst()), value)
        return .object(object)
    }
}
