import DocStore
import Foundation
import Logging
import Testing
@testable import Replication

/// A store in its own temporary directory, removed when the test ends.
final class TemporaryStore: @unchecked Sendable {
    let directory: String
    let store: DocumentStore

    init() throws {
        directory = NSTemporaryDirectory() + "replication-test-" + UUID().uuidString
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 16 << 20
        store = try DocumentStore(configuration: configuration)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func database(_ name: String) throws -> DocumentDatabase {
        if store.databaseExists(name) { return try store.database(name) }
        return try store.createDatabase(name)
    }

    func peer(_ name: String) -> LocalPeer { LocalPeer(store: store, name: name) }
}

func rev(_ text: String) -> Revision { Revision(text)! }

/// Quick retries, so tests of failures do not wait.
let testRetry: RetryPolicy = {
    var policy = RetryPolicy()
    policy.initialDelay = .milliseconds(10)
    policy.maximumDelay = .milliseconds(200)
    return policy
}()

let quietLogger: Logger = {
    var logger = Logger(label: "replication-test")
    logger.logLevel = .critical
    return logger
}()

/// Runs a one-shot replication between two peers. - Returns: the job (for its statistics).
@discardableResult
func replicate(
    _ source: any ReplicationPeer, _ target: any ReplicationPeer, configure: (inout ReplicationSpecification) -> Void = { _ in }
) async throws -> (job: ReplicationJob, result: JSONObject) {
    var specification = ReplicationSpecification(source: .local(source.displayName), target: .local(target.displayName))
    specification.batchSize = 100
    configure(&specification)
    let job = ReplicationJob(
        specification: specification, source: source, target: target, nodeUUID: "test-node", retry: testRetry, logger: quietLogger)
    let result = try await job.run()
    return (job, result)
}

/// Every document id with its leaf revisions (sorted), and whether its winner is deleted:
/// what two replicas must agree on.
func leaves(_ database: DocumentDatabase) throws -> [String: [String]] {
    var options = ChangesOptions()
    options.allLeaves = true
    var result: [String: [String]] = [:]
    try database.changes(options) { change in
        result[change.id] = change.revisions.map(\.description).sorted() + (change.deleted ? ["deleted"] : [])
        return true
    }
    return result
}

/// Writes `count` small documents in batches of 1,000.
func fill(_ database: DocumentDatabase, count: Int, prefix: String = "doc", from start: Int = 0) async throws {
    var index = start
    while index < start + count {
        let end = min(index + 1000, start + count)
        let updates = (index..<end).map { i in
            DocumentUpdate(id: String(format: "\(prefix)-%06d", i), body: ["n": .number(JSONNumber(i)), "text": .string("some text for \(i)")])
        }
        let results = try await database.update(updates)
        let failed = results.filter { !$0.isSuccess }
        #expect(failed.isEmpty)
        index = end
    }
}

extension JSONObject {
    func int(_ key: String) -> Int? { self[key]?.int64Value.map(Int.init) }
}
