import Testing
import DocStore

/// Parses `text` and checks that compact serialization reproduces `expected` (default: `text`).
func roundTrip(_ text: String, _ expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let value = try JSON.parse(text)
        #expect(value.serializedString == (expected ?? text), sourceLocation: sourceLocation)
        let again = try JSON.parse(value.serialized())
        #expect(again == value, sourceLocation: sourceLocation)
    } catch {
        Issue.record("parse failed for \(text): \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct RoundTripTests {
    @Test func scalars() {
        roundTrip("null")
        roundTrip("true")
        roundTrip("false")
        roundTrip("0")
        roundTrip("-0")
        roundTrip("\"\"")
        roundTrip("\"hello\"")
        roundTrip("[]")
        roundTrip("{}")
    }

    @Test func objectKeyOrderIsKept() throws {
        let text = #"{"z":1,"a":2,"m":{"y":true,"b":null},"_id":"x"}"#
        roundTrip(text)
        let value = try JSON.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "m", "_id"])
        #expect(value["m"]?.objectValue?.keys == ["y", "b"])
    }

    @Test func whitespaceIsDropped() {
        roundTrip(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\n ", #"{"a":[1,2],"b":{}}"#)
    }

    @Test func numbersKeepTheirText() throws {
        for text in ["9223372036854775807", "-9223372036854775808", "18446744073709551616",
                     "3.141592653589793238462643383279", "1e400", "-1E-400", "1.5e+10", "0.000001",
                     "12345678901234567890123456789", "1E2", "-0.0", "2.50"] {
            roundTrip(text)
            roundTrip("[\(text)]")
            let n = try #require(JSON.parse(text).numberValue)
            #expect(n.text == text)
        }
        #expect(try JSON.parse("9223372036854775807").int64Value == .max)
        #expect(try JSON.parse("-9223372036854775808").int64Value == .min)
        #expect(try JSON.parse("9223372036854775808").int64Value == nil)
        #expect(try JSON.parse("1e400").doubleValue == .infinity)
    }

    @Test func nestedDocument() {
        roundTrip(#"{"_id":"doc","_rev":"1-abc","tags":["a","b",{"c":[[],[{}]]}],"n":-1.25e-3,"ok":false,"nil":null}"#)
    }

    @Test func literalsBuildValues() {
        let v: JSON = ["a": 1, "b": [true, nil, 2.5, "s"], "c": ["d": 3.0]]
        #expect(v.serializedString == #"{"a":1,"b":[true,null,2.5,"s"],"c":{"d":3.0}}"#)
        #expect(v["b"]?[2]?.doubleValue == 2.5)
        #expect(v["b"]?[4] == nil)
        #expect(v["b"]?[-1] == nil)
        #expect(v["a"]?["x"] == nil)
        #expect(v["b"]?[1]?.isNull == true)
        #expect(v["b"]?[0]?.boolValue == true)
        #expect(v["b"]?[3]?.stringValue == "s")
        #expect(v["c"]?.objectValue?.count == 1)
        #expect(v["b"]?.arrayValue?.count == 4)
    }

    @Test func parseEntryPointsAgree() throws {
        let text = #"{"k":["v",1]}"#
        let a = try JSON.parse(text)
        let b = try JSON.parse(Array(text.utf8))
        let c = try Array(text.utf8).withUnsafeBytes { raw throws(JSONError) in try JSON.parse(raw) }
        #expect(a == b && b == c)
    }

    @Test func serializeAppendsToBuffer() throws {
        var buffer = Array("prefix:".utf8)
        JSON.array([1, "x"]).serialize(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:[1,"x"]"#)
    }
}
