import DocStore

extension AppService {
    /// `POST /tables/{tableId}/rows/search`: Budibase's search body answered by a Mango
    /// query over the table's rows. Filters and sorts on indexed columns use the column's
    /// `[tableId, column]` index; anything else scans the table's id range only, never
    /// other tables. - Returns: `{data, hasNextPage, bookmark}` (the last two when paginating).
    public func searchRows(_ app: AppID, _ tableID: String, _ body: JSONObject) async throws(AppError) -> JSONObject {
        let database = try appDatabase(app)
        let table = try readTable(database, tableID)
        let schema = try TableSchema(table["schema"]?.objectValue ?? [:])
        var find = try Self.findRequest(body, tableID: tableID, schema: schema)
        let limit = find["limit"]!.int64Value!
        let paginate = body["paginate"]?.isTruthy ?? false
        let page = try await runFind(database, find)
        let rows = page.documents.map { $0.objectValue.map { JSON.object(enrich(database, $0, schema)) } ?? $0 }
        var output: JSONObject = ["data": .array(rows)]
        if paginate {
            var hasNextPage = false
            if Int64(page.documents.count) == limit, let bookmark = page.bookmark {
                find["bookmark"] = .string(bookmark)
                find["limit"] = 1
                hasNextPage = !(try await runFind(database, find).documents.isEmpty)
            }
            output["hasNextPage"] = .bool(hasNextPage)
            if let bookmark = page.bookmark { output["bookmark"] = .string(bookmark) }
        }
        return output
    }

    private func runFind(_ database: DocumentDatabase, _ body: JSONObject) async throws(AppError) -> FindResult {
        do {
            return try await database.find(try FindRequest(body))
        } catch let error as MangoError {
            throw AppError.badRequest(error.reason)
        } catch let error as DocStoreError {
            throw AppError(error, what: "Rows")
        } catch {
            throw AppError(.internal, "Row search failed: \(error)")
        }
    }

    /// The `_find` body of a search: the table's rows, the query's conditions (all of them,
    /// or any with `allOr`), the sort, limit and bookmark.
    static func findRequest(_ body: JSONObject, tableID: String, schema: TableSchema) throws(AppError) -> JSONObject {
        let query = body["query"]?.objectValue ?? [:]
        var conditions: [JSON] = []
        for (operation, value) in query where operation != "allOr" && operation != "onEmptyFilter" {
            guard let columns = value.objectValue else { throw AppError.badRequest("query.\(operation) must be an object") }
            for (column, argument) in columns {
                conditions.append(try condition(operation, field: field(column.droppingNumericPrefix), argument))
            }
        }
        var selector: JSONObject = ["tableId": .string(tableID)]
        // Bounds the fallback scan (no usable column index) to this table's rows.
        let prefix = rowPrefix(tableID)
        selector["_id"] = ["$gt": .string(prefix), "$lt": .string(prefix + "\u{fff0}")]
        if !conditions.isEmpty {
            if query["allOr"]?.isTruthy == true {
                selector["$or"] = .array(conditions)
            } else {
                selector["$and"] = .array(conditions)
            }
        }
        var limit = Int64(maxSearchLimit)
        if let given = body["limit"] {
            guard let value = given.int64Value, value > 0 else { throw AppError.badRequest("limit must be a positive integer") }
            limit = min(value, Int64(maxSearchLimit))
        }
        var find: JSONObject = ["selector": .object(selector), "limit": .number(JSONNumber(limit))]
        if let sort = body["sort"]?.objectValue, let column = sort["column"]?.stringValue {
            guard let definition = schema.column(column), definition.isIndexed else {
                throw AppError.badRequest("Cannot sort by \(column): only string, number, boolean, date and option columns sort")
            }
            let direction: JSON = sort["order"]?.stringValue == "descending" ? "desc" : "asc"
            find["sort"] = [["tableId": direction], .object(JSONObject([(field(column), direction)]))]
            find["use_index"] = [.string("_design/" + indexDesignDocument(tableID: tableID, column: column)), .string(column)]
        }
        switch body["bookmark"] {
        case .string(let bookmark)? where !bookmark.isEmpty: find["bookmark"] = .string(bookmark)
        case nil, .null?, .string?: break
        default: throw AppError.badRequest("bookmark must be the string a previous page answered")
        }
        return find
    }

    /// One column's condition as a Mango selector.
    private static func condition(_ operation: String, field: String, _ argument: JSON) throws(AppError) -> JSON {
        func on(_ test: JSON) -> JSON { .object(JSONObject([(field, test)])) }
        func values() throws(AppError) -> [JSON] {
            if case .array(let items) = argument { return items }
            return [argument]
        }
        switch operation {
        case "string":
            guard let text = argument.stringValue else { throw AppError.badRequest("query.string values must be strings") }
            return on(["$regex": .string("(?i)^" + escapeRegex(text))])
        case "fuzzy":
            guard let text = argument.stringValue else { throw AppError.badRequest("query.fuzzy values must be strings") }
            return on(["$regex": .string("(?i)" + escapeRegex(text))])
        case "range":
            guard let bounds = argument.objectValue else { throw AppError.badRequest("query.range values must be {low, high}") }
            var test = JSONObject()
            if let low = bounds["low"], !low.isNull, low != "" { test["$gte"] = low }
            if let high = bounds["high"], !high.isNull, high != "" { test["$lte"] = high }
            return on(test.isEmpty ? ["$exists": true] : .object(test))
        case "equal":
            return on(["$eq": argument])
        case "notEqual":
            return ["$or": [on(["$exists": false]), on(["$ne": argument])]]
        case "empty":
            return ["$or": [on(["$exists": false]), on(["$eq": nil]), on(["$eq": ""]), on(["$size": 0])]]
        case "notEmpty":
            return ["$and": [on(["$exists": true]), on(["$ne": nil]), on(["$ne": ""]), ["$not": on(["$size": 0])]]]
        case "oneOf":
            return on(["$in": .array(try values())])
        case "contains":
            return on(["$all": .array(try values())])
        case "containsAny":
            return on(["$elemMatch": ["$in": .array(try values())]])
        case "notContains":
            return ["$not": on(["$elemMatch": ["$in": .array(try values())]])]
        default:
            throw AppError.badRequest("Unknown search operator \(operation)")
        }
    }

    /// `text` matched literally inside a PCRE pattern.
    static func escapeRegex(_ text: String) -> String {
        var output = ""
        for character in text {
            if "\\^$.|?*+()[]{}/".contains(character) { output.append("\\") }
            output.append(character)
        }
        return output
    }
}

extension String {
    /// Budibase's search bodies may prefix a column with its position (`1:name`).
    fileprivate var droppingNumericPrefix: String {
        guard let colon = firstIndex(of: ":"), self[..<colon].allSatisfy(\.isNumber), colon != startIndex else { return self }
        return String(self[index(after: colon)...])
    }
}
