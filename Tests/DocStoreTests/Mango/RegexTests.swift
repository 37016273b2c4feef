import Testing
@testable import DocStore

/// The `$regex` engine: PCRE syntax as in Erlang's `re`, unanchored search, byte mode.
@Suite struct RegexTests {
    static let cases: [(String, String, Bool)] = [
        ("abc", "xxabcxx", true), ("abc", "ab", false), ("", "anything", true), ("x*", "", true),
        ("^abc", "xabc", false), ("^abc", "abcx", true), ("abc$", "xabc", true), ("abc$", "abc\n", true),
        ("abc$", "abc\nx", false), ("abc\\z", "abc\n", false), ("abc\\Z", "abc\n", true), ("\\Aab", "ab", true),
        ("a.c", "abc", true), ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true),
        ("[a-c]+", "xxbxx", true), ("^[^0-9]+$", "abc", true), ("^[^0-9]+$", "ab1", false),
        ("[]a]", "]", true), ("[^]a]", "]", false), ("[a-]", "-", true), ("[\\d-z]", "-", true),
        ("\\d{3}-\\d{4}", "call 555-1234", true), ("\\d", "abc", false), ("\\D", "123", false),
        ("^\\w+@\\w+\\.com$", "joe@example.com", true), ("^\\w+$", "a-b", false),
        ("\\s", "a b", true), ("\\S", " \t\n", false), ("\\h", "a\tb", true), ("\\v", "a\nb", true),
        ("^(foo|bar)baz$", "barbaz", true), ("^(foo|bar)baz$", "quxbaz", false), ("a|", "xyz", true),
        ("colou?r", "color", true), ("colou?r", "colour", true), ("ab*c", "ac", true), ("ab+c", "ac", false),
        ("a{2,3}", "a", false), ("a{2,3}", "aa", true), ("^a{2,3}$", "aaaa", false), ("^a{2,}$", "aaaaa", true),
        ("^a{2}$", "aa", true), ("^a{0}b$", "b", true), ("a{,3}", "a{,3}", true), ("x{a}", "x{a}", true),
        ("^a+?b$", "aaab", true), ("^(ab)*?$", "abab", true), ("^a??$", "", true),
        ("(?i)hello", "HeLLo", true), ("hello", "HELLO", false), ("(?i)^[a-z]+$", "ABC", true),
        ("^(?i:ab)c", "ABc", true), ("^(?i:ab)c", "ABC", false), ("(a(?i)b|c)", "C", true),
        ("(?i)[^a]", "A", false), ("(?i-i)a", "A", false), ("(?i)é", "É", false),
        ("\\bfoo\\b", "a foo b", true), ("\\bfoo\\b", "afoob", false), ("\\Bfoo", "afoo", true),
        ("^(?!_design/)", "_design/x", false), ("^(?!_design/)", "doc", true),
        ("foo(?=bar)", "foobar", true), ("foo(?=bar)", "foobaz", false), ("(?=.*\\d)(?=.*[a-z])", "a1", true),
        ("(?m)^b$", "a\nb\nc", true), ("^b$", "a\nb\nc", false), ("(?m)a$", "a\n", true),
        ("^.$", "é", false), ("^..$", "é", true), ("café", "un café", true), ("^caf.$", "café", false),
        ("^caf..$", "café", true), ("^é+$", "éé", false), ("^(é)+$", "éé", true), ("[é]", "\u{E9}", true),
        ("\\x41", "A", true), ("\\x{41}", "A", true), ("[\\x30-\\x39]", "5", true), ("\\101", "A", true),
        ("\\0101", "\u{8}1", true), ("\\cA", "\u{1}", true), ("\\t", "\t", true), ("\\e", "\u{1B}", true),
        ("a\\.b", "a.b", true), ("a\\.b", "axb", false), ("\\Qa.b\\E", "axb", false), ("\\Qa.b\\E", "a.b", true),
        ("\\Qab\\E+$", "abbb", true), ("\\Q*", "*", true),
        ("[[:digit:]]+", "abc123", true), ("[[:^alpha:]]", "abc", false), ("[[:punct:]]", "a!", true),
        ("[[:upper:][:digit:]]", "aB", true), ("(?x) a b c # comment", "abc", true), ("(?x)a\\ b", "a b", true),
        ("(?#comment)abc", "abc", true), ("(?<year>\\d{4})-(?P<m>\\d\\d)", "2024-05", true),
        ("(?:ab)+", "abab", true), ("(?|a|b)", "b", true),
        ("(a|b)*c", "ababc", true), ("^(\\d+\\.){3}\\d+$", "192.168.0.1", true),
        ("^(\\d+\\.){3}\\d+$", "192.168.0", false), ("^[0-9a-f]{8}-[0-9a-f]{4}", "deadbeef-cafe-1", true),
        ("\\.json$", "data.json", true), ("^\\$", "$5", true), ("\\[x\\]", "[x]", true),
    ]

    @Test(arguments: cases)
    func regex(_ pattern: String, _ subject: String, _ expected: Bool) throws {
        let regex = try MangoRegex(pattern)
        #expect(regex.matches(subject) == expected)
    }

    static let invalid: [String] = [
        "(", ")", "a)", "(a", "[a", "[", "a**", "*a", "+", "?", "a{3,2}", "{2}", "[z-a]", "\\", "a{70000}",
        "(?<=a)b", "(?<!a)b", "\\1", "(a)\\1", "(?>a)", "a++", "a*+", "\\p{L}", "(?z)", "(?", "[[:foo:]]",
        "(a{1000}){1000}", "\\x{100}", "(*UTF8)a", "(?(1)a|b)", "(?R)", "(?#unterminated", "(?<>a)",
        "a{2}{3}", "\\c", "\\g1", "\\k<n>",
    ]

    @Test(arguments: invalid)
    func invalidPattern(_ pattern: String) {
        #expect(throws: MangoRegex.SyntaxError.self) { try MangoRegex(pattern) }
        #expect(throws: SelectorError.self) {
            try Selector(.object(["name": .object(["$regex": .string(pattern)])]))
        }
    }

    @Test func deeplyNestedGroupsAreRejected() {
        let pattern = String(repeating: "(", count: 500) + "a" + String(repeating: ")", count: 500)
        #expect(throws: MangoRegex.SyntaxError.self) { try MangoRegex(pattern) }
    }

    /// Catastrophic-backtracking patterns run in linear time here.
    @Test(arguments: ["(a*)*b", "(a+)+b", "^(a|aa)+$", "(.*a){10}b", "(a|a)*b", "^(\\w+\\s?)*$"])
    func pathological(_ pattern: String) throws {
        let regex = try MangoRegex(pattern)
        let subject = String(repeating: "a", count: 20_000) + "!"
        #expect(regex.search(subject) == false)
    }

    /// The step limit ends any search, reporting no match (as Erlang's match limit does).
    @Test func stepLimit() throws {
        let regex = try MangoRegex("(a|aa|aaa)*b")
        let subject = String(repeating: "a", count: 50_000)
        #expect(regex.search(subject, stepLimit: 10_000) == nil)
        #expect(regex.matches(subject, stepLimit: 10_000) == false)
        #expect(regex.search(subject + "b") == true)
    }

    @Test func selectorRegexOnlyMatchesStrings() throws {
        let selector = try Selector(json(#"{"name": {"$regex": "^A"}}"#))
        #expect(selector.matches(try json(#"{"name": "Alice"}"#)))
        #expect(!selector.matches(try json(#"{"name": "alice"}"#)))
        #expect(!selector.matches(try json(#"{"name": ["Alice"]}"#)))
        #expect(!selector.matches(try json(#"{"name": 1}"#)))
        #expect(!selector.matches(try json("{}")))
    }
}
