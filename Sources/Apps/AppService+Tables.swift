import DocStore

extension AppService {
    static let tablePrefix = "ta_"

    /// `POST /tables`: a `ta_<hex>` document in the development database, and a Mango
    /// index per indexed column so that row searches never scan a table.
    public func createTable(_ app: AppID, _ body: JSONObject) async throws(AppError) -> JSONObject {
        let database = try developmentDatabase(app)
        let (name, schema) = try Self.tableDefinition(body)
        try checkTableName(database, name, except: nil)
        var table = body
        let tableID = Self.newID(Self.tablePrefix)
        try await declareLinkColumns(database, tableID: tableID, schema)
        table["_id"] = .string(tableID)
        table.removeValue(forKey: "_rev")
        table["name"] = .string(name)
        table["type"] = "table"
        table["sourceId"] = "bb_internal"
        table["sourceType"] = "internal"
        table["createdAt"] = .string(Self.timestamp())
        table["updatedAt"] = table["createdAt"]
        let written = try await write(database, table, what: "Table")
        try await declareIndexes(database, tableID: written["_id"]!.stringValue!, schema)
        return written
    }

    /// `GET /tables/{tableId}`.
    public func table(_ app: AppID, _ tableID: String) throws(AppError) -> JSONObject {
        try readTable(try appDatabase(app), tableID)
    }

    /// `PUT /tables/{tableId}`: a new name or schema. Renamed (`_rename: {old, updated}`)
    /// and removed columns are rewritten in every row, a batch at a time.
    public func updateTable(_ app: AppID, _ tableID: String, _ body: JSONObject) async throws(AppError) -> JSONObject {
        let database = try developmentDatabase(app)
        let old = try readTable(database, tableID)
        let (name, schema) = try Self.tableDefinition(body)
        try checkTableName(database, name, except: tableID)
        let oldSchema = try TableSchema(old["schema"]?.objectValue ?? [:])
        var rename: (old: String, new: String)?
        if let object = body["_rename"]?.objectValue, let from = object["old"]?.stringValue, let to = object["updated"]?.stringValue {
            guard oldSchema.column(from) != nil, schema.column(to) != nil else {
                throw AppError.badRequest("_rename must name an existing column and a column of the new schema")
            }
            rename = (from, to)
        }
        let removed = oldSchema.columns.map(\.name).filter { name in schema.column(name) == nil && name != rename?.old }
        try await declareLinkColumns(database, tableID: tableID, schema)
        var updated = body
        updated.removeValue(forKey: "_rename")
        let written = try await modify(database, tableID, what: "Table") { table throws(AppError) in
            for (key, value) in updated where key != "_id" && key != "_rev" { table[key] = value }
            table["name"] = .string(name)
            table["updatedAt"] = .string(Self.timestamp())
        }
        if rename != nil || !removed.isEmpty {
            try await forEachRow(database, tableID) { rows throws(AppError) in
                var changed: [JSONObject] = []
                for var row in rows {
                    if let rename, let value = row.removeValue(forKey: rename.old) { row[rename.new] = value }
                    for name in removed { _ = row.removeValue(forKey: name) }
                    changed.append(row)
                }
                try await writeAll(database, changed)
            }
        }
        for column in oldSchema.columns where column.isIndexed && schema.column(column.name)?.isIndexed != true {
            try await dropIndex(database, tableID: tableID, column: column.name)
        }
        for column in oldSchema.columns where column.link != nil && schema.column(column.name)?.link != column.link {
            try await dropLinkColumn(database, tableID: tableID, column.link!)
        }
        try await declareIndexes(database, tableID: tableID, schema)
        return written
    }

    /// `DELETE /tables/{tableId}`: the table, its rows and its indexes. - Returns: the table as it was.
    public func deleteTable(_ app: AppID, _ tableID: String) async throws(AppError) -> JSONObject {
        let database = try developmentDatabase(app)
        let table = try readTable(database, tableID)
        try await forEachRow(database, tableID) { rows throws(AppError) in
            try await writeAll(database, rows.map { ["_id": $0["_id"]!, "_rev": $0["_rev"]!, "_deleted": true] })
        }
        for column in try TableSchema(table["schema"]?.objectValue ?? [:]).columns {
            if column.isIndexed { try await dropIndex(database, tableID: tableID, column: column.name) }
            if let link = column.link { try await dropLinkColumn(database, tableID: tableID, link) }
        }
        _ = try await write(database, ["_id": table["_id"]!, "_rev": table["_rev"]!, "_deleted": true], what: "Table")
        return table
    }

    /// `POST /tables/search`: tables whose name starts with `name`, ignoring case.
    public func searchTables(_ app: AppID, name: String?) async throws(AppError) -> [JSONObject] {
        let database = try appDatabase(app)
        let prefix = name?.lowercased() ?? ""
        var tables: [JSONObject] = []
        try await forEachDocument(database, prefix: Self.tablePrefix) { documents throws(AppError) in
            tables += documents.filter { ($0["name"]?.stringValue?.lowercased() ?? "").hasPrefix(prefix) }
        }
        return tables
    }

    // MARK: Helpers

    /// The database an app id names; the production one only while published.
    func appDatabase(_ app: AppID) throws(AppError) -> DocumentDatabase {
        try served(app).database
    }

    /// Schemas change in development only; publishing carries them to production.
    func developmentDatabase(_ app: AppID) throws(AppError) -> DocumentDatabase {
        guard !app.isProduction else {
            throw AppError.badRequest("Tables are changed in the development app (\(app.development)) and published")
        }
        return try appDatabase(app)
    }

    func readTable(_ database: DocumentDatabase, _ tableID: String) throws(AppError) -> JSONObject {
        guard tableID.hasPrefix(Self.tablePrefix) else { throw AppError.notFound("Table \(tableID)") }
        let table = try read(database, tableID, what: "Table \(tableID)")
        guard table["type"]?.stringValue == "table" else { throw AppError.notFound("Table \(tableID)") }
        return table
    }

    /// Every row of a table, a batch at a time.
    func forEachRow(
        _ database: DocumentDatabase, _ tableID: String, _ body: ([JSONObject]) async throws(AppError) -> Void
    ) async throws(AppError) {
        try await forEachDocument(database, prefix: Self.rowPrefix(tableID), body)
    }

    /// Writes documents in one group commit. - Throws: the first document's error.
    func writeAll(_ database: DocumentDatabase, _ documents: [JSONObject]) async throws(AppError) {
        do throws(DocStoreError) {
            var updates: [DocumentUpdate] = []
            for document in documents { updates.append(try DocumentUpdate(json: document)) }
            for result in try await database.update(updates) {
                if let error = result.error { throw error }
            }
        } catch {
            throw AppError(error, what: "Row")
        }
    }

    private static func tableDefinition(_ body: JSONObject) throws(AppError) -> (String, TableSchema) {
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw AppError(.badRequest, "Invalid request", validationErrors: ["name": ["name is required"]])
        }
        guard let schema = body["schema"]?.objectValue else {
            throw AppError(.badRequest, "Invalid request", validationErrors: ["schema": ["schema is required"]])
        }
        return (name, try TableSchema(schema))
    }

    private func checkTableName(_ database: DocumentDatabase, _ name: String, except tableID: String?) throws(AppError) {
        var options = AllDocumentsOptions()
        options.prefix = Self.tablePrefix
        options.includeDocuments = true
        let tables = (try? database.allDocuments(options).rows) ?? []
        for row in tables where row.id != tableID {
            if row.document?.fields()["name"]?.stringValue?.lowercased() == name.lowercased() {
                throw AppError.badRequest("Table name \"\(name)\" is already in use.")
            }
        }
    }

    // MARK: Indexes

    /// The design document of one column's index: `_design/bb-<tableId>-<column>`.
    static func indexDesignDocument(tableID: String, column: String) -> String { "bb-\(tableID)-\(column)" }

    /// A column name as a Mango field (dots escaped: they would nest).
    static func field(_ column: String) -> String { column.replacingOccurrences(of: ".", with: "\\.") }

    /// Declares `[tableId, column]` for every indexed column; existing ones are kept.
    private func declareIndexes(_ database: DocumentDatabase, tableID: String, _ schema: TableSchema) async throws(AppError) {
        for column in schema.columns where column.isIndexed {
            let body: JSONObject = [
                "index": ["fields": ["tableId", .string(Self.field(column.name))]],
                "ddoc": .string(Self.indexDesignDocument(tableID: tableID, column: column.name)),
                "name": .string(column.name), "type": "json",
            ]
            do {
                _ = try await database.createIndex(body)
            } catch {
                throw AppError(.internal, "Could not create the index of column \(column.name): \(error)")
            }
        }
    }

    private func dropIndex(_ database: DocumentDatabase, tableID: String, column: String) async throws(AppError) {
        do {
            _ = try await database.deleteIndex(
                designDocument: "_design/" + Self.indexDesignDocument(tableID: tableID, column: column), type: "json", name: column)
        } catch {
            // Already gone: nothing to drop.
        }
    }
}
