import Testing
@testable import LMDB

@Suite struct CursorTests {

    func keys(
        _ env: Environment, _ db: Database, from: String? = nil, to: String? = nil,
        inclusiveEnd: Bool = true, descending: Bool = false
    ) throws -> [String] {
        try env.read { txn in
            var seen: [String] = []
            try txn.scan(
                db, from: from.map(bytes), to: to.map(bytes), inclusiveEnd: inclusiveEnd, descending: descending
            ) { entry in
                seen.append(String(decoding: entry.key, as: UTF8.self))
                return true
            }
            return seen
        }
    }

    @Test func forwardAndBackwardRangeScans() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            try env.write { txn in
                for key in ["b", "d", "f", "h"] { try txn.put(db, key: bytes(key), value: bytes("v")) }
            }
            #expect(try keys(env, db) == ["b", "d", "f", "h"])
            #expect(try keys(env, db, descending: true) == ["h", "f", "d", "b"])
            #expect(try keys(env, db, from: "c", to: "f") == ["d", "f"])
            #expect(try keys(env, db, from: "c", to: "f", inclusiveEnd: false) == ["d"])
            #expect(try keys(env, db, from: "g", to: "c", descending: true) == ["f", "d"])
            #expect(try keys(env, db, from: "f", to: "d", inclusiveEnd: false, descending: true) == ["f"])
            #expect(try keys(env, db, from: "z", descending: true) == ["h", "f", "d", "b"])
            #expect(try keys(env, db, from: "a", descending: true) == [])
            #expect(try keys(env, db, from: "i") == [])
            // An empty key, which LMDB refuses, sorts before every key.
            #expect(try keys(env, db, from: "") == ["b", "d", "f", "h"])
            #expect(try keys(env, db, from: "", descending: true) == [])
            #expect(try keys(env, db, to: "") == [])
            #expect(try env.read { try $0.get(db, key: []) } == nil)
        }
    }

    @Test func scanStopsWhenBodyReturnsFalse() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            try env.write { txn in
                for i in 0..<10 { try txn.put(db, key: bytes("k\(i)"), value: bytes("v")) }
            }
            var count = 0
            try env.read { txn in
                try txn.scan(db) { _ in
                    count += 1
                    return count < 3
                }
            }
            #expect(count == 3)
        }
    }

    @Test func deleteAtCursor() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            try env.write { txn in
                for i in 0..<5 { try txn.put(db, key: bytes("k\(i)"), value: bytes("v")) }
                try txn.withCursor(db) { cursor in
                    _ = try cursor.first()
                    try cursor.deleteCurrent()
                }
            }
            #expect(try keys(env, db) == ["k1", "k2", "k3", "k4"])
        }
    }
}
