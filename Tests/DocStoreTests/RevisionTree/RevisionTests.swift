import DocStore
import Testing

@Suite struct RevisionParsingTests {
    @Test(arguments: [
        ("1-abc", 1, "abc"),
        ("12-a-b", 12, "a-b"),  // the id is everything after the first '-'
        ("1-967a00dff5e02add41819138abb3284d", 1, "967a00dff5e02add41819138abb3284d"),
        ("10-x", 10, "x"),
        ("9223372036854775807-x", Int.max, "x"),
        ("3-é", 3, "é"),
    ])
    func parsesValid(text: String, position: Int, id: String) {
        let revision = Revision(text)
        #expect(revision == Revision(position: position, id: id))
        #expect(revision?.description == text)  // accepted strings round-trip exactly
    }

    @Test(arguments: [
        "", "1", "-abc", "0-abc", "x-abc", "1-", "+1-a", "01-a", "00-a", "-1-a", "1a-b",
        " 1-a", "1 -a", "9223372036854775808-x", "٣-a", "-",
    ])
    func rejectsInvalid(text: String) {
        #expect(Revision(text) == nil, "\(text) should not parse")
    }

    @Test func ordersByPositionNumericallyThenIdBytes() {
        #expect(rev("2-a") < rev("10-a"))
        #expect(rev("2-B") < rev("2-a"))  // 0x42 < 0x61: byte order, not case-folded
        #expect(rev("2-a") < rev("2-ab"))
        #expect(!(rev("2-b") < rev("2-b")))
        #expect([rev("3-a"), rev("1-z"), rev("2-b"), rev("2-a")].sorted().map(\.description)
            == ["1-z", "2-a", "2-b", "3-a"])
    }

    @Test func idsCompareByBytesNotCanonicalEquivalence() {
        let composed = Revision(position: 1, id: "\u{E9}")
        let decomposed = Revision(position: 1, id: "e\u{301}")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(decomposed < composed)  // "e" (0x65) sorts before 0xC3
    }

    @Test func pathRevisionsCountDownFromStart() {
        let history = RevisionPath(start: 3, ids: ["c", "b", "a"])
        #expect(history.revisions == [rev("3-c"), rev("2-b"), rev("1-a")])
        #expect(path("1-a", "2-b", "3-c") == history)
    }
}
