import DocStore

/// Relationships (`link` columns) kept consistent on both sides: each row stores the ids
/// of the rows it links to, and the related table's column (`fieldName`) stores the ids
/// back. A row write first writes the row, then adds or removes its id in the related
/// rows (each such change retried until it lands; they are idempotent).
extension AppService {
    // MARK: Schemas

    /// Checks a schema's link columns against the other tables and gives each related
    /// table its column back (`fieldName`, the inverse relationship), when it lacks one.
    func declareLinkColumns(
        _ database: DocumentDatabase, tableID: String, _ schema: TableSchema
    ) async throws(AppError) {
        for column in schema.columns {
            guard let link = column.link else { continue }
            if link.table == tableID {
                // A table related to itself holds both columns.
                guard link.field == column.name || schema.column(link.field)?.link?.field == column.name else {
                    throw AppError(.badRequest, "Invalid table schema", validationErrors: [column.name: ["the column linking back (\(link.field)) must be in the schema too"]])
                }
                continue
            }
            let other = try readTable(database, link.table)
            let otherSchema = try TableSchema(other["schema"]?.objectValue ?? [:])
            if let existing = otherSchema.column(link.field) {
                guard existing.link == TableSchema.Link(table: tableID, field: column.name, relationship: link.relationship.inverse) else {
                    throw AppError(.badRequest, "Invalid table schema", validationErrors: [column.name: ["\(link.field) is already a column of \(link.table)"]])
                }
                continue
            }
            _ = try await modify(database, link.table, what: "Table") { table throws(AppError) in
                var otherColumns = table["schema"]?.objectValue ?? [:]
                otherColumns[link.field] = [
                    "type": "link", "name": .string(link.field), "tableId": .string(tableID), "fieldName": .string(column.name),
                    "relationshipType": .string(link.relationship.inverse.rawValue),
                ]
                table["schema"] = .object(otherColumns)
                table["updatedAt"] = .string(Self.timestamp())
            }
        }
    }

    /// Removes the column that linked back to a removed link column, and its values.
    func dropLinkColumn(_ database: DocumentDatabase, tableID: String, _ link: TableSchema.Link) async throws(AppError) {
        guard link.table != tableID, let other = try? readTable(database, link.table) else { return }
        guard other["schema"]?[link.field] != nil else { return }
        _ = try await modify(database, link.table, what: "Table") { table throws(AppError) in
            var columns = table["schema"]?.objectValue ?? [:]
            columns.removeValue(forKey: link.field)
            table["schema"] = .object(columns)
        }
        try await forEachRow(database, link.table) { rows throws(AppError) in
            let changed = rows.compactMap { row -> JSONObject? in
                var row = row
                return row.removeValue(forKey: link.field) == nil ? nil : row
            }
            if !changed.isEmpty { try await writeAll(database, changed) }
        }
    }

    // MARK: Rows

    /// Checks that every linked id is a row of the related table.
    func checkLinks(_ database: DocumentDatabase, _ row: JSONObject, _ schema: TableSchema) throws(AppError) {
        var errors: [String: [String]] = [:]
        for column in schema.columns {
            guard let link = column.link, let ids = row[column.name]?.arrayValue?.compactMap(\.stringValue) else { continue }
            if ids.contains(where: { !$0.hasPrefix(Self.rowPrefix(link.table)) || readIfPresent(database, $0) == nil }) {
                errors[column.name] = ["links to a row that does not exist in \(link.table)"]
            }
        }
        if !errors.isEmpty { throw AppError(.badRequest, "Invalid row", validationErrors: errors) }
    }

    /// After a row was written (`old` → `new`; nil `new` for a deletion): the related rows
    /// gain or lose its id, and a row that may link back to one row only leaves its
    /// previous partner, which forgets it too.
    func applyLinks(
        _ database: DocumentDatabase, rowID: String, old: JSONObject?, new: JSONObject?, _ schema: TableSchema
    ) async throws(AppError) {
        for column in schema.columns {
            guard let link = column.link else { continue }
            let before = Set(old?[column.name]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let after = Set(new?[column.name]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for removed in before.subtracting(after) {
                try await editLinks(database, removed, field: link.field) { $0.removeAll { $0 == rowID } }
            }
            for added in after.subtracting(before) {
                var displaced: [String] = []
                try await editLinks(database, added, field: link.field) { ids in
                    if link.relationship == .oneToMany {
                        // The related row links back to one row only: this one now.
                        displaced = ids.filter { $0 != rowID }
                        ids = [rowID]
                    } else if !ids.contains(rowID) {
                        ids.append(rowID)
                    }
                }
                for previous in displaced {
                    try await editLinks(database, previous, field: column.name) { $0.removeAll { $0 == added } }
                }
            }
        }
    }

    /// Changes one row's list of linked ids (a row since deleted is left alone).
    private func editLinks(
        _ database: DocumentDatabase, _ rowID: String, field: String, _ change: @escaping (inout [String]) -> Void
    ) async throws(AppError) {
        guard readIfPresent(database, rowID) != nil else { return }
        do {
            _ = try await modify(database, rowID, what: "Row") { row throws(AppError) in
                var ids = row[field]?.arrayValue?.compactMap(\.stringValue) ?? []
                change(&ids)
                row[field] = .array(ids.map(JSON.string))
            }
        } catch let error where error.kind == .notFound {
            return
        }
    }

    /// A row as the API shows it: each link column's ids become `{_id, primaryDisplay}`
    /// (the related table's display column, or the id).
    func enrich(_ database: DocumentDatabase, _ row: JSONObject, _ schema: TableSchema) -> JSONObject {
        var row = row
        var displays: [String: String?] = [:]
        for column in schema.columns {
            guard let link = column.link, let ids = row[column.name]?.arrayValue?.compactMap(\.stringValue) else { continue }
            if displays[link.table] == nil {
                displays[link.table] = .some(readIfPresent(database, link.table)?["primaryDisplay"]?.stringValue)
            }
            let display = displays[link.table] ?? nil
            row[column.name] = .array(
                ids.map { id in
                    let related = display.flatMap { readIfPresent(database, id)?[$0] }
                    return ["_id": .string(id), "primaryDisplay": related ?? .string(id)]
                })
        }
        return row
    }
}
