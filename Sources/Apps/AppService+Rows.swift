import DocStore

extension AppService {
    /// The id prefix of a table's rows: `ro_<tableId>_`.
    static func rowPrefix(_ tableID: String) -> String { "ro_\(tableID)_" }

    /// `POST /tables/{tableId}/rows`: validates against the schema, fills automatic
    /// columns, and writes `ro_<tableId>_<hex>`. `user` is the writer's id (`createdBy`).
    public func createRow(_ app: AppID, _ tableID: String, _ body: JSONObject, user: String?) async throws(AppError) -> JSONObject {
        let database = try appDatabase(app)
        let table = try readTable(database, tableID)
        let schema = try TableSchema(table["schema"]?.objectValue ?? [:])
        var row = body
        for key in ["_id", "_rev", "_deleted", "_attachments"] { row.removeValue(forKey: key) }
        row["_id"] = .string(Self.newID(Self.rowPrefix(tableID)))
        row["tableId"] = .string(tableID)
        row["type"] = "row"
        try Self.check(&row, schema)
        try checkLinks(database, row, schema)
        try checkAttachments(app, row, schema)
        try await fillAutomaticColumns(&row, schema, database, tableID, user: user, creating: true)
        Self.fillIndexedColumns(&row, schema)
        let written = try await write(database, row, what: "Row")
        try await applyLinks(database, rowID: written["_id"]!.stringValue!, old: nil, new: written, schema)
        return enrich(database, written, schema)
    }

    /// `GET /tables/{tableId}/rows/{rowId}`.
    public func row(_ app: AppID, _ tableID: String, _ rowID: String) throws(AppError) -> JSONObject {
        let database = try appDatabase(app)
        let table = try readTable(database, tableID)
        return enrich(database, try readRow(database, tableID, rowID), try TableSchema(table["schema"]?.objectValue ?? [:]))
    }

    /// `PUT /tables/{tableId}/rows/{rowId}`: the given fields replace the row's. Without a
    /// `_rev` the update is retried on conflict (no concurrent update is lost); with one,
    /// a stale `_rev` is 409.
    public func updateRow(_ app: AppID, _ tableID: String, _ rowID: String, _ body: JSONObject, user: String?) async throws(AppError) -> JSONObject {
        let database = try appDatabase(app)
        let table = try readTable(database, tableID)
        let schema = try TableSchema(table["schema"]?.objectValue ?? [:])
        _ = try readRow(database, tableID, rowID)
        let givenRevision = body["_rev"]?.stringValue
        var before = JSONObject()
        let change = { (row: inout JSONObject) async throws(AppError) -> Void in
            before = row
            for (key, value) in body where !key.hasPrefix("_") && key != "tableId" && key != "type" {
                if schema.column(key)?.auto == nil { row[key] = value }
            }
            try Self.check(&row, schema)
            try self.checkLinks(database, row, schema)
            try self.checkAttachments(app, row, schema)
            try await self.fillAutomaticColumns(&row, schema, database, tableID, user: user, creating: false)
            Self.fillIndexedColumns(&row, schema)
        }
        let written: JSONObject
        if let givenRevision {
            var row = try readRow(database, tableID, rowID)
            row["_rev"] = .string(givenRevision)
            try await change(&row)
            written = try await write(database, row, what: "Row")
        } else {
            written = try await modify(database, rowID, what: "Row", change)
        }
        try await applyLinks(database, rowID: rowID, old: before, new: written, schema)
        return enrich(database, written, schema)
    }

    /// `DELETE /tables/{tableId}/rows/{rowId}`. - Returns: the row as it was.
    public func deleteRow(_ app: AppID, _ tableID: String, _ rowID: String) async throws(AppError) -> JSONObject {
        let database = try appDatabase(app)
        let schema = try TableSchema(try readTable(database, tableID)["schema"]?.objectValue ?? [:])
        for attempt in 1...20 {
            let row = try readRow(database, tableID, rowID)
            do {
                _ = try await write(database, ["_id": row["_id"]!, "_rev": row["_rev"]!, "_deleted": true], what: "Row")
                try await applyLinks(database, rowID: rowID, old: row, new: nil, schema)
                return row
            } catch let error where error.kind == .conflict && attempt < 20 {
                continue
            }
        }
        throw AppError(.conflict, "Row is being changed too often to delete")
    }

    // MARK: Helpers

    func readRow(_ database: DocumentDatabase, _ tableID: String, _ rowID: String) throws(AppError) -> JSONObject {
        guard rowID.hasPrefix(Self.rowPrefix(tableID)) else { throw AppError.notFound("Row \(rowID)") }
        return try read(database, rowID, what: "Row \(rowID)")
    }

    private static func check(_ row: inout JSONObject, _ schema: TableSchema) throws(AppError) {
        let errors = schema.validate(&row)
        if !errors.isEmpty { throw AppError(.badRequest, "Invalid row", validationErrors: errors) }
    }

    /// Indexed columns a row lacks are stored as null: Mango indexes leave out documents
    /// without the field, and a sorted search must still list every row.
    private static func fillIndexedColumns(_ row: inout JSONObject, _ schema: TableSchema) {
        for column in schema.columns where column.isIndexed && row[column.name] == nil { row[column.name] = .null }
    }

    /// `createdAt`/`updatedAt`, `createdBy`/`updatedBy`, and `autoID` (the table's
    /// `lastID`, counted up under conflict retries so that no two rows share a number).
    private func fillAutomaticColumns(
        _ row: inout JSONObject, _ schema: TableSchema, _ database: DocumentDatabase, _ tableID: String,
        user: String?, creating: Bool
    ) async throws(AppError) {
        let now = Self.timestamp()
        for column in schema.columns {
            switch column.auto {
            case .createdAt? where creating: row[column.name] = .string(now)
            case .updatedAt?: row[column.name] = .string(now)
            case .createdBy? where creating: row[column.name] = user.map { .array([.string($0)]) } ?? .null
            case .updatedBy?: row[column.name] = user.map { .array([.string($0)]) } ?? .null
            case .autoID? where creating:
                let table = try await modify(database, tableID, what: "Table") { table throws(AppError) in
                    table["lastID"] = .number(JSONNumber((table["lastID"]?.int64Value ?? 0) + 1))
                }
                row[column.name] = table["lastID"]
            default: break
            }
        }
    }
}
