import Testing
@testable import DocStore

/// View collation (`Collation`) and Erlang term order (`ErlangTermOrder`).
@Suite struct CollationTests {
    /// CouchDB's documented collation specification (docs "Views Collation", from
    /// view_collation.js), in ascending order.
    static let specification = [
        "null", "false", "true", "1", "2", "3.0", "4",
        #""a""#, #""A""#, #""aa""#, #""b""#, #""B""#, #""ba""#, #""bb""#,
        #"["a"]"#, #"["b"]"#, #"["b","c"]"#, #"["b","c","a"]"#, #"["b","d"]"#, #"["b","d","e"]"#,
        #"{"a":1}"#, #"{"a":2}"#, #"{"b":1}"#, #"{"b":2}"#, #"{"b":2,"a":1}"#, #"{"b":2,"c":2}"#,
    ]

    @Test func specificationOrder() throws {
        let values = try Self.specification.map(json)
        for i in values.indices {
            for j in values.indices {
                let c = Collation.compare(values[i], values[j])
                #expect(Collation.sign(c) == Collation.sign(i - j), "\(values[i]) vs \(values[j])")
            }
        }
        var shuffled = values
        shuffled.reverse()
        shuffled.swapAt(0, 7)
        shuffled.swapAt(3, 20)
        let sorted = shuffled.sorted { Collation.compare($0, $1) < 0 }
        #expect(sorted.map(\.description) == values.map(\.description))
    }

    /// The brief's mixed list, in CouchDB's actual order: lowercase sorts before uppercase.
    @Test func mixedValues() throws {
        let expected = try [#"null"#, "false", "true", "1", "2", #""a""#, #""b""#, #""B""#, "[1]", #"{"a":1}"#].map(json)
        let input = try [#""B""#, #"{"a":1}"#, "2", "true", #""a""#, "null", "[1]", "1", "false", #""b""#].map(json)
        let sorted = input.sorted { Collation.compare($0, $1) < 0 }
        #expect(sorted.map(\.description) == expected.map(\.description))
    }

    /// Printable ASCII in the order CouchDB 3.4.3 (ICU 72) gives it, as recorded in
    /// Tests/collation/couchdb-order.json. The CouchDB documentation's table ("Views Collation")
    /// is older: it puts `` ` `` and `^` right after the space.
    @Test func asciiSequence() {
        let recorded = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
            + "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ"
        let characters = recorded.map { String($0) }
        let sorted = characters.shuffled().sorted { StringCollation.compare($0, $1) < 0 }
        #expect(sorted == characters)
    }

    static let ascending: [[String]] = [
        ["abc", "Abc", "ABC", "abc1", "AbcZZZZZ"],  // documented key-range example
        ["a", "A", "aa", "AA", "ab"],
        ["resume", "Resume", "résumé", "Résumé", "resumes"],
        ["cote", "côte", "coter"], ["e", "é", "f"], ["Zoë", "zoo"], ["äx", "č", "z"],
        ["a b", "a-b", "a1", "ab"], ["", "\t", " ", "!", "0", "a"], ["1", "10", "2"],
        ["x", "x\u{301}", "x\u{300}"], ["α", "β", "а"],
    ]

    @Test(arguments: ascending)
    func stringOrder(_ strings: [String]) {
        for i in strings.indices.dropLast() {
            #expect(StringCollation.compare(strings[i], strings[i + 1]) < 0, "\(strings[i]) < \(strings[i + 1])")
            #expect(StringCollation.compare(strings[i + 1], strings[i]) > 0, "\(strings[i + 1]) > \(strings[i])")
        }
    }

    @Test func equality() throws {
        #expect(Collation.compare(try json("1"), try json("1.0")) == 0)
        #expect(Collation.compare(try json("1e2"), try json("100")) == 0)
        #expect(Collation.compare(try json("-0"), try json("0")) == 0)
        #expect(Collation.compare(try json(#""a""#), try json(#""A""#)) < 0)
        // Canonically equivalent strings, and ignorable control characters, collate equal.
        #expect(Collation.compare(try json(#""é""#), try json(#""e\u0301""#)) == 0)
        #expect(StringCollation.compare("a", "a\u{1}") == 0)
        #expect(StringCollation.compare("é", "f") < 0)
        #expect(Collation.compare(try json("[]"), try json("{}")) < 0)
        #expect(Collation.compare(try json("[1, 2]"), try json("[1, 2]")) == 0)
        #expect(Collation.compare(try json("9007199254740993"), try json("9007199254740992")) > 0)
        #expect(Collation.compare(try json("-1e400"), try json("-9223372036854775808")) < 0)
    }

    /// Numbers compare as Erlang compares jiffy's terms: integer literals exactly at any size,
    /// an integer against a double by exact value. Each case as CouchDB 3.4.3's `_find`
    /// answered it (`{"n": {"$gt": ...}}` on a document with that `n`).
    static let numberOrder: [(String, String, Int)] = [
        ("9007199254740993", "9007199254740992.0", 1),  // 2^53 + 1: the doubles are equal
        ("9007199254740993", "9007199254740992", 1),
        ("1152921504606846977", "1152921504606846976.0", 1),  // 2^60 + 1
        ("123456789012345678901235", "123456789012345678901234", 1),  // beyond Int64
        ("123456789012345678901234", "123456789012345678901234", 0),
        ("9223372036854775807", "9223372036854775808.0", -1),  // Int64.max against 2^63
        ("123456789012345678901234", "9007199254740992.0", 1),
        ("123456789012345678901234", "123456789012345678901234.0", -1),  // that double is ...685803008
        ("-123456789012345678901235", "-123456789012345678901234", -1),
        ("1", "1.0", 0), ("1", "1e0", 0), ("-0", "0.0", 0), ("-0", "0", 0),
        ("1180591620717411303424", "1e21", 1), ("1180591620717411303424", "1180591620717411303424.0", 0),
    ]

    @Test func numbersAsErlang() throws {
        for (a, b, expected) in Self.numberOrder {
            #expect(Collation.sign(Collation.compare(try json(a), try json(b))) == expected, "\(a) vs \(b)")
            #expect(Collation.sign(Collation.compare(try json(b), try json(a))) == -expected, "\(b) vs \(a)")
        }
        #expect(Collation.exactIntegerText(0x1p70) == "1180591620717411303424")
        #expect(Collation.exactIntegerText(-0x1p53) == "-9007199254740992")
        #expect(Collation.exactIntegerText(1.2345678901234569e23) == "123456789012345685803008")
    }

    /// Erlang term order, from the docs' "raw collation" list.
    @Test func rawOrder() throws {
        let values = try ["1", "false", "null", "true", #"{"a":"a"}"#, #"["a"]"#, #""a""#].map(json)
        for i in values.indices.dropLast() {
            #expect(ErlangTermOrder.compare(values[i], values[i + 1]) < 0)
            #expect(ErlangTermOrder.compare(values[i + 1], values[i]) > 0)
        }
        #expect(ErlangTermOrder.compare(.string("Z"), .string("a")) < 0)
        #expect(ErlangTermOrder.compare(try json("[]"), try json("[0]")) < 0)
        #expect(ErlangTermOrder.compare(try json("2"), try json("2.0")) == 0)
    }

    @Test func erlangEquality() throws {
        #expect(!ErlangTermOrder.equal(try json("1"), try json("1.0"), exact: true))
        #expect(ErlangTermOrder.equal(try json("1"), try json("1.0"), exact: false))
        #expect(ErlangTermOrder.equal(try json("1.0"), try json("1.00"), exact: true))
        #expect(!ErlangTermOrder.equal(try json(#"{"a":1,"b":2}"#), try json(#"{"b":2,"a":1}"#), exact: false))
        #expect(!ErlangTermOrder.equal(.string("é"), .string("e\u{301}"), exact: true))
        #expect(ErlangTermOrder.equal(try json("123456789012345678901234"), try json("123456789012345678901234"), exact: true))
    }

    @Test func antisymmetry() throws {
        let values = try (Self.specification + [#""é""#, #""É""#, #""\u00e9a""#, "-1", "1e-3", #""~""#, #""""#]).map(json)
        for a in values {
            for b in values {
                #expect(Collation.sign(Collation.compare(a, b)) == -Collation.sign(Collation.compare(b, a)))
                #expect(Collation.sign(ErlangTermOrder.compare(a, b)) == -Collation.sign(ErlangTermOrder.compare(b, a)))
            }
        }
    }
}
