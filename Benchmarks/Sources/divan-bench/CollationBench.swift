import CollationBaseline
import DocStore
import Foundation

/// `divan-bench collation`: Divan's `Collation.compare` on strings against a plain C loop over
/// ICU's `ucol_strcollUTF8` (what it wraps), Swift's `String <` and `memcmp`.
enum CollationBench {
    /// `DIVAN_BENCH_COMPARISONS` scales the run (pairs per workload).
    static let comparisons = ProcessInfo.processInfo.environment["DIVAN_BENCH_COMPARISONS"].flatMap(Int.init) ?? 2_000_000

    /// View-key-like strings: names (some accented), emails, statuses, SKUs, titles; mostly
    /// ASCII as real keys are, about one in six with a non-ASCII letter. Deterministic.
    static func strings(count: Int) -> [String] {
        let first = ["anna", "Bob", "Chloé", "david", "Émile", "frank", "Grace", "hélène", "Ivan", "józef", "Kim", "Léa",
                     "maria", "Noël", "olga", "Paul", "quentin", "Renée", "sam", "Zoë", "Ângela", "müller", "Søren", "王伟"]
        let last = ["Smith", "dupont", "Müller", "garcía", "Nguyen", "o'brien", "Øster", "kowalski", "Rossi", "Smith-Jones"]
        let status = ["new", "paid", "Shipped", "returned", "on hold", "in-progress"]
        var generator = SplitMix(seed: 42)
        return (0..<count).map { i in
            let n = Int(generator.next() % 1_000_000)
            switch i % 5 {
            case 0: return "\(first[n % first.count]) \(last[(n / 7) % last.count])"
            case 1: return "\(first[n % first.count].lowercased())\(n % 977)@example.com"
            case 2: return "\(status[n % status.count])-\(n % 100)"
            case 3: return "SKU-\(n % 5000)-\(["red", "Blue", "grün", "noir"][n % 4])"
            default: return "Order \(n) for \(first[n % first.count]) \(last[n % last.count]), \(status[n % status.count])"
            }
        }
    }

    static func run() async throws {
        let strings = strings(count: 20_000)
        print("== collation (\(strings.count) view-key-like strings, \(comparisons) comparisons per workload) ==")
        var generator = SplitMix(seed: 7)
        let randomPairs = (0..<comparisons).flatMap { _ in
            [Int32(generator.next() % UInt64(strings.count)), Int32(generator.next() % UInt64(strings.count))]
        }
        // Neighbours in sorted order share prefixes, as keys compared inside a B-tree page do.
        let sortedIndices = strings.indices.sorted { strings[$0].utf8.lexicographicallyPrecedes(strings[$1].utf8) }
        let neighbourPairs = (0..<comparisons).flatMap { k in
            let i = k % (strings.count - 1)
            return [Int32(sortedIndices[i + 1]), Int32(sortedIndices[i])]
        }
        for (label, pairs) in [("random pairs", randomPairs), ("sorted neighbours", neighbourPairs)] {
            await workload(label, strings, pairs)
        }
    }

    static func workload(_ label: String, _ strings: [String], _ pairs: [Int32]) async {
        let count = pairs.count / 2
        let values = strings.map { JSON.string($0) }
        let utf8 = strings.map { Array($0.utf8) }
        let lengths = utf8.map { Int32($0.count) }
        // Stable C pointers to the UTF-8 bytes for the C loops.
        let buffers = utf8.map { bytes -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBytes { p.initialize(from: $0.bindMemory(to: CChar.self).baseAddress!, count: bytes.count) }
            return p
        }
        defer { buffers.forEach { $0.deallocate() } }
        let pointers = buffers.map { UnsafePointer($0) as UnsafePointer<CChar>? }

        var divanSum = 0
        let divan = await measure {
            for k in 0..<count {
                let c = Collation.compare(values[Int(pairs[2 * k])], values[Int(pairs[2 * k + 1])])
                divanSum += c < 0 ? -1 : (c > 0 ? 1 : 0)
            }
        }
        var icuSum: Int64 = 0
        let icu = await measure { icuSum = bench_icu_loop(pointers, lengths, pairs, Int64(count)) }
        precondition(icuSum != Int64.min, "ICU's root collator could not be opened")
        // Same answers, or the comparison is meaningless.
        precondition(Int64(divanSum) == icuSum, "Divan's collation differs from ICU's: \(divanSum) vs \(icuSum)")
        var swiftSum = 0
        let swift = await measure {
            for k in 0..<count {
                let a = strings[Int(pairs[2 * k])]
                let b = strings[Int(pairs[2 * k + 1])]
                swiftSum += a < b ? -1 : (b < a ? 1 : 0)
            }
        }
        var memcmpSum: Int64 = 0
        let memcmp = await measure { memcmpSum = bench_memcmp_loop(pointers, lengths, pairs, Int64(count)) }
        precondition(swiftSum != Int.min && memcmpSum != Int64.min)

        let rate = Double(count) / divan
        report("Collation.compare, \(label), cmp/s", rate, unit: "/s", baseline: Double(count) / icu,
               baselineName: "C loop ucol_strcollUTF8")
        report("Collation.compare, \(label), cmp/s", rate, unit: "/s", baseline: Double(count) / swift,
               baselineName: "Swift String <")
        report("Collation.compare, \(label), cmp/s", rate, unit: "/s", baseline: Double(count) / memcmp,
               baselineName: "C loop memcmp")
    }
}

/// SplitMix64: a seedable generator, so every run compares the same strings.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
