import DocStore
import Foundation

/// A table's `schema` checked: its columns, their types and constraints, and what
/// validating and normalising a row against them means (Budibase's field types and
/// validate.js messages).
struct TableSchema: Sendable {
    enum FieldType: String, Sendable, CaseIterable {
        case string, longform, options, number, boolean, datetime, array, json, attachment
        case attachmentSingle = "attachment_single"
        case link, auto, formula, bigint, barcodeqr
    }

    /// What an automatic column holds.
    enum AutoKind: String, Sendable {
        case autoID, createdAt, updatedAt, createdBy, updatedBy
    }

    /// How many rows each side of a relationship links to.
    enum Relationship: String, Sendable {
        /// This row links to many rows; each of those links back to this one only.
        case oneToMany = "one-to-many"
        /// This row links to one row, which may link back to many.
        case manyToOne = "many-to-one"
        case manyToMany = "many-to-many"

        /// The relationship as the other table's column sees it.
        var inverse: Relationship {
            switch self {
            case .oneToMany: .manyToOne
            case .manyToOne: .oneToMany
            case .manyToMany: .manyToMany
            }
        }
    }

    /// A `link` column's other side: the related table and its column that links back.
    struct Link: Sendable, Equatable {
        let table: String
        let field: String
        let relationship: Relationship
    }

    struct Column: Sendable {
        let name: String
        let type: FieldType
        let auto: AutoKind?
        let required: Bool
        let maximumLength: Int?
        let minimum: Double?
        let maximum: Double?
        /// Allowed values of `options` and `array` columns.
        let inclusion: [String]?
        /// The other side of a `link` column.
        let link: Link?

        /// Columns a search may sort and filter by through an index: scalar values.
        var isIndexed: Bool {
            switch type {
            case .string, .options, .number, .boolean, .datetime, .bigint, .barcodeqr, .auto: true
            default: false
            }
        }
    }

    let columns: [Column]

    /// - Throws: 400 naming the column for an unknown type or a malformed constraint.
    init(_ schema: JSONObject) throws(AppError) {
        var columns: [Column] = []
        for (name, value) in schema {
            guard !name.isEmpty, !name.hasPrefix("_") else {
                throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["column names may not be empty or start with '_'"]])
            }
            guard let definition = value.objectValue else {
                throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["must be an object"]])
            }
            guard let typeName = definition["type"]?.stringValue, let type = FieldType(rawValue: typeName) else {
                throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["type must be one of " + FieldType.allCases.map(\.rawValue).joined(separator: ", ")]])
            }
            let constraints = definition["constraints"]?.objectValue ?? [:]
            var auto: AutoKind?
            if type == .auto || definition["autocolumn"]?.boolValue == true {
                guard let kind = definition["subtype"]?.stringValue.flatMap(AutoKind.init) else {
                    throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["an automatic column needs a subtype: autoID, createdAt, updatedAt, createdBy or updatedBy"]])
                }
                auto = kind
            }
            let presence = constraints["presence"]
            let required = presence?.boolValue ?? (presence?["allowEmpty"]?.boolValue == false)
            var link: Link?
            if type == .link {
                guard let table = definition["tableId"]?.stringValue, let field = definition["fieldName"]?.stringValue, !field.isEmpty else {
                    throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["a link column needs tableId and fieldName"]])
                }
                let kind = definition["relationshipType"]?.stringValue ?? Relationship.manyToMany.rawValue
                guard let relationship = Relationship(rawValue: kind) else {
                    throw AppError(.badRequest, "Invalid table schema", validationErrors: [name: ["relationshipType must be one-to-many, many-to-one or many-to-many"]])
                }
                link = Link(table: table, field: field, relationship: relationship)
            }
            columns.append(
                Column(
                    name: name, type: type, auto: auto, required: required && auto == nil,
                    maximumLength: constraints["length"]?["maximum"]?.int64Value.map(Int.init),
                    minimum: constraints["numericality"]?["greaterThanOrEqualTo"].flatMap(Self.number),
                    maximum: constraints["numericality"]?["lessThanOrEqualTo"].flatMap(Self.number),
                    inclusion: constraints["inclusion"]?.arrayValue?.compactMap(\.stringValue), link: link))
        }
        self.columns = columns
    }

    func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// Normalises a row's values in place (numbers from numeric strings, booleans from
    /// "true"/"false", empty strings of typed columns to null) and checks them.
    /// - Returns: messages per column; empty when the row is valid.
    func validate(_ row: inout JSONObject) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        for column in columns where column.auto == nil && column.type != .formula {
            var messages: [String] = []
            let value = Self.normalise(row[column.name], column.type)
            if let value { row[column.name] = value }
            let present: Bool
            switch value {
            case nil, .null?: present = false
            case .string(let text)?: present = !text.isEmpty
            case .array(let items)?: present = !items.isEmpty
            default: present = true
            }
            if column.required && !present { messages.append("can't be blank") }
            if present, let value { messages += check(value, column) }
            if !messages.isEmpty { errors[column.name] = messages }
        }
        return errors
    }

    private func check(_ value: JSON, _ column: Column) -> [String] {
        switch column.type {
        case .string, .longform, .barcodeqr:
            guard case .string(let text) = value else { return ["must be a string"] }
            if let maximum = column.maximumLength, text.count > maximum {
                return ["is too long (maximum is \(maximum) characters)"]
            }
        case .options:
            guard case .string(let text) = value else { return ["must be a string"] }
            if let allowed = column.inclusion, !allowed.contains(text) { return ["is not included in the list"] }
        case .number, .bigint:
            guard let number = value.doubleValue else { return ["is not a number"] }
            if let minimum = column.minimum, number < minimum { return ["must be greater than or equal to \(Self.format(minimum))"] }
            if let maximum = column.maximum, number > maximum { return ["must be less than or equal to \(Self.format(maximum))"] }
        case .boolean:
            guard case .bool = value else { return ["must be a boolean"] }
        case .datetime:
            guard case .string(let text) = value, Self.isDate(text) else { return ["must be a valid date"] }
        case .array:
            guard case .array(let items) = value else { return ["must be an array"] }
            if let allowed = column.inclusion,
                items.contains(where: { $0.stringValue.map { !allowed.contains($0) } ?? true })
            {
                return ["is not included in the list"]
            }
        case .json:
            break
        case .attachment:
            guard case .array(let items) = value, items.allSatisfy({ $0.objectValue != nil }) else { return ["must be an array of attachments"] }
        case .attachmentSingle:
            guard value.objectValue != nil else { return ["must be an attachment"] }
        case .link:
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else { return ["must be a list of row ids"] }
            if column.link?.relationship == .manyToOne, items.count > 1 { return ["must link to at most one row"] }
        case .auto, .formula:
            break
        }
        return []
    }

    /// The value as stored: what Budibase's input processing makes of what clients send.
    private static func normalise(_ value: JSON?, _ type: FieldType) -> JSON? {
        guard let value else { return nil }
        switch (type, value) {
        case (.number, .string(let text)), (.bigint, .string(let text)):
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return .null }
            if let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite {
                if number == number.rounded() && abs(number) < 1e15 { return .number(JSONNumber(Int64(number))) }
                return JSONNumber(number).map(JSON.number) ?? value
            }
            return value
        case (.boolean, .string(let text)):
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "": return .null
            default: return value
            }
        case (.datetime, .string(let text)) where text.isEmpty: return .null
        case (.options, .string(let text)) where text.isEmpty: return .null
        case (.link, .array(let items)):
            // Related rows may be given as ids or as objects with an `_id`.
            return .array(items.map { $0["_id"] ?? $0 })
        case (.link, .string(let id)): return .array([.string(id)])
        default: return value
        }
    }

    static func isDate(_ text: String) -> Bool {
        if (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) != nil { return true }
        if (try? Date.ISO8601FormatStyle().parse(text)) != nil { return true }
        // A bare date (`2024-01-31`), as date-only columns hold.
        return (try? Date.ISO8601FormatStyle().year().month().day().parse(text)) != nil
    }

    private static func number(_ value: JSON) -> Double? {
        if let number = value.doubleValue { return number }
        return value.stringValue.flatMap(Double.init)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
