/// `_explain`'s answer, field for field as CouchDB 3.4 builds it (`mango_cursor:explain/1`).
enum MangoExplain {
    static func render(_ request: FindRequest, _ plan: QueryPlanner.Plan, database: String, partitioned: Bool) -> JSON {
        let selector = request.selector.normalized
        var opts = JSONObject()
        opts["use_index"] = .array(request.useIndex.map { .string($0) })
        opts["bookmark"] = .string(request.bookmark ?? "nil")
        opts["limit"] = .number(JSONNumber(request.limit))
        opts["skip"] = .number(JSONNumber(request.skip))
        opts["sort"] = request.rawSort
        opts["fields"] = .array((request.fields ?? []).map { .string($0) })
        opts["partition"] = .string(request.partition ?? "")
        opts["r"] = .number(JSONNumber(request.r))
        opts["conflicts"] = .bool(request.conflicts)
        opts["stale"] = .bool(request.stale)
        opts["update"] = .bool(request.update)
        opts["stable"] = .bool(request.stable)
        opts["execution_stats"] = .bool(request.executionStats)
        opts["allow_fallback"] = .bool(request.allowFallback)
        let candidates: [JSON] = plan.candidates.map { candidate, usable, reason, ranking in
            var covering: JSON = .null
            if case .json(let index) = candidate {
                covering = .bool(covers(index, request))
            }
            return [
                "index": indexJSON(candidate),
                "analysis": [
                    "usable": .bool(usable), "reasons": [["name": .string(reason)]], "ranking": .number(JSONNumber(ranking)),
                    "covering": covering,
                ],
            ]
        }
        let indexable = QueryPlanner.indexableFields(selector)
        let all = QueryPlanner.fields(selector)
        let unindexable = Array(Set(all).subtracting(indexable))
        var covering = false
        if case .json(let index) = plan.index { covering = covers(index, request) }
        var mrargs = JSONObject()
        mrargs["include_docs"] = .bool(request.r == 1 && !covering)
        mrargs["view_type"] = "map"
        mrargs["reduce"] = false
        mrargs["partition"] = request.partition.map(JSON.string) ?? .null
        let (start, end) = keys(plan)
        mrargs["start_key"] = request.descending ? end : start
        mrargs["end_key"] = request.descending ? start : end
        mrargs["direction"] = request.descending ? "rev" : "fwd"
        mrargs["stable"] = .bool(request.stable || request.stale)
        mrargs["update"] = request.stale ? false : .bool(request.update)
        mrargs["conflicts"] = request.conflicts ? true : "undefined"
        return [
            "dbname": .string(database),
            "index": indexJSON(plan.index),
            "partitioned": .bool(partitioned),
            "selector": selector,
            "opts": .object(opts),
            "limit": .number(JSONNumber(request.limit)),
            "skip": .number(JSONNumber(request.skip)),
            "fields": .array((request.fields ?? []).map { .string($0) }),
            "index_candidates": .array(candidates),
            "selector_hints": [["type": "json", "indexable_fields": .array(indexable.map { .string($0) }), "unindexable_fields": .array(unindexable.map { .string($0) })]],
            "mrargs": .object(mrargs),
            "covering": .bool(covering),
        ]
    }

    static func covers(_ index: MangoIndex, _ request: FindRequest) -> Bool {
        guard let fields = request.fields else { return false }
        let needed = Set(fields + QueryPlanner.fields(request.selector.normalized))
        return needed.isSubset(of: Set(["_id"] + index.fields))
    }

    static func indexJSON(_ candidate: QueryPlanner.Candidate) -> JSON {
        switch candidate {
        case .json(let index): return index.json
        case .allDocs:
            return ["ddoc": .null, "name": "_all_docs", "type": "special", "def": ["fields": [["_id": "asc"]]]]
        }
    }

    private static func value(_ bound: QueryPlanner.Bound) -> JSON? {
        if case .value(let v) = bound { return v }
        return nil
    }

    /// `mango_idx_view:start_key/1`, `end_key/1` and the special index's, with CouchDB's
    /// `<MAX>` for the largest key.
    static func keys(_ plan: QueryPlanner.Plan) -> (JSON, JSON) {
        guard let ranges = plan.ranges else { return (.null, .null) }
        switch plan.index {
        case .allDocs:
            guard let range = ranges.first else { return (.null, .null) }
            let start: JSON = range.lowOp == "$gt" && value(range.low) == nil ? "" : (value(range.low) ?? "")
            let end: JSON = value(range.high) ?? "<MAX>"
            return (start, end)
        case .json:
            let (start, end) = keyBounds(plan)
            return (.array(start), .array(end.map { $0 ?? "<MAX>" }))
        }
    }

    /// CouchDB's start and end keys of a JSON index scan; nil in the end key stands for
    /// its largest object (`<MAX>`).
    static func keyBounds(_ plan: QueryPlanner.Plan) -> ([JSON], [JSON?]) {
        let ranges = plan.ranges ?? []
        var start: [JSON] = []
        for range in ranges {
            guard let v = value(range.low) else { break }
            start.append(v)
        }
        var end: [JSON?] = []
        var closed = false
        for range in ranges {
            guard let v = value(range.high) else {
                end.append(nil)
                closed = true
                break
            }
            end.append(v)
        }
        if !closed { end.append(nil) }
        return (start, end)
    }
}
