/// A Mango JSON index as a design document declares it (`language: "query"`):
///
///     "views": {"by-status": {"map": {"fields": {"status": "asc"}, "partial_filter_selector": {}},
///                             "reduce": "_count", "options": {"def": {"fields": ["status"]}}}}
///
/// plus where Divan keeps it: its number (the prefix of its keys in the `mango` table)
/// and, while it is being built over existing documents, the last document id done.
struct MangoIndex: Sendable {
    /// The prefix of this index's keys; never reused within a database.
    var number: UInt32
    /// `_design/...`.
    var designDocument: String
    var name: String
    /// The indexed fields in order, as written in the definition (dotted paths).
    var fields: [String]
    /// `fields`, parsed.
    var paths: [[String]]
    /// The view's `map` object as stored (`fields` and `partial_filter_selector`).
    var map: JSONObject
    var partialFilter: Selector?
    /// nil once built; during the build, the last document id indexed (empty: none yet).
    var progress: [UInt8]?
    /// A partitioned index (in a partitioned database, unless its design document says
    /// `options.partitioned: false`) serves only queries of one partition: its rows lead
    /// with the document's partition, so each partition's rows are one key range.
    var partitioned = false

    /// The number of values in each row key: the fields, after the partition if any.
    var keyWidth: Int { fields.count + (partitioned ? 1 : 0) }

    var isReady: Bool { progress == nil }

    /// Whether writes to `id` must update this index now: once it is built, or for ids
    /// the build has passed (the build takes the rest when it gets there).
    func covers(id: [UInt8]) -> Bool {
        guard let progress else { return true }
        return !progress.isEmpty && !progress.lexicographicallyPrecedes(id)
    }

    /// The indexed values of a document (with `_id` and `_rev`), or nil when it is not in
    /// the index: a field is missing, or the partial filter rejects it.
    func values(of document: JSON) -> [JSON]? {
        var values: [JSON] = []
        values.reserveCapacity(paths.count + 1)
        if partitioned {
            guard case .string(let id)? = document["_id"], !id.hasPrefix("_"), let partition = Partition.of(id) else { return nil }
            values.append(.string(String(partition)))
        }
        for path in paths {
            guard case .found(let value) = FieldPath.lookup(path, in: document) else { return nil }
            values.append(value)
        }
        if let partialFilter, !partialFilter.matches(document) { return nil }
        return values
    }

    /// `GET /db/_index`'s entry (`mango_idx:to_json/1`).
    var json: JSON {
        var def = JSONObject()
        for (key, value) in map {
            if key == "fields" {
                def["fields"] = .array(Self.sortList(value))
            } else if key == "partial_filter_selector", value.objectValue?.isEmpty == true {
                continue
            } else {
                def[key] = value
            }
        }
        return ["ddoc": .string(designDocument), "name": .string(name), "type": "json", "partitioned": .bool(partitioned), "def": .object(def)]
    }

    /// `{"a": "asc", "b": "asc"}` as `[{"a": "asc"}, {"b": "asc"}]`.
    static func sortList(_ fields: JSON) -> [JSON] {
        (fields.objectValue ?? JSONObject()).map { .object(JSONObject([($0.key, $0.value)])) }
    }

    /// The JSON indexes a design document declares; views CouchDB would reject as
    /// invalid are skipped, as CouchDB skips them (`mango_idx_view:validate_ddoc/1`).
    static func declared(in body: JSONObject, designDocument: String, partitionedDatabase: Bool) -> [MangoIndex] {
        guard body["language"]?.stringValue == "query", let views = body["views"]?.objectValue else { return [] }
        // mango_idx:get_idx_partitioned/2: the design document's option, else the database's.
        let partitioned = body["options"]?["partitioned"]?.boolValue ?? partitionedDatabase
        var indexes: [MangoIndex] = []
        for (name, view) in views {
            guard let view = view.objectValue, let map = view["map"]?.objectValue, view["options"]?.objectValue != nil,
                let fieldObject = map["fields"]?.objectValue
            else { continue }
            var fields: [String] = []
            var paths: [[String]] = []
            var valid = true
            for (field, direction) in fieldObject {
                guard direction.stringValue == "asc" || direction.stringValue == "desc", let path = try? FieldPath.parse(field) else {
                    valid = false
                    break
                }
                fields.append(field)
                paths.append(path)
            }
            var partial: Selector?
            if let selector = map["partial_filter_selector"], selector.objectValue?.isEmpty != true {
                guard let parsed = try? Selector(selector) else { continue }
                partial = parsed
            }
            guard valid else { continue }
            indexes.append(MangoIndex(
                number: 0, designDocument: designDocument, name: name, fields: fields, paths: paths, map: map,
                partialFilter: partial, progress: nil, partitioned: partitioned))
        }
        return indexes
    }

    /// Whether two declarations index the same thing (a design document rewritten with
    /// the same view keeps its entries).
    func sameDefinition(_ other: MangoIndex) -> Bool {
        designDocument == other.designDocument && name == other.name && partitioned == other.partitioned
            && JSON.object(map) == JSON.object(other.map)
    }
}
