import Foundation
import LMDB
import Testing
@testable import DocStore

/// Partitioned databases: the flag survives reopening, ids follow `partition:id`, each
/// partition's counters follow every write and purge, `max_partition_size` refuses growth,
/// and partitioned Mango indexes keep one key range per partition.
@Suite struct PartitionTests {
    func partitioned(_ store: TemporaryStore, _ name: String = "p") throws -> DocumentDatabase {
        try store.store.createDatabase(name, partitioned: true)
    }

    @Test func theFlagIsKeptAndSystemDatabasesRefuseIt() async throws {
        let store = try TemporaryStore()
        _ = try partitioned(store)
        #expect(try store.store.database("p").isPartitioned)
        #expect(try store.store.database("p").info().isPartitioned)
        #expect(try !store.store.createDatabase("plain").isPartitioned)
        for name in ["_replicator", "_users", "a/_replicator", "a/_users"] {
            #expect(throws: DocStoreError(.badRequest, "Cannot partition a system database")) {
                try store.store.createDatabase(name, partitioned: true)
            }
        }
    }

    @Test func theFlagSurvivesReopening() throws {
        let directory = NSTemporaryDirectory() + "partition-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 8 << 20
        do {
            let store = try DocumentStore(configuration: configuration)
            try store.createDatabase("p", partitioned: true)
            try store.createDatabase("plain")
        }
        let reopened = try DocumentStore(configuration: configuration)
        #expect(try reopened.database("p").isPartitioned)
        #expect(try !reopened.database("plain").isPartitioned)
    }

    @Test(arguments: [
        ("nocolon", "illegal_docid", "Doc id must be of form partition:id"),
        (":x", "illegal_partition", "Partition must not be empty"),
        ("p:", "illegal_docid", "Document id must not be empty"),
        ("p:_x", "illegal_docid", "Only reserved document ids may start with underscore."),
    ])
    func idsMustNamePartitions(_ id: String, _ error: String, _ reason: String) async throws {
        let store = try TemporaryStore()
        let db = try partitioned(store)
        let result = try await db.update([doc(id, ["v": 1])])[0]
        #expect(result.error?.code.rawValue == error)
        #expect(result.error?.reason == reason)
        // Generated ids have no partition either; design and local documents need none.
        #expect(try await db.update([doc(nil, ["v": 1])])[0].error?.code == .illegalDocumentID)
        try await db.put(doc("_design/d", ["language": "query"]))
        try await db.put(doc("_local/l", ["v": 1]))
        try await db.put(doc("p:a:b", ["v": 1]))
    }

    @Test func countersFollowWritesDeletesAndPurges() async throws {
        let store = try TemporaryStore()
        let db = try partitioned(store)
        let a1 = try await db.put(doc("a:1", ["text": "one"]))
        try await db.put(doc("a:2", ["text": "two"]))
        try await db.put(doc("b:1", ["text": "other"]))
        var info = try db.partitionInfo("a")
        #expect(info.documentCount == 2 && info.deletedCount == 0)
        #expect(info.externalSize == Int64(#"{"text":"one"}"#.utf8.count + #"{"text":"two"}"#.utf8.count))
        let deleted = try await db.put(doc("a:1", [:], rev: a1, deleted: true))
        info = try db.partitionInfo("a")
        #expect(info.documentCount == 1 && info.deletedCount == 1)
        _ = try await db.purge(["a:1": [Revision(deleted)!]])
        info = try db.partitionInfo("a")
        #expect(info.documentCount == 1 && info.deletedCount == 0)
        #expect(info.externalSize == Int64(#"{"text":"two"}"#.utf8.count))
        #expect(try db.partitionInfo("b").documentCount == 1)
        #expect(try db.partitionInfo("none") == PartitionInfo())
        #expect(throws: DocStoreError(.illegalPartition, "Partition must not start with an underscore")) { try db.partitionInfo("_a") }
        let plain = try store.database("plain")
        #expect(throws: DocStoreError(.badRequest, "database is not partitioned")) { try plain.partitionInfo("a") }
    }

    @Test func aFullPartitionRefusesGrowthButNotShrinkingOrReplication() async throws {
        let store = try TemporaryStore()
        store.store.maxPartitionSize = 50
        let db = try partitioned(store)
        let big = try await db.put(doc("a:1", ["text": .string(String(repeating: "x", count: 60))]))
        let refused = try await db.update([doc("a:2", ["v": 1])])[0]
        #expect(refused.error == DocStoreError(.partitionOverflow, "Partition limit exceeded due to update on 'a:2'"))
        try await db.put(doc("b:1", ["v": 1]))  // another partition
        let smaller = try await db.put(doc("a:1", ["text": "y"], rev: big))  // shrinks
        // Replicated writes are never refused.
        var replicated = doc("a:3", ["text": .string(String(repeating: "z", count: 60))])
        replicated.revision = Revision("1-abc")
        #expect(try await db.update([replicated], newEdits: false)[0].error == nil)
        try await db.put(doc("a:1", [:], rev: smaller, deleted: true))
        store.store.maxPartitionSize = 0  // no limit
        try await db.put(doc("a:4", ["v": 4]))
    }

    @Test func partitionedIndexesReadOnePartition() async throws {
        let store = try TemporaryStore()
        let db = try partitioned(store)
        _ = try await db.createIndex(["index": ["fields": ["n"]], "ddoc": "p", "name": "p"])
        _ = try await db.createIndex(["index": ["fields": ["n"]], "ddoc": "g", "name": "g", "partitioned": false])
        let a2 = try await db.put(doc("a:2", ["n": 2]))
        try await db.put(doc("a:1", ["n": 5]))
        try await db.put(doc("b:1", ["n": 1]))
        func ids(_ body: JSON, partition: String? = nil) async throws -> [String] {
            let result = try await db.find(try FindRequest(body.objectValue!, partition: partition))
            return result.documents.compactMap { $0["_id"]?.stringValue }
        }
        let sorted: JSON = ["selector": ["n": ["$gt": 0]], "sort": ["n"]]
        #expect(try await ids(sorted, partition: "a") == ["a:2", "a:1"])
        #expect(try await ids(sorted, partition: "b") == ["b:1"])
        #expect(try await ids(sorted) == ["b:1", "a:2", "a:1"])
        // The rows move with the document.
        try await db.put(doc("a:2", ["n": 9], rev: a2))
        #expect(try await ids(sorted, partition: "a") == ["a:1", "a:2"])
        // Paging by bookmark stays inside the partition.
        let first = try await db.find(try FindRequest(["selector": ["n": ["$gt": 0]], "sort": ["n"], "limit": 1], partition: "a"))
        let next = try await db.find(try FindRequest(
            ["selector": ["n": ["$gt": 0]], "sort": ["n"], "limit": 5, "bookmark": .string(first.bookmark!)], partition: "a"))
        #expect(next.documents.compactMap { $0["_id"]?.stringValue } == ["a:2"])
        // Without a partitioned index for the sort, CouchDB's partition-specific refusal.
        await #expect(throws: MangoError.noUsablePartitionedSortIndex) {
            _ = try await ids(["selector": ["m": 1], "sort": ["m"]], partition: "a")
        }
        await #expect(throws: MangoError.noUsableGlobalSortIndex) { _ = try await ids(["selector": ["m": 1], "sort": ["m"]]) }
    }
}
