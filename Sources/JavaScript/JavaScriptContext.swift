import CJavaScriptCore
import Synchronization

/// One sandboxed JavaScript global environment (JavaScriptCore), the only door to the
/// engine: scripts go in as source text, values cross as JSON text, failures come out as
/// `JavaScriptError`.
///
/// Sandbox: each context has its own context group (its own heap and VM), so no global,
/// prototype or module is shared with another context; the global object holds only the
/// ECMAScript built-ins (JavaScriptCore's C API adds no I/O, timers or host objects), so
/// scripts can compute and nothing else. Every entry into the VM (`evaluate`, `call`) is
/// limited to `timeLimit` seconds of CPU time: a runaway script (`while(true){}`) is
/// terminated and the call throws `.timeout`; the context stays usable.
///
/// Threading: any thread may use a context; calls are serialised by a lock (a JSC
/// context is not reentrant across threads), so one busy context blocks only its callers.
/// Use one context per independent program to run them in parallel.
///
/// Rejected: values converted member by member through `JSObjectGetProperty` (many
/// crossings per document, where one `JSON.parse` inside the engine is faster); Duktape
/// (ES5 only: arrow functions in users' map functions would not compile).
public final class JavaScriptContext: @unchecked Sendable {
    private let group: JSContextGroupRef
    private let context: JSGlobalContextRef
    private let lock = Mutex(())
    private let watchdog: Watchdog
    /// CPU seconds allowed per call.
    public let timeLimit: Double

    /// Set by the watchdog callback when it stops a script, so the resulting exception
    /// can be told apart from a script's own.
    private final class Watchdog {
        let fired = Atomic<Bool>(false)
    }

    /// A fresh global environment. `timeLimit` is CPU seconds per call (CouchDB's
    /// `os_process_timeout`, 5 s by default).
    public init(timeLimit: Double = 5) {
        self.timeLimit = timeLimit
        group = JSContextGroupCreate()
        context = JSGlobalContextCreateInGroup(group, nil)
        watchdog = Watchdog()
        let opaque = Unmanaged.passUnretained(watchdog).toOpaque()
        JSContextGroupSetExecutionTimeLimit(group, timeLimit, { _, info in
            guard let info else { return true }
            Unmanaged<Watchdog>.fromOpaque(info).takeUnretainedValue().fired.store(true, ordering: .relaxed)
            return true
        }, opaque)
    }

    deinit {
        JSGlobalContextRelease(context)
        JSContextGroupRelease(group)
    }

    /// Runs `source` as a script (top-level declarations become globals).
    /// - Returns: the completion value as JSON text, nil when it is `undefined` or not
    ///   representable in JSON (a function, say).
    /// - Throws: `.compilation` for a syntax error, `.exception`, `.timeout`.
    @discardableResult
    public func evaluate(_ source: String, sourceName: String = "script") throws(JavaScriptError) -> String? {
        try lock.withLock { _ throws(JavaScriptError) -> String? in
            let script = JSStringCreateWithUTF8CString(source)
            let url = JSStringCreateWithUTF8CString(sourceName)
            defer {
                JSStringRelease(script)
                JSStringRelease(url)
            }
            var exception: JSValueRef?
            if !JSCheckScriptSyntax(context, script, url, 1, &exception) {
                throw JavaScriptError(.compilation, describe(exception))
            }
            watchdog.fired.store(false, ordering: .relaxed)
            let result = JSEvaluateScript(context, script, nil, url, 1, &exception)
            try check(exception)
            return json(result)
        }
    }

    /// Calls the global function `name` with arguments given as JSON texts (each parsed
    /// by the engine's own `JSON.parse`).
    /// - Returns: the result as JSON text; nil for `undefined` or a value JSON cannot hold.
    /// - Throws: `.exception` (also when `name` is not a function), `.timeout`,
    ///   `.conversion` for an argument that is not JSON.
    public func call(_ name: String, jsonArguments: [String]) throws(JavaScriptError) -> String? {
        try lock.withLock { _ throws(JavaScriptError) -> String? in
            let global = JSContextGetGlobalObject(context)
            let property = JSStringCreateWithUTF8CString(name)
            defer { JSStringRelease(property) }
            var exception: JSValueRef?
            let value = JSObjectGetProperty(context, global, property, &exception)
            try check(exception)
            guard let value, JSValueIsObject(context, value), let function = JSValueToObject(context, value, nil),
                JSObjectIsFunction(context, function)
            else { throw JavaScriptError(.exception, "ReferenceError: \(name) is not a function") }
            var arguments: [JSValueRef?] = []
            arguments.reserveCapacity(jsonArguments.count)
            for text in jsonArguments {
                let string = JSStringCreateWithUTF8CString(text)
                defer { JSStringRelease(string) }
                guard let argument = JSValueMakeFromJSONString(context, string) else {
                    throw JavaScriptError(.conversion, "argument is not JSON: \(text.prefix(80))")
                }
                // Kept alive across the call: arguments are on the stack the GC scans.
                arguments.append(argument)
            }
            watchdog.fired.store(false, ordering: .relaxed)
            let result = arguments.withUnsafeBufferPointer { buffer in
                JSObjectCallAsFunction(context, function, nil, buffer.count, buffer.baseAddress, &exception)
            }
            try check(exception)
            return json(result)
        }
    }

    /// Throws the pending exception, as a timeout when the watchdog stopped the script.
    private func check(_ exception: JSValueRef?) throws(JavaScriptError) {
        guard let exception else { return }
        if watchdog.fired.load(ordering: .relaxed) {
            throw JavaScriptError(.timeout, "the function ran longer than \(timeLimit) s of CPU time and was stopped")
        }
        throw JavaScriptError(.exception, describe(exception))
    }

    /// A value as JSON text (`JSON.stringify`), nil for `undefined` and functions.
    private func json(_ value: JSValueRef?) -> String? {
        guard let value, !JSValueIsUndefined(context, value) else { return nil }
        var exception: JSValueRef?
        guard let text = JSValueCreateJSONString(context, value, 0, &exception) else { return nil }
        defer { JSStringRelease(text) }
        return Self.string(text)
    }

    /// A thrown value as text: `String(value)` ("TypeError: x is not a function").
    private func describe(_ value: JSValueRef?) -> String {
        guard let value, let text = JSValueToStringCopy(context, value, nil) else { return "unknown error" }
        defer { JSStringRelease(text) }
        return Self.string(text)
    }

    private static func string(_ text: JSStringRef) -> String {
        let capacity = JSStringGetMaximumUTF8CStringSize(text)
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                // The count includes the terminating NUL.
                max(0, JSStringGetUTF8CString(text, chars.baseAddress, capacity) - 1)
            }
        }
    }
}
