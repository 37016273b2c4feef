import JavaScript

/// One revision of a design document, loaded into its own JavaScript context for its
/// `validate_doc_update` and `filters` (the sandbox of `JavaScriptContext`: no I/O,
/// nothing shared with other design documents, a CPU time limit per call).
///
/// Threading: any task may call; calls into one program are serialised by its context,
/// so a slow function delays only the writes and feeds of its own database.
final class DesignProgram: Sendable {
    let id: String
    let revision: Revision
    /// Whether the design document declares `validate_doc_update`.
    let validates: Bool
    private let context: JavaScriptContext

    /// Loads the design document (its functions compile on first use).
    /// - Throws: `os_process_error` when the runtime cannot be set up.
    init(id: String, revision: Revision, body: JSONObject, timeLimit: Double) throws(DocStoreError) {
        self.id = id
        self.revision = revision
        validates = body["validate_doc_update"] != nil
        context = JavaScriptContext(timeLimit: timeLimit)
        var ddoc = body
        ddoc["_id"] = .string(id)
        ddoc["_rev"] = .string(revision.description)
        do {
            try context.evaluate(ViewRuntime.source, sourceName: "views.js")
            try context.evaluate(DesignRuntime.source, sourceName: "design.js")
            _ = try context.call("__divanDesignSetup", jsonArguments: [JSON.object(ddoc).serializedString])
        } catch {
            throw DocStoreError(.javaScriptFailure, "design document \(id): \(error.message)")
        }
    }

    /// Runs `validate_doc_update(newDoc, oldDoc, userCtx, secObj)` (all JSON texts).
    /// - Throws: `forbidden` or `unauthorized` for `throw({forbidden|unauthorized: msg})`,
    ///   `unknown_error` for anything else thrown, `os_process_error` for an engine
    ///   error or the time limit, `compilation_error` for a function that does not compile.
    func validate(newDocument: String, oldDocument: String, userContext: String, security: String) throws(DocStoreError) {
        let answer = try run("__divanValidate", [newDocument, oldDocument, userContext, security])
        switch answer {
        case .ok: return
        case .thrown(let value):
            if case .object(let object) = value, object.count == 1, let (key, message) = object.first {
                let reason = message.stringValue ?? message.serializedString
                switch key {
                case "forbidden": throw DocStoreError(.forbidden, reason)
                case "unauthorized": throw DocStoreError(.unauthorized, reason)
                default: throw DocStoreError(.unknownError, reason)
                }
            }
            throw DocStoreError(.unknownError, value.stringValue ?? value.serializedString)
        case .error(let error): throw error
        }
    }

    /// Runs filter `name` over documents (JSON texts) with CouchDB's request object.
    /// - Returns: per document, whether it passes.
    /// - Throws: `not_found` ("missing json key: name"), `compilation_error`,
    ///   `os_process_error` when the function throws or runs past the time limit.
    func filter(_ name: String, documents: [String], request: String) throws(DocStoreError) -> [Bool] {
        let list = "[" + documents.joined(separator: ",") + "]"
        switch try run("__divanFilter", [JSON.string(name).serializedString, list, request]) {
        case .ok(let value): return (value.arrayValue ?? []).map { $0.boolValue ?? false }
        case .thrown(let value): throw DocStoreError(.javaScriptFailure, value.stringValue ?? value.serializedString)
        case .error(let error): throw error
        }
    }

    private enum Answer {
        case ok(JSON)
        case thrown(JSON)
        case error(DocStoreError)
    }

    private func run(_ entry: String, _ arguments: [String]) throws(DocStoreError) -> Answer {
        let text: String?
        do {
            text = try context.call(entry, jsonArguments: arguments)
        } catch {
            switch error.code {
            case .timeout: throw DocStoreError(.javaScriptFailure, "timeout: \(error.message)")
            default: throw DocStoreError(.javaScriptFailure, error.message)
            }
        }
        guard let text, case .array(let parts)? = try? JSON.parse(text), let kind = parts.first?.stringValue, parts.count >= 2 else {
            throw DocStoreError(.javaScriptFailure, "design function answered \(text ?? "nothing")")
        }
        switch kind {
        case "ok": return .ok(parts[1])
        case "thrown": return .thrown(parts[1])
        default:
            let name = parts[1].stringValue ?? "error"
            let reason = parts.count > 2 ? parts[2].stringValue ?? "" : ""
            switch name {
            case "not_found": return .error(DocStoreError(.notFound, reason))
            case "compilation_error": return .error(DocStoreError(.functionCompilationError, reason))
            default: return .error(DocStoreError(.javaScriptFailure, "\(name): \(reason)"))
            }
        }
    }
}
