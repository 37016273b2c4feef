extension Collation {
    /// Compares numbers as Erlang compares the terms jiffy decodes them to, which is what
    /// CouchDB's `couch_ejson_compare` (and `mango_json:cmp_raw`) do: an integer literal is an
    /// exact integer of any size, any other literal (`1.0`, `1e2`) the nearest double, and an
    /// integer and a double compare by exact value. So `9007199254740993 > 9007199254740992.0`
    /// and `123456789012345678901235 > 123456789012345678901234`, as measured on CouchDB 3.4.3,
    /// although their doubles are equal; and `1 == 1.0`, `100 == 1e2`.
    ///
    /// Negative, zero or positive. O(1) when the doubles differ or both fit `Int64`; otherwise
    /// O(digits), and O(digits²) for a double beyond 2^53 against an integer outside `Int64`.
    static func compareNumbers(_ a: JSONNumber, _ b: JSONNumber) -> Int {
        if a.text == b.text { return 0 }
        if let x = a.int64Value, let y = b.int64Value {
            return x == y ? 0 : (x < y ? -1 : 1)
        }
        let x = a.doubleValue
        let y = b.doubleValue
        // Rounding to the nearest double is monotonic: differing doubles order the exact values.
        if x != y { return x < y ? -1 : 1 }
        switch (a.isInteger, b.isInteger) {
        case (false, false):
            return 0  // Both are that double.
        case (true, true):
            return compareIntegerLiterals(a.text, b.text)
        case (true, false):
            return compareIntegerLiteral(a.text, toDouble: y)
        case (false, true):
            return -compareIntegerLiteral(b.text, toDouble: x)
        }
    }

    /// Two JSON integer literals (`-?digits`, no leading zeros) by exact value.
    private static func compareIntegerLiterals(_ a: String, _ b: String) -> Int {
        let (na, da) = signAndDigits(a)
        let (nb, db) = signAndDigits(b)
        if da == [0] && db == [0] { return 0 }  // "-0" is 0.
        if na != nb { return na ? -1 : 1 }
        let magnitude = da.count != db.count ? (da.count < db.count ? -1 : 1) : (da.lexicographicallyPrecedes(db) ? -1 : (da == db ? 0 : 1))
        return na ? -magnitude : magnitude
    }

    /// An integer literal against a double that its own nearest double equals (so the double
    /// is finite). Below 2^53 in magnitude the literal is that double exactly; above, the
    /// double is an integer, compared as one.
    private static func compareIntegerLiteral(_ literal: String, toDouble d: Double) -> Int {
        guard d.magnitude >= 0x1p53 else { return 0 }
        return compareIntegerLiterals(literal, exactIntegerText(d))
    }

    /// Whether the literal is negative, and its decimal digits as values 0...9.
    private static func signAndDigits(_ literal: String) -> (negative: Bool, digits: [UInt8]) {
        var utf8 = Substring(literal).utf8
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        return (negative, utf8.map { $0 &- 0x30 })
    }

    /// The exact decimal text of a finite double of magnitude at least 2^52 (so an integer),
    /// e.g. 2^70 as `"1180591620717411303424"`: its significand doubled in decimal.
    static func exactIntegerText(_ d: Double) -> String {
        var digits = Array(String(UInt64(d.significandBitPattern | (1 << 52))).utf8.map { $0 - 0x30 }.reversed())
        precondition(d.isFinite && d.magnitude >= 0x1p52, "not an integer-valued double at or beyond 2^52")
        var shift = Int(d.exponent) - 52
        while shift > 0 {
            var carry: UInt8 = 0
            for i in digits.indices {
                let v = digits[i] * 2 + carry
                digits[i] = v % 10
                carry = v / 10
            }
            if carry > 0 { digits.append(carry) }
            shift -= 1
        }
        while digits.count > 1 && digits.last == 0 { digits.removeLast() }
        let text = String(decoding: digits.reversed().map { $0 + 0x30 }, as: UTF8.self)
        return d < 0 ? "-" + text : text
    }
}
