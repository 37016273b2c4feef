import JavaScript

/// One design document's view functions, compiled in their own JavaScript context
/// (`JavaScriptContext`: no I/O, nothing shared with other design documents, a CPU
/// time limit per call).
///
/// Threading: any task may call; calls into one program are serialised by its context.
final class ViewProgram: Sendable {
    let definition: ViewGroupDefinition
    private let context: JavaScriptContext

    /// Compiles every function of `definition`.
    /// - Throws: `compilation_error` naming the function that does not compile, with
    ///   CouchDB's reason text ("Compilation of the map function in the 'v' view failed: …").
    init(_ definition: ViewGroupDefinition, timeLimit: Double) throws(DocStoreError) {
        self.definition = definition
        context = JavaScriptContext(timeLimit: timeLimit)
        let setup: JSON = [
            "maps": .array(definition.views.map { .string($0.map) }),
            "reduces": .array(definition.views.map { view in
                view.reduce.flatMap { ViewGroupDefinition.builtInReduces.contains($0) ? nil : JSON.string($0) } ?? .null
            }),
            "lib": definition.library ?? .null,
        ]
        let failure: JSON
        do {
            try context.evaluate(ViewRuntime.source, sourceName: "views.js")
            failure = try Self.parse(try context.call("__divanSetup", jsonArguments: [setup.serializedString]))
        } catch {
            throw Self.failure(error)
        }
        if case .array(let parts) = failure, parts.count == 3, let kind = parts[0].stringValue, let index = parts[1].int64Value,
            let message = parts[2].stringValue
        {
            let name = definition.views[Int(index)].name
            throw DocStoreError(.compilationError, "Compilation of the \(kind) function in the '\(name)' view failed: \(message)")
        }
    }

    /// Runs every map function over one document (JSON text with `_id` and `_rev`).
    /// - Returns: per view (in `definition.views` order) the emitted key/value pairs; and
    ///   the lines the functions logged, including one per function that threw (that
    ///   function then emits nothing for the document, as in CouchDB).
    /// - Throws: `os_process_error` when a function ran past the time limit.
    func map(_ document: String) throws(DocStoreError) -> (rows: [[(key: JSON, value: JSON)]], log: [String]) {
        let answer: JSON
        do {
            answer = try Self.parse(try context.call("__divanMap", jsonArguments: [document]))
        } catch {
            throw Self.failure(error)
        }
        guard case .array(let parts) = answer, parts.count == 2, case .array(let perView) = parts[0] else {
            throw DocStoreError(.javaScriptFailure, "map answered \(answer)")
        }
        let rows = perView.map { emitted in
            (emitted.arrayValue ?? []).compactMap { pair -> (key: JSON, value: JSON)? in
                guard case .array(let kv) = pair, kv.count == 2 else { return nil }
                return (kv[0], kv[1])
            }
        }
        return (rows, (parts[1].arrayValue ?? []).compactMap(\.stringValue))
    }

    /// Runs view `index`'s JavaScript reduce function: `keys` are `[key, id]` pairs
    /// (nil on rereduce).
    /// - Throws: `os_process_error` when it throws or runs past the time limit.
    func reduce(_ index: Int, keys: [JSON]?, values: [JSON], rereduce: Bool) throws(DocStoreError) -> JSON {
        let answer: JSON
        do {
            let arguments = [String(index), keys.map { JSON.array($0).serializedString } ?? "null", JSON.array(values).serializedString, rereduce ? "true" : "false"]
            answer = try Self.parse(try context.call("__divanReduce", jsonArguments: arguments))
        } catch {
            throw Self.failure(error)
        }
        guard case .array(let parts) = answer, parts.count == 2 else { return .null }
        return parts[0]
    }

    private static func parse(_ text: String?) throws(DocStoreError) -> JSON {
        guard let text else { return .null }
        do {
            return try JSON.parse(text)
        } catch {
            throw DocStoreError(.javaScriptFailure, "a view function answered something that is not JSON")
        }
    }

    private static func failure(_ error: any Error) -> DocStoreError {
        if let error = error as? DocStoreError { return error }
        guard let error = error as? JavaScriptError else { return DocStoreError(.javaScriptFailure, "\(error)") }
        switch error.code {
        case .timeout: return DocStoreError(.javaScriptFailure, "timeout: \(error.message)")
        case .compilation: return DocStoreError(.compilationError, error.message)
        case .exception, .conversion: return DocStoreError(.javaScriptFailure, error.message)
        }
    }
}
