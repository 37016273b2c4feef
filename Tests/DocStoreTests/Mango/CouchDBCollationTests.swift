import Foundation
import Testing
@testable import DocStore

/// `Collation.compare` against the order Apache CouchDB itself gives view keys, recorded into
/// Tests/collation/couchdb-order.json by Tests/collation/record.py (see there for how).
///
/// The fixture lists classes of keys CouchDB collates equal, in ascending order. The law:
/// for every pair of recorded keys, the sign of `Collation.compare` is the sign of the
/// difference of their class positions, so equal within a class, ordered across classes.
@Suite struct CouchDBCollationTests {
    /// The recorded classes of one list ("strings" or "values").
    static func classes(_ list: String) throws -> [[JSON]] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../collation/couchdb-order.json").standardized.path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard case .object(let fixture) = try JSON.parse([UInt8](data)),
            case .array(let classes)? = fixture[list]
        else { throw FixtureError() }
        return try classes.map {
            guard case .array(let members) = $0 else { throw FixtureError() }
            return members
        }
    }

    struct FixtureError: Error {}

    /// Every pair of keys compares as CouchDB ordered them; failures name the pair.
    static func checkAllPairs(_ classes: [[JSON]]) {
        let keyed = classes.enumerated().flatMap { position, members in members.map { (position, $0) } }
        var failures: [String] = []
        for (i, a) in keyed {
            for (j, b) in keyed {
                let expected = Collation.sign(i - j)
                let actual = Collation.sign(Collation.compare(a, b))
                if actual != expected {
                    failures.append("\(a) vs \(b): \(actual), CouchDB \(expected)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) pairs differ from CouchDB, e.g. \(failures.prefix(20))")
    }

    @Test func stringsInCouchDBOrder() throws {
        let classes = try Self.classes("strings")
        #expect(classes.joined().count >= 150)
        Self.checkAllPairs(classes)
    }

    /// Sorting the keys from last to first gives CouchDB's order. (Positions are tracked by
    /// index: Swift's `==` on strings is canonical equivalence, which ICU's root collator,
    /// with normalization off as CouchDB leaves it, does not always follow.)
    @Test func sortingStrings() throws {
        let classes = try Self.classes("strings")
        let keyed = classes.enumerated().flatMap { position, members in members.map { (position, $0) } }
        let sorted = keyed.reversed().sorted { Collation.compare($0.1, $1.1) < 0 }
        let positions = sorted.map(\.0)
        #expect(positions == positions.sorted())
    }

    /// Null, booleans, numbers, strings, arrays and objects, across and within types.
    @Test func valuesInCouchDBOrder() throws {
        Self.checkAllPairs(try Self.classes("values"))
    }
}
