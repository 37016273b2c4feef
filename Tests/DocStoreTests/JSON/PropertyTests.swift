import DocStore
import TestSupport
import Testing


enum RandomJSON {
    static let scalars: [Unicode.Scalar] = [
        "a", "b", "Z", "0", " ", "/", "\"", "\\", "\n", "\t", "\r", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}",
        "\u{7F}", "é", "ß", "中", "€", "\u{2028}", "\u{FFFD}", "😀", "𝄞", "\u{10FFFF}",
    ]

    static func string<R: RandomNumberGenerator>(_ rng: inout R) -> String {
        var s = String.UnicodeScalarView()
        let length = Int.random(in: 0...(Bool.random(using: &rng) ? 6 : 40), using: &rng)
        for _ in 0..<length {
            if Int.random(in: 0..<3, using: &rng) == 0 {
                s.append(scalars.randomElement(using: &rng)!)
            } else {
                s.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
            }
        }
        return String(s)
    }

    static func number<R: RandomNumberGenerator>(_ rng: inout R) -> JSONNumber {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return JSONNumber(Int64.random(in: .min ... .max, using: &rng))
        case 1: return JSONNumber(Int.random(in: -1000...1000, using: &rng))
        case 2:
            while true {
                let d = Double(bitPattern: rng.next())
                if let n = JSONNumber(d) { return n }
            }
        default:
            var text = Bool.random(using: &rng) ? "-" : ""
            text += String(Int.random(in: 0...999_999, using: &rng))
            if Bool.random(using: &rng) {
                text += "." + String(repeating: "0", count: Int.random(in: 0...3, using: &rng))
                text += String(UInt64.random(in: 0 ... .max, using: &rng))
            }
            if Bool.random(using: &rng) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &rng)!
                text += String(Int.random(in: 0...999, using: &rng))
            }
            return JSONNumber(literal: text)!
        }
    }

    static func value<R: RandomNumberGenerator>(_ rng: inout R, depth: Int = 0) -> JSON {
        let kinds = depth > 5 ? 5 : 7
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3: return .number(number(&rng))
        case 4: return .string(string(&rng))
        case 5:
            return .array((0..<Int.random(in: 0...6, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                o[string(&rng)] = value(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    /// Serializes with random legal whitespace, to exercise the parser's whitespace handling.
    static func loose<R: RandomNumberGenerator>(_ v: JSON, _ rng: inout R, into out: inout [UInt8]) {
        func ws() { for _ in 0..<Int.random(in: 0...2, using: &rng) { out.append([0x20, 0x09, 0x0A, 0x0D].randomElement(using: &rng)!) } }
        ws()
        switch v {
        case .array(let a):
            out.append(0x5B)
            ws()
            for (k, e) in a.enumerated() {
                if k > 0 { out.append(0x2C) }
                loose(e, &rng, into: &out)
            }
            out.append(0x5D)
        case .object(let o):
            out.append(0x7B)
            ws()
            for (k, pair) in o.enumerated() {
                if k > 0 { out.append(0x2C) }
                ws()
                serializedStringLiteral(pair.key, into: &out)
                ws()
                out.append(0x3A)
                loose(pair.value, &rng, into: &out)
            }
            out.append(0x7D)
        default:
            v.serialize(into: &out)
        }
        ws()
    }
}

@Suite struct PropertyTests {
    @Test(arguments: 0..<8)
    func randomRoundTrip(batch: Int) throws {
        for k in 0..<250 {
            let seed = UInt64(batch * 1000 + k)
            var rng = SplitMix64(seed: seed)
            let value = RandomJSON.value(&rng)
            let bytes = value.serialized()
            let parsed: JSON
            do {
                parsed = try JSON.parse(bytes)
            } catch {
                Issue.record("seed \(seed): parse failed: \(error) for \(value.serializedString.debugDescription)")
                continue
            }
            #expect(parsed == value, "seed \(seed)")
            #expect(parsed.serialized() == bytes, "seed \(seed)")
            var loose: [UInt8] = []
            RandomJSON.loose(value, &rng, into: &loose)
            #expect((try? JSON.parse(loose).serialized()) == bytes, "seed \(seed) (whitespace)")
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("{}[]\",:\\/ntrufalse0123456789-+.eE \t\nu\u{01}".utf8) + [0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? JSON.parse(bytes)
        }
    }
}
