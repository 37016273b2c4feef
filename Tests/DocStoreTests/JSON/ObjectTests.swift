import Testing
import DocStore

@Suite struct ObjectTests {
    @Test func duplicateKeysLastValueWinsAtFirstPosition() throws {
        let v = try JSON.parse(#"{"a":1,"b":2,"a":3,"c":{"x":1},"b":[4]}"#)
        #expect(v.serializedString == #"{"a":3,"b":[4],"c":{"x":1}}"#)
        let nested = try JSON.parse(#"{"a":{"k":1},"a":{"k":2,"k":3}}"#)
        #expect(nested.serializedString == #"{"a":{"k":3}}"#)
    }

    @Test func duplicateKeysInLargeObjects() throws {
        var text = "{"
        for k in 0..<200 { text += "\"key\(k)\":\(k)," }
        text += "\"key7\":\"seven\",\"key150\":\"x\",\"new\":true}"
        let o = try #require(JSON.parse(text).objectValue)
        #expect(o.count == 201)
        #expect(o.keys[7] == "key7" && o["key7"] == "seven")
        #expect(o.keys[150] == "key150" && o["key150"] == "x")
        #expect(o.keys.last == "new")
    }

    @Test func keysWithSameFingerprintShapeStayDistinct() throws {
        let v = try JSON.parse(#"{"abcdefgh1xyzwvuts":1,"abcdefgh2xyzwvuts":2,"":3,"\u0000":4}"#)
        #expect(v.objectValue?.count == 4)
    }

    @Test func subscriptSetAndRemove() {
        var o: JSONObject = ["a": 1, "b": 2, "c": 3]
        o["b"] = "two"
        #expect(o.keys == ["a", "b", "c"] && o["b"] == "two")
        o["d"] = 4
        #expect(o.keys == ["a", "b", "c", "d"])
        o["a"] = nil
        #expect(o.keys == ["b", "c", "d"])
        o["zzz"] = nil
        #expect(o.count == 3)
        #expect(o.removeValue(forKey: "c") == 3)
        #expect(o.removeValue(forKey: "c") == nil)
        #expect(o.keys == ["b", "d"])
        #expect(o.values == ["two", 4])
        #expect(o.map(\.key) == ["b", "d"])
        #expect(o[0].key == "b" && o[1].value == 4)
    }

    @Test func initWithDuplicatePairs() {
        let o = JSONObject([("x", 1), ("y", 2), ("x", 3)])
        #expect(o.keys == ["x", "y"] && o["x"] == 3)
        #expect(JSONObject().isEmpty)
    }

    @Test func equalityIsOrderSensitive() {
        let a: JSONObject = ["a": 1, "b": 2]
        let b: JSONObject = ["b": 2, "a": 1]
        let c: JSONObject = ["a": 1, "b": 2.0]
        #expect(a != b)
        #expect(a == c)
        #expect(a.hashValue == c.hashValue)
        #expect(Set([JSON.object(a), .object(b), .object(c)]).count == 2)
    }
}

@Suite struct KeyCacheTests {
    /// Many objects sharing keys of every short length (0…20 bytes, with escapes and non-ASCII),
    /// so the parser's key cache warms up and serves hits, interleaved with duplicate keys.
    @Test func repeatedKeysAcrossManyObjects() throws {
        let keyNames = (0...20).map { String(repeating: "k", count: $0) } + ["é", "ключ", "日本語キー", "a\\\"b", "\\u0041"]
        let decoded = (0...20).map { String(repeating: "k", count: $0) } + ["é", "ключ", "日本語キー", "a\"b", "A"]
        var text = "["
        var expected: [JSON] = []
        for row in 0..<60 {
            if row > 0 { text += "," }
            text += "{"
            var pairs: [(String, JSON)] = []
            for (k, name) in keyNames.enumerated() {
                let index = (k + row) % keyNames.count
                text += (k > 0 ? "," : "") + "\"\(keyNames[index])\":\(row * 100 + k)"
                pairs.append((decoded[index], .number(JSONNumber(row * 100 + k))))
            }
            // A duplicate of one earlier key: last value wins at the first position.
            let dup = row % keyNames.count
            text += ",\"\(keyNames[dup])\":\"dup\(row)\"}"
            pairs.append((decoded[dup], .string("dup\(row)")))
            expected.append(.object(JSONObject(pairs)))
        }
        text += "]"
        let parsed = try JSON.parse(text)
        #expect(parsed == .array(expected))
        #expect(parsed.serializedString == JSON.array(expected).serializedString)
    }

    @Test func shortKeyAtEndOfInput() throws {
        #expect(try JSON.parse(#"{"ab":1}"#)["ab"] == 1)
        #expect(try JSON.parse(Array(#"{"":0,"":1}"#.utf8)).serializedString == #"{"":1}"#)
    }
}
