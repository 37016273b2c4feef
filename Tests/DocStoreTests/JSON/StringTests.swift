import Testing
import DocStore

@Suite struct StringTests {
    @Test func everyEscapeDecodes() throws {
        let v = try JSON.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d""#)
        #expect(v.stringValue == "\"\\/\u{08}\u{0C}\n\r\tAé中")
    }

    @Test func serializationEscapes() {
        #expect(JSON.string("a\"b\\c/d").serializedString == #""a\"b\\c/d""#)
        #expect(JSON.string("\n\r\t\u{08}\u{0C}").serializedString == #""\n\r\t\b\f""#)
        #expect(JSON.string("\u{00}\u{01}\u{1F}\u{7F}").serializedString == "\"\\u0000\\u0001\\u001f\u{7F}\"")
        #expect(JSON.string("é中😀").serializedString == "\"é中😀\"")
        #expect(JSON.string("\u{2028}").serializedString == "\"\u{2028}\"")
        // Long strings exercise the 8-byte scanning path, with escapes in every lane.
        for k in 0..<20 {
            let s = String(repeating: "x", count: k) + "\"" + String(repeating: "y", count: 20 - k) + "\n"
            let expected = "\"" + String(repeating: "x", count: k) + "\\\"" + String(repeating: "y", count: 20 - k) + "\\n\""
            #expect(JSON.string(s).serializedString == expected)
        }
    }

    @Test func shortStringsEscapeEveryPosition() throws {
        for length in 1...17 {
            for position in 0..<length {
                for special in ["\"", "\\", "\n", "\u{01}"] {
                    var chars = Array(repeating: "x", count: length)
                    chars[position] = special
                    let s = chars.joined()
                    let value = JSON.string(s)
                    #expect(try JSON.parse(value.serialized()) == value, "\(s.debugDescription)")
                    var helper: [UInt8] = []
                    serializedStringLiteral(s, into: &helper)
                    #expect(helper == value.serialized())
                }
            }
        }
    }

    @Test func freeHelperWritesQuotedLiteral() {
        var out: [UInt8] = []
        serializedStringLiteral("a\tb", into: &out)
        #expect(out == Array(#""a\tb""#.utf8))
    }

    @Test func surrogatePairs() throws {
        #expect(try JSON.parse(#""\ud83d\ude00""#).stringValue == "😀")
        #expect(try JSON.parse(#""\uD834\uDD1E!""#).stringValue == "𝄞!")
    }

    @Test func loneSurrogatesBecomeReplacementCharacter() throws {
        #expect(try JSON.parse(#""\ud800""#).stringValue == "\u{FFFD}")
        #expect(try JSON.parse(#""\udc00x""#).stringValue == "\u{FFFD}x")
        #expect(try JSON.parse(#""\ud800\u0041""#).stringValue == "\u{FFFD}A")
        #expect(try JSON.parse(#""\ud800\ud800\udc00""#).stringValue == "\u{FFFD}𐀀")
        #expect(try JSON.parse(#""a\ud800""#).stringValue == "a\u{FFFD}")
    }

    @Test func rawUnicodeRoundTrips() {
        roundTrip("\"héllo wörld — 日本語 😀\"")
        roundTrip("{\"ключ\":\"значение\",\"键\":[\"值\"]}")
    }

    @Test func escapedKeysAreDeduplicatedAgainstRawKeys() throws {
        let v = try JSON.parse(#"{"a":1,"\u0061":2}"#)
        #expect(v.serializedString == #"{"a":2}"#)
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],                    // invalid byte
        [0x22, 0xC3, 0x22],                    // truncated 2-byte sequence
        [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // > U+10FFFF
        [0x22, 0x80, 0x22],                    // stray continuation
        [0x22, 0x61, 0x5C, 0x6E, 0xE2, 0x82, 0x22],  // truncated after an escape (slow path)
        [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // invalid key
    ] as [[UInt8]])
    func invalidUTF8IsRejected(bytes: [UInt8]) {
        #expect(throws: JSONError.self) { try JSON.parse(bytes) }
        do {
            _ = try JSON.parse(bytes)
        } catch {
            #expect(error.message == "invalid UTF-8")
        }
    }

    @Test func invalidUTF8OffsetPointsAtBadByte() {
        do {
            _ = try JSON.parse([0x22, 0x61, 0x62, 0xFF, 0x22])
            Issue.record("expected failure")
        } catch {
            #expect(error == JSONError(message: "invalid UTF-8", offset: 3))
        }
    }
}
