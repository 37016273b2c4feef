import Testing
import DocStore

@Suite struct NumberTests {
    @Test func initializers() {
        #expect(JSONNumber(Int64.min).text == "-9223372036854775808")
        #expect(JSONNumber(42).text == "42")
        #expect(JSONNumber(UInt64.max).text == "18446744073709551615")
        #expect(JSONNumber(3.0)?.text == "3.0")
        #expect(JSONNumber(0.1)?.text == "0.1")
        #expect(JSONNumber(1e300)?.text == "1e+300")
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(-Double.infinity) == nil)
        for d in [3.0, 0.1, -2.5e-7, 1e300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -0.0] {
            let n = JSONNumber(d)!
            #expect(JSONNumber(literal: n.text) != nil, "\(n.text) must be valid JSON")
            #expect(n.doubleValue == d)
        }
    }

    @Test func literalValidation() {
        for good in ["0", "-0", "1", "-1", "10", "1.5", "0.5", "1e5", "1E+5", "1e-05", "-0.0e0", "123456789012345678901234567890"] {
            #expect(JSONNumber(literal: good)?.text == good)
        }
        for bad in ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x1", "NaN", "Infinity", " 1", "1 ", "1.2.3", "--1", "1e5e5"] {
            #expect(JSONNumber(literal: bad) == nil, "\(bad)")
        }
    }

    @Test func conversions() {
        #expect(JSONNumber(literal: "-0")!.int64Value == 0)
        #expect(JSONNumber(literal: "1e2")!.int64Value == nil)
        #expect(JSONNumber(literal: "1.0")!.int64Value == nil)
        #expect(JSONNumber(literal: "9223372036854775808")!.int64Value == nil)
        #expect(JSONNumber(literal: "-9223372036854775809")!.int64Value == nil)
        #expect(JSONNumber(literal: "1e2")!.doubleValue == 100)
        #expect(JSONNumber(literal: "-1e400")!.doubleValue == -.infinity)
        #expect(JSONNumber(literal: "12")!.isInteger)
        #expect(!JSONNumber(literal: "1.0")!.isInteger)
        #expect(!JSONNumber(literal: "1E2")!.isInteger)
        #expect(JSONNumber(7).description == "7")
    }

    @Test func equalityAndHashing() {
        func n(_ s: String) -> JSONNumber { JSONNumber(literal: s)! }
        let equalPairs: [(String, String)] = [("1", "1"), ("1", "1.0"), ("100", "1e2"), ("0", "-0"), ("-0", "0.0"),
                                              ("1e400", "2e400"), ("0.5", "5e-1")]
        for (a, b) in equalPairs {
            #expect(n(a) == n(b), "\(a) == \(b)")
            #expect(n(a).hashValue == n(b).hashValue, "hash \(a) \(b)")
        }
        #expect(n("1") != n("2"))
        #expect(n("9223372036854775807") != n("9223372036854775806"))  // exact integer compare
        #expect(n("0.1") != n("0.2"))
        #expect(Set([n("1"), n("1.0"), n("1e0"), n("2")]).count == 2)
        #expect(JSON.number(n("1")) == JSON(integerLiteral: 1))
    }
}
