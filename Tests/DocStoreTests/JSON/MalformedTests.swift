import Testing
import DocStore

@Suite struct MalformedTests {
    static let badInputs: [String] = [
        "", " ", "\n\t", "nul", "tru", "fals", "nulll", "True", "NULL", "NaN", "Infinity", "-Infinity",
        "+1", ".5", "1.", "01", "-01", "-", "1e", "1e+", "1.e5", "0x10", "1.5e", "[.5]", "- 1",
        "[1,]", "[1 2]", "[,1]", "[", "]", "[1]]", "[\"a\":1]",
        "{", "}", "{,}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":}", "{\"a\":1 \"b\":2}",
        "{\"a\"}", "{1:2}", "{}x", "1 2", "\"a\" \"b\"",
        "\"abc", "\"\\", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\U0041\"", "\"tab\there\"", "\"nl\nhere\"",
        "\u{0C}1", "\u{A0}1", "/*c*/1", "'a'", "[1]\u{00}",
    ]

    @Test func badInputTableThrows() {
        for text in Self.badInputs {
            #expect(throws: JSONError.self, "input: \(text.debugDescription)") { try JSON.parse(text) }
        }
    }

    func error(_ text: String) -> JSONError? {
        do {
            _ = try JSON.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func messagesAndOffsets() {
        #expect(error("") == JSONError(message: "unexpected end of input", offset: 0))
        #expect(error("[1,x]") == JSONError(message: "unexpected character 'x'", offset: 3))
        #expect(error("01") == JSONError(message: "invalid number", offset: 1))
        #expect(error("[1.]") == JSONError(message: "invalid number", offset: 3))
        #expect(error("-") == JSONError(message: "invalid number", offset: 1))
        #expect(error("1 2") == JSONError(message: "trailing characters", offset: 2))
        #expect(error("  \"abc") == JSONError(message: "unterminated string", offset: 2))
        #expect(error("\"a\u{01}\"") == JSONError(message: "unescaped control character in string", offset: 2))
        #expect(error("\"\\q\"") == JSONError(message: "invalid escape", offset: 1))
        #expect(error("[1,") == JSONError(message: "unexpected end of input", offset: 3))
        #expect(error("tru") == JSONError(message: "invalid literal", offset: 0))
        #expect(error("\u{A0}") == JSONError(message: "unexpected byte 0xC2", offset: 0))
        #expect(error("[1]]")?.description == "trailing characters at byte 3")
    }

    @Test func nestingBeyondMaxDepthThrows() throws {
        let depth = 100_000
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(error(arrays)?.message == "nesting too deep")
        let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(error(objects)?.message == "nesting too deep")
        let unterminated = String(repeating: "[", count: depth)
        #expect(error(unterminated)?.message == "nesting too deep")
    }

    @Test func nestingAtExactlyMaxDepthParses() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSON.parse(ok).serializedString == ok)
        let tooDeep = "[" + ok + "]"
        #expect(throws: JSONError.self) { try JSON.parse(tooDeep) }
        #expect(throws: JSONError.self) { try JSON.parse("[]", maxDepth: 0) }
        #expect(try JSON.parse("1", maxDepth: 0) == 1)
        #expect(try JSON.parse("[[1]]", maxDepth: 2) == [[1]])
        #expect(throws: JSONError.self) { try JSON.parse("[[{}]]", maxDepth: 2) }
    }

    @Test func truncatedPrefixesOfAValidDocumentNeverCrash() {
        let text = #"{"a":[1,-2.5e3,"x\u00e9\ud83d\ude00",true,false,null,{"b":{}}],"c":"d"}"#
        let bytes = Array(text.utf8)
        #expect(throws: Never.self) { try JSON.parse(bytes) }
        for n in 0..<bytes.count {
            #expect(throws: JSONError.self) { try JSON.parse(Array(bytes[0..<n])) }
        }
    }
}
