import Foundation
import Testing
@testable import LMDB

/// A fresh directory per test, removed at the end.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct EnvironmentTests {
    @Test func putGetDeleteRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            try env.write { txn in
                try txn.put(db, key: bytes("a"), value: bytes("1"))
                try txn.put(db, key: bytes("b"), value: bytes("2"))
            }
            #expect(try env.read { try $0.get(db, key: bytes("a")) } == bytes("1"))
            #expect(try env.read { try $0.count(db) } == 2)
            #expect(try env.write { try $0.delete(db, key: bytes("a")) })
            #expect(try env.write { try $0.delete(db, key: bytes("a")) } == false)
            #expect(try env.read { try $0.get(db, key: bytes("a")) } == nil)
        }
    }

    @Test func throwingClosureAbortsTheTransaction() throws {
        struct Stop: Error {}
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            #expect(throws: Stop.self) {
                try env.write { txn in
                    try txn.put(db, key: bytes("a"), value: bytes("1"))
                    throw Stop()
                }
            }
            #expect(try env.read { try $0.get(db, key: bytes("a")) } == nil)
        }
    }

    @Test func noOverwriteReportsKeyExists() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            try env.write { try $0.put(db, key: bytes("k"), value: bytes("v")) }
            #expect(throws: LMDBError.keyExists) {
                try env.write { try $0.put(db, key: bytes("k"), value: bytes("w"), noOverwrite: true) }
            }
        }
    }

    @Test func oversizedKeyIsATypedError() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            let key = [UInt8](repeating: 65, count: maximumKeySize + 1)
            #expect(throws: LMDBError.badValueSize) {
                try env.write { try $0.put(db, key: key, value: bytes("v")) }
            }
        }
    }

    @Test func mapGrowsWhenFull() throws {
        try withTemporaryDirectory { dir in
            var options = Environment.Options()
            options.mapSize = 1 << 20
            let env = try Environment(path: dir + "/db.mdb", options: options)
            let db = try env.openDatabase("items")
            let value = [UInt8](repeating: 7, count: 64 << 10)
            for i in 0..<200 {  // 12.8 MB into a 1 MB map
                try env.write { try $0.put(db, key: bytes("k\(i)"), value: value) }
            }
            #expect(env.mapSize > 1 << 20)
            #expect(try env.read { try $0.count(db) } == 200)
            // Reopening adopts the grown size.
            let reopened = try Environment(path: dir + "/db2.mdb", options: options)
            _ = reopened
        }
    }

    @Test func mapGrowsInsideOneLargeTransaction() throws {
        try withTemporaryDirectory { dir in
            var options = Environment.Options()
            options.mapSize = 1 << 20
            let env = try Environment(path: dir + "/db.mdb", options: options)
            let db = try env.openDatabase("items")
            var runs = 0
            try env.write { txn in
                runs += 1
                for i in 0..<100 {
                    try txn.put(db, key: bytes("k\(i)"), value: [UInt8](repeating: 1, count: 32 << 10))
                }
            }
            #expect(runs > 1)
            #expect(try env.read { try $0.count(db) } == 100)
        }
    }

    @Test func dataSurvivesReopen() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(path: dir + "/db.mdb")
                let db = try env.openDatabase("items")
                try env.write { try $0.put(db, key: bytes("x"), value: bytes("y")) }
            }
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items", create: false)
            #expect(try env.read { try $0.get(db, key: bytes("x")) } == bytes("y"))
        }
    }

    @Test func missingNamedDatabaseWithoutCreateIsNotFound() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            #expect(throws: LMDBError.notFound) { try env.openDatabase("absent", create: false) }
        }
    }

    @Test func notAnLMDBFileIsInvalid() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/junk.mdb"
            FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 16384))
            #expect(throws: LMDBError.self) { try Environment(path: path) }
        }
    }

    @Test func compactingCopyHoldsTheLiveDataOnly() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("items")
            let value = [UInt8](repeating: 3, count: 4096)
            try env.write { txn in
                for i in 0..<1000 { try txn.put(db, key: bytes("k\(i)"), value: value) }
            }
            try env.write { txn in
                for i in 0..<990 { try txn.delete(db, key: bytes("k\(i)")) }
            }
            try env.copy(to: dir + "/backup.mdb", compact: true)
            let original = try FileManager.default.attributesOfItem(atPath: dir + "/db.mdb")[.size] as! Int
            let copy = try FileManager.default.attributesOfItem(atPath: dir + "/backup.mdb")[.size] as! Int
            #expect(copy < original / 10)
            let restored = try Environment(path: dir + "/backup.mdb")
            let restoredDB = try restored.openDatabase("items", create: false)
            #expect(try restored.read { try $0.count(restoredDB) } == 10)
        }
    }

    @Test func concurrentReadersSeeWholeCommits() async throws {
        try await withTemporaryDirectoryAsync { dir in
            let env = try Environment(path: dir + "/db.mdb")
            let db = try env.openDatabase("pairs")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 1...200 {
                        try env.write { txn in
                            try txn.put(db, key: bytes("a"), value: bytes("\(round)"))
                            try txn.put(db, key: bytes("b"), value: bytes("\(round)"))
                        }
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<500 {
                            let (a, b) = try env.read { txn in
                                (try txn.get(db, key: bytes("a")), try txn.get(db, key: bytes("b")))
                            }
                            #expect(a == b)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

func withTemporaryDirectoryAsync<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}
