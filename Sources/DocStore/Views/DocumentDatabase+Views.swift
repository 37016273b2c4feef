import LMDB

/// Querying JavaScript views: `_view`, `_info`, `_view_cleanup`.
extension DocumentDatabase {
    /// The views a design document declares.
    /// - Throws: `not_found` (`missing`/`deleted`) without the design document.
    func viewDefinition(_ designDocument: String) throws(DocStoreError) -> ViewGroupDefinition? {
        let document = try document(designDocument)
        return try ViewGroupDefinition.parse(document.fields(), partitionedDatabase: isPartitioned)
    }

    /// Answers a view query: brings the index up to date first unless `query.update`
    /// says otherwise, then reads rows (or reduces them) in one snapshot.
    /// - Throws: `not_found` (`missing`, `missing_named_view`), `query_parse_error` with
    ///   CouchDB's reasons, `os_process_error` when a function fails or times out,
    ///   `reduce_overflow_error`.
    public func queryView(designDocument: String, view name: String, _ query: ViewQuery) async throws(DocStoreError) -> ViewResult {
        guard let definition = try viewDefinition(designDocument), let view = definition.views.first(where: { $0.name == name }) else {
            throw DocStoreError(.notFound, "missing_named_view")
        }
        let reducing = try Self.validate(query, hasReduce: view.reduce != nil)
        // couch_mrview_util:validate_args/2: a partitioned view is queried one partition
        // at a time, a global one never so.
        switch (definition.partitioned, query.partition) {
        case (true, nil): throw DocStoreError(.queryParseError, "`partition` parameter is mandatory for queries to this view.")
        case (false, _?): throw DocStoreError(.queryParseError, "`partition` parameter is not supported in this design doc")
        default: break
        }
        let found: ViewGroupRecord?
        switch query.update {
        case .now: found = try await viewIndexer.catchUp(definition, designDocument: designDocument, in: self)
        case .never, .lazy: found = try await viewGroup(definition, designDocument: designDocument)
        }
        guard let record = found else { throw DocStoreError(.storage, "view group missing") }
        defer {
            if query.update == .lazy {
                Task { _ = try? await self.viewIndexer.catchUp(definition, designDocument: designDocument, in: self) }
            }
        }
        guard let number = record.views[name] else { throw DocStoreError(.notFound, "missing_named_view") }
        let reader = ViewReader(database: self, view: number, query: query)
        if reducing, let reduce = view.reduce {
            let index = definition.views.firstIndex { $0.name == name }!
            let program = reduce.hasPrefix("_") ? nil : try viewIndexer.program(for: definition, timeLimit: javaScriptTimeLimit)
            let rows = try reader.reduce { keys, ids, values throws(DocStoreError) in
                if let program { return try Self.javaScriptReduce(program, index, keys: keys, ids: ids, values: values) }
                return BuiltInReduce.reduce(reduce, keys: keys, values: values)
            }
            return ViewResult(totalRows: nil, offset: nil, rows: rows, updateSequence: record.sequence)
        }
        let (rows, offset) = try reader.map()
        return ViewResult(totalRows: record.rowCounts[number] ?? 0, offset: offset, rows: rows, updateSequence: record.sequence)
    }

    /// CouchDB's checks of view parameters against the view.
    /// - Returns: whether the query reduces.
    static func validate(_ query: ViewQuery, hasReduce: Bool) throws(DocStoreError) -> Bool {
        func fail(_ reason: String) -> DocStoreError { DocStoreError(.queryParseError, reason) }
        if query.group == false, let level = query.groupLevel, level > 0 {
            throw fail("Can't specify group=false and group_level>0 at the same time")
        }
        // CouchDB's group level: 0 without grouping, "exact" for group=true alone.
        let exact = query.group == true && query.groupLevel == nil
        let level = exact ? nil : (query.groupLevel ?? 0)
        if !hasReduce {
            if query.reduce == true { throw fail("Reduce is invalid for map-only views.") }
            if level != 0 { throw fail("Invalid use of grouping on a map view.") }
        }
        let reducing = hasReduce && query.reduce != false
        if reducing {
            if query.keys != nil, !exact { throw fail("Multi-key fetches for reduce views must use `group=true`") }
            if query.includeDocuments { throw fail("`include_docs` is invalid for reduce") }
            if query.conflicts != nil { throw fail("`conflicts` is invalid for reduce views.") }
        }
        return reducing
    }

    /// Runs a JavaScript reduce over one group's rows: in chunks, then a rereduce of the
    /// chunks' results (as CouchDB reduces per B-tree node), applying `reduce_limit`.
    static func javaScriptReduce(_ program: ViewProgram, _ index: Int, keys: [JSON], ids: [String], values: [JSON]) throws(DocStoreError) -> JSON {
        let chunk = 500
        var partials: [JSON] = []
        var start = 0
        repeat {
            let end = min(values.count, start + chunk)
            let pairs = (start..<end).map { JSON.array([keys[$0], .string(ids[$0])]) }
            let slice = Array(values[start..<end])
            let result = try program.reduce(index, keys: pairs, values: slice, rereduce: false)
            try checkReduceLimit(input: JSON.array(pairs + slice).serialized().count, output: result)
            partials.append(result)
            start = end
        } while start < values.count
        if partials.count == 1 { return partials[0] }
        let result = try program.reduce(index, keys: nil, values: partials, rereduce: true)
        try checkReduceLimit(input: JSON.array(partials).serialized().count, output: result)
        return result
    }

    /// CouchDB's `reduce_limit`: an output over 200 bytes that is more than half its
    /// input means the function does not reduce.
    static func checkReduceLimit(input: Int, output: JSON) throws(DocStoreError) {
        let size = JSON.array([output]).serialized().count
        if size > 200, size * 2 > input {
            throw DocStoreError(
                .reduceOverflow, "Reduce output must shrink more rapidly: input size: \(input) output size: \(size)")
        }
    }

    /// `GET /db/_design/d/_info`.
    public func viewGroupInfo(designDocument: String) throws(DocStoreError) -> ViewGroupInfo {
        let document = try document(designDocument)
        let fields = document.fields()
        let definition = try ViewGroupDefinition.parse(fields, partitionedDatabase: isPartitioned)
        let signature = definition?.signature ?? ""
        let record = try read { txn in try ViewGroupRecord.load(txn, tables, signature: signature) }
        let running = viewBuildTasks.activeTasks().contains { $0["database"]?.stringValue == name && $0["design_document"]?.stringValue == designDocument }
        return ViewGroupInfo(
            signature: signature, language: fields["language"]?.stringValue ?? "javascript", updateSequence: record?.sequence ?? 0,
            updaterRunning: running, rows: record?.rowCounts.values.reduce(0, +) ?? 0)
    }

    /// `_view_cleanup`: removes the index of every view group no design document
    /// declares any more.
    public func cleanUpViews() async throws(DocStoreError) {
        var options = AllDocumentsOptions()
        options.prefix = "_design/"
        var live = Set<String>()
        for row in try allDocuments(options).rows {
            if let definition = try? viewDefinition(row.id) { live.insert(definition.signature) }
        }
        viewIndexer.retain(live)
        let keep = live
        try await write { txn, _ in
            for record in try ViewGroupRecord.all(txn, self.tables) where !keep.contains(record.signature) {
                try record.remove(txn, self.tables)
            }
        }
    }
}
