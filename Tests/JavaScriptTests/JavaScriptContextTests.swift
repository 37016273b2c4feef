import Foundation
import JavaScript
import Testing

@Suite struct JavaScriptContextTests {
    @Test func valuesCrossAsJSON() throws {
        let context = JavaScriptContext()
        try context.evaluate("function echo(x) { return x; } function add(a, b) { return a + b; }")
        #expect(try context.call("echo", jsonArguments: [#"{"a":[1,2.5,"é",null,true]}"#]) == #"{"a":[1,2.5,"é",null,true]}"#)
        #expect(try context.call("add", jsonArguments: ["1", "2"]) == "3")
        #expect(try context.call("echo", jsonArguments: []) == nil)
        #expect(try context.evaluate("[1, 'two', {three: 3}]") == #"[1,"two",{"three":3}]"#)
        #expect(try context.evaluate("(function(){})") == nil)
    }

    @Test func modernSyntaxCompiles() throws {
        let context = JavaScriptContext()
        #expect(try context.evaluate("const f = (d) => `${d?.a ?? 'none'}`; f({})") == #""none""#)
    }

    @Test func syntaxErrorsAreCompilationErrors() {
        let context = JavaScriptContext()
        #expect(throws: JavaScriptError.self) { try context.evaluate("function (") }
        do {
            try context.evaluate("function (")
        } catch {
            #expect(error.code == .compilation)
        }
    }

    @Test func thrownValuesBecomeExceptions() throws {
        let context = JavaScriptContext()
        try context.evaluate("function boom() { throw new TypeError('no way'); }")
        do {
            _ = try context.call("boom", jsonArguments: [])
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .exception)
            #expect(error.message == "TypeError: no way")
        }
        do {
            _ = try context.call("missing", jsonArguments: [])
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .exception)
        }
        do {
            _ = try context.call("boom", jsonArguments: ["{not json"])
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .conversion)
        }
    }

    @Test func runawayLoopsAreStoppedAndTheContextStaysUsable() throws {
        let context = JavaScriptContext(timeLimit: 0.3)
        try context.evaluate("function spin() { while (true) {} } function ok() { return 1; }")
        let start = Date()
        do {
            _ = try context.call("spin", jsonArguments: [])
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .timeout)
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(try context.call("ok", jsonArguments: []) == "1")
        do {
            try context.evaluate("for(;;){}")
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == .timeout)
        }
    }

    @Test func contextsShareNoGlobals() throws {
        let a = JavaScriptContext()
        let b = JavaScriptContext()
        try a.evaluate("var shared = 1; Array.prototype.evil = 1; Object.prototype.polluted = 2;")
        #expect(try b.evaluate("typeof shared") == #""undefined""#)
        #expect(try b.evaluate("typeof [].evil") == #""undefined""#)
        #expect(try b.evaluate("({}).polluted === undefined") == "true")
    }

    @Test func noIOIsReachable() throws {
        let context = JavaScriptContext()
        #expect(try context.evaluate("[typeof require, typeof fetch, typeof XMLHttpRequest, typeof setTimeout, typeof print]")
            == #"["undefined","undefined","undefined","undefined","undefined"]"#)
    }

    @Test func callsFromManyThreadsAreSerialised() async throws {
        let context = JavaScriptContext()
        try context.evaluate("var n = 0; function inc() { n += 1; return n; }")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { for _ in 0..<200 { _ = try? context.call("inc", jsonArguments: []) } } }
        }
        #expect(try context.evaluate("n") == "1600")
    }
}
