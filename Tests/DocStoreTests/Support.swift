import Foundation
import Testing
@testable import DocStore

/// A store in its own temporary directory, removed when the test ends.
final class TemporaryStore: @unchecked Sendable {
    let directory: String
    let store: DocumentStore

    init(configure: (inout DocumentStore.Configuration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "docstore-test-" + UUID().uuidString
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 8 << 20
        configure(&configuration)
        store = try DocumentStore(configuration: configuration)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func database(_ name: String = "db") throws -> DocumentDatabase {
        if store.databaseExists(name) { return try store.database(name) }
        return try store.createDatabase(name)
    }
}

func doc(_ id: String?, _ fields: JSONObject = [:], rev: String? = nil, deleted: Bool = false) -> DocumentUpdate {
    DocumentUpdate(id: id, revision: rev.flatMap(Revision.init), deleted: deleted, body: fields)
}


extension DocumentDatabase {
    /// The winning revision of `id`, or nil.
    func winner(_ id: String) -> String? {
        (try? document(id))?.revision.description
    }
}
