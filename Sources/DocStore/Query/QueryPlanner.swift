/// Index choice as CouchDB 3.4 makes it (`mango_idx:get_usable_indexes/4`,
/// `mango_cursor:create/4`, `mango_cursor_view:choose_best_index/1`), ported clause by
/// clause over the normalized selector in CouchDB's JSON form.
///
/// An index is usable when the selector requires every one of its columns (sort fields,
/// `_id` and `_rev` excepted) and its columns can serve the sort. Among usable JSON
/// indexes the one whose leading columns cover most of the selector's range fields
/// wins, then the one with fewer columns, then the first by design document and name.
/// `_all_docs` serves when no JSON index is usable.
enum QueryPlanner {
    /// A bound of a field range: a value, or below/above every value.
    enum Bound: Equatable {
        case min, max
        case value(JSON)

        static func == (a: Bound, b: Bound) -> Bool { compare(a, b) == 0 }

        static func compare(_ a: Bound, _ b: Bound) -> Int {
            switch (a, b) {
            case (.min, .min), (.max, .max): return 0
            case (.min, _), (_, .max): return -1
            case (_, .min), (.max, _): return 1
            case (.value(let x), .value(let y)): return Collation.compare(x, y)
            }
        }
    }

    /// `{LowOp, Low, HighOp, High}`; ops are `$gt`, `$gte`, `$eq`, `$lt`, `$lte`.
    struct Range {
        var lowOp: String
        var low: Bound
        var highOp: String
        var high: Bound
    }

    /// A candidate index: a JSON index, or `_all_docs`.
    enum Candidate {
        case json(MangoIndex)
        case allDocs

        var columns: [String] {
            switch self {
            case .json(let index): index.fields
            case .allDocs: ["_id"]
            }
        }
        var designDocument: String? {
            if case .json(let index) = self { return index.designDocument }
            return nil
        }
        var name: String {
            if case .json(let index) = self { return index.name }
            return "_all_docs"
        }
    }

    /// The chosen index and the ranges of its leading columns (nil: nothing can match).
    struct Plan {
        var index: Candidate
        var ranges: [Range]?
        /// The other indexes and why they lost, for `_explain`.
        var candidates: [(Candidate, usable: Bool, reason: String, ranking: Int)]
        /// Whether `use_index` named an index this plan does not use.
        var useIndexIgnored: Bool
    }

    // MARK: Choosing

    static func plan(_ request: FindRequest, indexes: [MangoIndex], partitionedDatabase: Bool = false) throws(MangoError) -> Plan {
        let selector = request.selector.normalized
        let sortFields = request.sortFields
        let all: [Candidate] = [.allDocs] + indexes.map { .json($0) }
        let global = all.filter { if case .json(let i) = $0 { return i.partialFilter == nil } else { return true } }
        let named = filterByDesignDocument(all, request.useIndex)
        var pool = global
        for candidate in named where !pool.contains(where: { same($0, candidate) }) { pool.append(candidate) }
        // mango_idx:filter_partition_indexes/2: a partition's query uses partitioned
        // indexes, a global query global ones; `_all_docs` serves both.
        let scoped = pool.filter { candidate in
            if case .json(let index) = candidate { return index.partitioned == (request.partition != nil) }
            return true
        }
        var usability: [(Candidate, Bool, String)] = []
        for candidate in scoped {
            let (usable, reason) = isUsable(candidate, selector, sortFields)
            usability.append((candidate, usable, reason))
        }
        let usable = usability.filter(\.1).map(\.0)
        if usable.isEmpty {
            guard partitionedDatabase else { throw .noUsableSortIndex }
            throw request.partition == nil ? .noUsableGlobalSortIndex : .noUsablePartitionedSortIndex
        }
        let filtered = filterByDesignDocument(usable, request.useIndex)
        var chosenPool = filtered
        if filtered.isEmpty {
            if request.useIndex.isEmpty || request.allowFallback {
                chosenPool = usable
            } else {
                throw invalidIndex(request.useIndex)
            }
        }
        let jsonPool = chosenPool.filter { if case .json = $0 { return true } else { return false } }
        let typed = jsonPool.isEmpty ? chosenPool : jsonPool
        var fieldRanges = self.fieldRanges(selector, indexableFields(selector))
        if jsonPool.isEmpty {
            fieldRanges.append(("_id", Range(lowOp: "$gt", low: .value(.null), highOp: "$lt", high: .max)))
        }
        let composited = typed.map { candidate -> (Candidate, [Range?], Int) in
            let prefix = compositePrefix(candidate.columns, fieldRanges)
            return (candidate, prefix, fieldRanges.count - prefix.count)
        }
        let sorted = composited.sorted { a, b in
            if a.2 != b.2 { return a.2 < b.2 }
            if a.0.columns.count != b.0.columns.count { return a.0.columns.count < b.0.columns.count }
            let ka = (a.0.designDocument ?? "", a.0.name)
            let kb = (b.0.designDocument ?? "", b.0.name)
            return ka <= kb
        }
        let winner = sorted[0]
        var ranges: [Range]? = winner.1.contains { $0 == nil } ? nil : winner.1.map { $0! }
        if winner.1.count > 1 && winner.1.contains(where: { $0 == nil }) { ranges = winner.1.compactMap { $0 } }
        if isNoop(selector) { ranges = nil }
        // Why the others lost, as `_explain`'s `index_candidates` reports it.
        var candidates: [(Candidate, usable: Bool, reason: String, ranking: Int)] = []
        let winnerWidth = winner.0.columns.count
        for (rank, entry) in sorted.enumerated().dropFirst() {
            let reason = entry.2 > 0 ? "less_overlap" : entry.0.columns.count > winnerWidth ? "too_many_fields" : "alphabetically_comes_after"
            candidates.append((entry.0, true, reason, rank))
        }
        // Each group's rank grows by one per earlier group that is not empty (CouchDB's fold).
        let unfavored = chosenPool.filter { c in !typed.contains { same($0, c) } }
        let excluded = usable.filter { c in !chosenPool.contains { same($0, c) } }
        let notUsable = usability.filter { !$0.1 }
        let outOfScope = pool.filter { c in !scoped.contains { same($0, c) } }
        let partial = all.filter { c in !pool.contains { same($0, c) } }
        let unfavoredRank = max(1, sorted.count)
        let excludedRank = unfavoredRank + (unfavored.isEmpty ? 0 : 1)
        let notUsableRank = excludedRank + (excluded.isEmpty ? 0 : 1)
        let outOfScopeRank = notUsableRank + (notUsable.isEmpty ? 0 : 1)
        let partialRank = outOfScopeRank + (outOfScope.isEmpty ? 0 : 1)
        for c in unfavored { candidates.append((c, true, "unfavored_type", unfavoredRank)) }
        for c in excluded { candidates.append((c, true, "excluded_by_user", excludedRank)) }
        for (c, _, reason) in notUsable { candidates.append((c, false, reason, notUsableRank)) }
        for c in outOfScope { candidates.append((c, false, "scope_mismatch", outOfScopeRank)) }
        for c in partial { candidates.append((c, false, "is_partial", partialRank)) }
        let ignored = !request.useIndex.isEmpty && filterByDesignDocument([winner.0], request.useIndex).isEmpty
        return Plan(index: winner.0, ranges: ranges, candidates: candidates, useIndexIgnored: ignored)
    }

    static func invalidIndex(_ useIndex: [String]) -> MangoError {
        switch useIndex.count {
        case 1:
            return MangoError(400, "invalid_index", "_design/\(designName(useIndex[0])) specified by `use_index` could not be found or it is not suitable.")
        default:
            return MangoError(
                400, "invalid_index",
                "_design/\(designName(useIndex[0])), \(useIndex[1]) specified by `use_index` could not be found or it is not suitable.")
        }
    }

    static func designName(_ id: String) -> String { id.hasPrefix("_design/") ? String(id.dropFirst(8)) : id }

    /// CouchDB's warning when `use_index` named an index that was not used.
    static func useIndexWarning(_ useIndex: [String]) -> String {
        useIndex.count == 1
            ? "_design/\(designName(useIndex[0])) was not used because it does not contain a valid index for this query."
            : "_design/\(designName(useIndex[0])), \(useIndex[1]) was not used because it is not a valid index for this query."
    }

    private static func same(_ a: Candidate, _ b: Candidate) -> Bool {
        switch (a, b) {
        case (.allDocs, .allDocs): true
        case (.json(let x), .json(let y)): x.number == y.number
        default: false
        }
    }

    static func filterByDesignDocument(_ candidates: [Candidate], _ useIndex: [String]) -> [Candidate] {
        guard let first = useIndex.first else { return [] }
        let ddoc = first.hasPrefix("_design/") ? first : "_design/" + first
        return candidates.filter { c in
            c.designDocument == ddoc && (useIndex.count == 1 || c.name == useIndex[1])
        }
    }

    /// `is_usable/3` of the view and special index modules; the reason when not.
    static func isUsable(_ candidate: Candidate, _ selector: JSON, _ sortFields: [String]) -> (Bool, String) {
        switch candidate {
        case .allDocs:
            if sortFields.isEmpty { return (true, "") }
            let hasID = indexableFields(selector).contains("_id")
            let canSort = sortFields.starts(with: ["_id"]) && sortFields.count <= 1
            if !hasID { return (false, "field_mismatch") }
            return (canSort, canSort ? "" : "sort_order_mismatch")
        case .json(let index):
            let required = Set(index.fields).subtracting(sortFields).subtracting(["_id", "_rev"])
            let hasFields = hasRequiredFields(selector, Array(required).sorted())
            let canSort = canUseSort(index.fields, sortFields, selector)
            if !hasFields { return (false, "field_mismatch") }
            return (canSort, canSort ? "" : "sort_order_mismatch")
        }
    }

    private static func canUseSort(_ columns: [String], _ sortFields: [String], _ selector: JSON) -> Bool {
        if sortFields.isEmpty { return true }
        guard let column = columns.first else { return false }
        if column == sortFields[0] { return columns.starts(with: sortFields) }
        return isConstantField(selector, column) && canUseSort(Array(columns.dropFirst()), sortFields, selector)
    }

    // MARK: Selector analysis (mango_selector / mango_idx_view)

    /// The single member of a one-member object.
    private static func single(_ json: JSON) -> (String, JSON)? {
        guard case .object(let object) = json, object.count == 1 else { return nil }
        return object.first
    }

    static func hasRequiredFields(_ selector: JSON, _ required: [String]) -> Bool {
        remainder([selector], required).isEmpty
    }

    private static func remainder(_ selectors: [JSON], _ required: [String]) -> [String] {
        var required = required
        var rest = selectors[...]
        while let selector = rest.first {
            rest = rest.dropFirst()
            if required.isEmpty { return [] }
            guard let (key, value) = single(selector) else { continue }
            if key == "$and", case .array(let args) = value {
                required = remainder(args, required)
            } else if key == "$or", case .array(let args) = value {
                var union = Set<String>()
                for arg in args { union.formUnion(remainder([arg], required)) }
                required = union.sorted()
            } else if let (op, argument) = single(value), op == "$exists", argument == .bool(false) {
                continue
            } else if !key.hasPrefix("$") || true {
                required.removeAll { $0 == key }
            }
        }
        return required
    }

    static func isConstantField(_ selector: JSON, _ field: String) -> Bool {
        guard let (key, value) = single(selector) else { return false }
        if key == "$and", case .array(let args) = value { return args.contains { isConstantField($0, field) } }
        if key == field, let (op, _) = single(value) { return op == "$eq" }
        return false
    }

    /// The fields a selector names at the top (`mango_selector:fields/1`).
    static func fields(_ selector: JSON) -> [String] {
        guard let (key, value) = single(selector) else { return [] }
        if key.hasPrefix("$"), case .array(let args) = value { return args.flatMap(fields) }
        return [key]
    }

    static func indexableFields(_ selector: JSON) -> [String] {
        guard let (key, value) = single(selector) else { return [] }
        if key == "$and", case .array(let args) = value {
            return Array(Set(args.flatMap(indexableFields))).sorted()
        }
        if key.hasPrefix("$") { return [] }
        guard let (op, _) = single(value) else { return [] }
        return ["$lt", "$lte", "$eq", "$gt", "$gte", "$beginsWith", "$exists"].contains(op) ? [key] : []
    }

    /// `field_ranges/2`: the range of each field, stopping at the first empty one.
    static func fieldRanges(_ selector: JSON, _ fields: [String]) -> [(String, Range?)] {
        var result: [(String, Range?)] = []
        for field in fields {
            let r = range(selector, field, Range(lowOp: "$gt", low: .min, highOp: "$lt", high: .max))
            // As CouchDB: an empty range replaces everything found before it.
            if r == nil { return [(field, nil)] }
            result.append((field, r))
        }
        return result
    }

    private static func range(_ selector: JSON, _ field: String, _ current: Range?) -> Range? {
        guard let current else { return nil }
        guard let (key, value) = single(selector) else { return current }
        if key == "$and", case .array(let args) = value {
            var r: Range? = current
            for arg in args { r = range(arg, field, r) }
            return r
        }
        guard key == field, let (op, argument) = single(value) else { return current }
        return narrow(op, argument, current)
    }

    private static func narrow(_ op: String, _ argument: JSON, _ r: Range) -> Range? {
        enum Position { case min, low, mid, high, max }
        func position(_ arg: JSON) -> Position {
            let low = Bound.compare(.value(arg), r.low)
            if low < 0 { return .min }
            if low == 0 { return .low }
            let high = Bound.compare(.value(arg), r.high)
            return high < 0 ? .mid : high == 0 ? .high : .max
        }
        let arg = Bound.value(argument)
        switch op {
        case "$beginsWith":
            guard case .string(let prefix) = argument else { return r }
            guard let r1 = narrow("$gte", argument, r) else { return nil }
            return narrow("$lte", .string(prefix + "\u{FFFF}"), r1)
        case "$lt":
            switch position(argument) {
            case .min, .low: return nil
            case .mid, .high: return Range(lowOp: r.lowOp, low: r.low, highOp: "$lt", high: arg)
            case .max: return r
            }
        case "$lte":
            switch position(argument) {
            case .min: return nil
            case .low: return r.lowOp == "$gte" || r.lowOp == "$eq" ? Range(lowOp: "$eq", low: arg, highOp: "$eq", high: arg) : nil
            case .mid: return Range(lowOp: r.lowOp, low: r.low, highOp: "$lte", high: arg)
            case .high, .max: return r
            }
        case "$eq":
            switch position(argument) {
            case .min, .max: return nil
            case .low: return r.lowOp == "$gte" || r.lowOp == "$eq" ? Range(lowOp: "$eq", low: arg, highOp: "$eq", high: arg) : nil
            case .mid: return Range(lowOp: "$eq", low: arg, highOp: "$eq", high: arg)
            case .high: return r.highOp == "$lte" || r.highOp == "$eq" ? Range(lowOp: "$eq", low: arg, highOp: "$eq", high: arg) : nil
            }
        case "$gte":
            switch position(argument) {
            case .min, .low: return r
            case .mid: return Range(lowOp: "$gte", low: arg, highOp: r.highOp, high: r.high)
            case .high: return r.highOp == "$lte" || r.highOp == "$eq" ? Range(lowOp: "$eq", low: arg, highOp: "$eq", high: arg) : nil
            case .max: return nil
            }
        case "$gt":
            switch position(argument) {
            case .min: return r
            case .low, .mid: return Range(lowOp: "$gt", low: arg, highOp: r.highOp, high: r.high)
            case .high, .max: return nil
            }
        default:
            return r
        }
    }

    private static func compositePrefix(_ columns: [String], _ ranges: [(String, Range?)]) -> [Range?] {
        var prefix: [Range?] = []
        for column in columns {
            guard let found = ranges.first(where: { $0.0 == column }) else { break }
            prefix.append(found.1)
        }
        return prefix
    }

    /// `maybe_noop_range/2`: `{"$or": []}` and the like match nothing.
    private static func isNoop(_ selector: JSON) -> Bool {
        guard let (key, value) = single(selector), case .array(let args) = value, args.isEmpty else { return false }
        return ["$all", "$and", "$or", "$in"].contains(key)
    }
}
