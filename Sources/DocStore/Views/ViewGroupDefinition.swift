import Crypto
import JavaScript

/// The JavaScript views one design document declares, as one unit of indexing (CouchDB's
/// `#mrst`): all its views are built together from the same pass over the changes.
///
/// The `signature` covers only what changes the rows (the functions, `views.lib`, the
/// options): editing other fields of the design document keeps the index, and two design
/// documents with the same views share one.
struct ViewGroupDefinition: Sendable, Equatable {
    struct View: Sendable, Equatable {
        let name: String
        let map: String
        /// JavaScript source or a built-in name (`_count`, `_sum`, ...).
        let reduce: String?
    }

    /// Sorted by name.
    let views: [View]
    /// `views.lib`, for `require` (nil when absent).
    let library: JSON?
    /// `options.include_design`: map design documents too.
    let includeDesign: Bool
    /// `options.local_seq`: documents carry `_local_seq`.
    let localSequence: Bool
    /// `options.partitioned` (default: the database's): rows are kept by partition and
    /// every query names one.
    let partitioned: Bool
    /// Hex MD5 over everything above.
    let signature: String

    static let builtInReduces: Set<String> = ["_count", "_sum", "_stats", "_approx_count_distinct"]

    /// The views of a design document body; nil when it declares none in JavaScript
    /// (Mango's `language: "query"` indexes are not views here).
    /// - Throws: `invalid_design_doc` with CouchDB's reasons for malformed fields.
    static func parse(_ body: JSONObject, partitionedDatabase: Bool = false) throws(DocStoreError) -> ViewGroupDefinition? {
        let language = body["language"]?.stringValue ?? "javascript"
        guard let viewsField = body["views"] else { return nil }
        guard case .object(let declared) = viewsField else { throw invalid("`views` field must have object type") }
        if let options = body["options"], options.objectValue == nil { throw invalid("`options` field must have object type") }
        guard language == "javascript" else { return nil }
        var views: [View] = []
        var library: JSON?
        for (name, value) in declared {
            if name == "lib" {
                library = value
                continue
            }
            guard case .object(let fields) = value else { throw invalid("`views.\(name)` field must have object type") }
            guard let mapField = fields["map"] else { throw invalid("View `\(name)` must contain map function") }
            guard let map = mapField.stringValue else { throw invalid("`views.\(name).map` field must have string type") }
            var reduce: String?
            if let reduceField = fields["reduce"] {
                guard let text = reduceField.stringValue else { throw invalid("`views.\(name).reduce` field must have string type") }
                if text.hasPrefix("_"), !builtInReduces.contains(text) { throw invalid("`\(text)` is not a supported reduce function.") }
                reduce = text
            }
            views.append(View(name: name, map: map, reduce: reduce))
        }
        guard !views.isEmpty else { return nil }
        views.sort { $0.name < $1.name }
        let options = body["options"]?.objectValue ?? [:]
        let includeDesign = options["include_design"]?.boolValue ?? false
        let localSequence = options["local_seq"]?.boolValue ?? false
        let partitioned = options["partitioned"]?.boolValue ?? partitionedDatabase
        var described: JSONObject = [
            "views": .array(views.map { [.string($0.name), .string($0.map), $0.reduce.map(JSON.string) ?? .null] }),
            "lib": library ?? .null, "include_design": .bool(includeDesign), "local_seq": .bool(localSequence),
        ]
        // Only when set, so that the signatures of existing indexes stay as they were.
        if partitioned { described["partitioned"] = true }
        let digest = Insecure.MD5.hash(data: JSON.object(described).serialized())
        let signature = digest.map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
        return ViewGroupDefinition(
            views: views, library: library, includeDesign: includeDesign, localSequence: localSequence, partitioned: partitioned,
            signature: signature)
    }

    /// Checks a design document about to be written: fields well formed and every
    /// function compiles (CouchDB refuses the write otherwise).
    /// - Throws: `invalid_design_doc` or `compilation_error`.
    static func validate(_ body: JSONObject) throws(DocStoreError) {
        guard let definition = try parse(body) else { return }
        _ = try ViewProgram(definition, timeLimit: 5)
    }

    static func invalid(_ reason: String) -> DocStoreError { DocStoreError(.invalidDesignDocument, reason) }
}
