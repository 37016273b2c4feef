import Foundation
import Testing
@testable import DocStore

@Suite struct DatabaseTests {
    @Test func createListInfoDelete() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try store.createDatabase("beta")
        try store.createDatabase("alpha")
        try store.createDatabase("a/b")
        #expect(store.allDatabases() == ["a/b", "alpha", "beta"])
        #expect(store.databaseExists("alpha"))
        let info = try store.database("alpha").info()
        #expect(info.name == "alpha" && info.documentCount == 0 && info.updateSequence == 0)
        #expect(info.uuid.count == 32)
        try store.deleteDatabase("alpha")
        #expect(!store.databaseExists("alpha"))
        #expect(store.allDatabases() == ["a/b", "beta"])
        #expect(throws: DocStoreError.databaseMissing) { try store.database("alpha") }
        #expect(throws: DocStoreError.databaseMissing) { try store.deleteDatabase("alpha") }
        let files = try FileManager.default.contentsOfDirectory(atPath: temp.directory + "/databases")
        #expect(!files.contains { $0.hasPrefix("alpha") })
    }

    @Test func createTwiceIsFileExists() throws {
        let temp = try TemporaryStore()
        try temp.store.createDatabase("twice")
        #expect { try temp.store.createDatabase("twice") } throws: { ($0 as? DocStoreError)?.code == .databaseExists }
    }

    @Test(arguments: ["", "A", "1abc", "_private", "abc!", "with space", "Ünïcode", String(repeating: "a", count: 239)])
    func illegalNamesAreRejected(name: String) throws {
        let temp = try TemporaryStore()
        #expect { try temp.store.createDatabase(name) } throws: { ($0 as? DocStoreError)?.code == .illegalDatabaseName }
    }

    @Test(arguments: ["a", "a0_$()+-/x", "_users", "_replicator", String(repeating: "a", count: 238)])
    func legalNamesAreAccepted(name: String) throws {
        let temp = try TemporaryStore()
        try temp.store.createDatabase(name)
        #expect(temp.store.allDatabases() == [name])
    }

    @Test func listingOptions() throws {
        let temp = try TemporaryStore()
        for name in ["a", "b", "c", "d", "e"] { try temp.store.createDatabase(name) }
        let store = temp.store
        #expect(store.allDatabases(startKey: "b", endKey: "d") == ["b", "c", "d"])
        #expect(store.allDatabases(startKey: "b", endKey: "d", inclusiveEnd: false) == ["b", "c"])
        #expect(store.allDatabases(descending: true, limit: 2) == ["e", "d"])
        #expect(store.allDatabases(startKey: "d", endKey: "b", descending: true) == ["d", "c", "b"])
        #expect(store.allDatabases(limit: 2, skip: 1) == ["b", "c"])
    }

    @Test func leastRecentlyUsedDatabasesAreClosed() async throws {
        let temp = try TemporaryStore { $0.maxOpenDatabases = 3 }
        for i in 0..<10 {
            let db = try temp.store.createDatabase("db\(i)")
            try await db.put(doc("x", ["i": .number(JSONNumber(i))]))
        }
        #expect(temp.store.openDatabaseCount == 3)
        for i in 0..<10 {
            let fields = try temp.store.database("db\(i)").document("x").fields()
            #expect(fields["i"]?.int64Value == Int64(i))
        }
        #expect(temp.store.openDatabaseCount == 3)
    }

    @Test func anEvictedDatabaseInUseIsNotOpenedTwice() async throws {
        let temp = try TemporaryStore { $0.maxOpenDatabases = 1 }
        let first = try temp.store.createDatabase("first")
        try temp.store.createDatabase("second")
        // `first` is evicted but still referenced: asking again must give the same handle.
        #expect(try temp.store.database("first") === first)
    }

    @Test func dataSurvivesReopeningTheStore() async throws {
        let directory = NSTemporaryDirectory() + "docstore-reopen-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = DocumentStore.Configuration(dataDirectory: directory)
        var rev = ""
        do {
            let store = try DocumentStore(configuration: configuration)
            rev = try await store.createDatabase("keep").put(doc("a", ["v": 1]))
        }
        let reopened = try DocumentStore(configuration: configuration)
        #expect(try reopened.database("keep").document("a").revision.description == rev)
        #expect(reopened.allDatabases() == ["keep"])
    }

    @Test func serverEventsReportCreateUpdateDelete() async throws {
        let temp = try TemporaryStore()
        let events = temp.store.databaseEvents()
        let db = try temp.store.createDatabase("events")
        try await db.put(doc("a"))
        try temp.store.deleteDatabase("events")
        var seen: [DatabaseEvent] = []
        for await event in events {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(seen.map(\.kind) == [.created, .updated, .deleted])
        #expect(seen[1].sequence == 1)
    }

    @Test func deletedDatabaseRefusesReadsAndWrites() async throws {
        let temp = try TemporaryStore()
        let db = try temp.store.createDatabase("gone")
        try temp.store.deleteDatabase("gone")
        #expect(throws: DocStoreError.databaseMissing) { try db.info() }
        await #expect(throws: DocStoreError.databaseMissing) { try await db.put(doc("a")) }
    }

    @Test func infoCountsAndSizes() async throws {
        let temp = try TemporaryStore()
        let db = try temp.database()
        try await db.put(doc("a", ["text": .string(String(repeating: "x", count: 1000))]))
        let rev = try await db.put(doc("b"))
        try await db.put(doc("b", rev: rev, deleted: true))
        let info = try db.info()
        #expect(info.documentCount == 1)
        #expect(info.deletedCount == 1)
        #expect(info.updateSequence == 3)
        #expect(info.externalSize >= 1000)
        #expect(info.fileSize > 0)
    }
}
