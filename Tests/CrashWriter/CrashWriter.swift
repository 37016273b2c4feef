import DocStore
import Foundation
import TestSupport

/// The child process of DocStoreTests' crash test: writes documents as fast as it can
/// from several tasks and prints `id rev` for each write once it is acknowledged, until
/// the test kills it with SIGKILL.
@main
struct CrashWriter {
    static func main() async throws {
        CrashChild.exitWithParent()
        let directory = CommandLine.arguments[1]
        let prefix = CommandLine.arguments[2]
        var configuration = DocumentStore.Configuration(dataDirectory: directory)
        configuration.initialMapSize = 1 << 20  // small, so that map growth happens under fire
        let store = try DocumentStore(configuration: configuration)
        let db = store.databaseExists("crash") ? try store.database("crash") : try store.createDatabase("crash")
        if CommandLine.arguments.count > 3, CommandLine.arguments[3] == "mango" {
            // Indexes maintained by every write, and one new per run whose build the kill interrupts.
            _ = try await db.createIndex(["index": ["fields": ["n"]], "ddoc": "n", "name": "n"])
            _ = try await db.createIndex(["index": ["fields": ["round"]], "ddoc": "round", "name": "round"])
            _ = try await db.createIndex(["index": ["fields": ["payload"]], "ddoc": .string(prefix), "name": "payload"])
        }
        let views = CommandLine.arguments.count > 3 && CommandLine.arguments[3] == "views"
        if views, (try? db.document("_design/v")) == nil {
            // A view over every document, built in batches while the writers go on; the kill
            // lands in the middle of a build.
            let map = "function(doc){ emit(doc.n === undefined ? null : doc.n, doc.payload ? doc.payload.length : 1); }"
            try await db.put(DocumentUpdate(id: "_design/v", body: ["views": ["all": ["map": .string(map), "reduce": "_count"]]]))
        }
        let acknowledge = CrashChild.acknowledge
        try await withThrowingTaskGroup(of: Void.self) { group in
            if views {
                group.addTask {
                    var query = ViewQuery()
                    query.reduce = false
                    query.limit = 1
                    while true { _ = try await db.queryView(designDocument: "_design/v", view: "all", query) }
                }
            }
            for task in 0..<8 {
                group.addTask {
                    var round = 0
                    var last: (String, String)?
                    while true {
                        round += 1
                        if task % 2 == 0 {
                            let batch = (0..<25).map { i in
                                DocumentUpdate(id: "\(prefix)-\(task)-\(round)-\(i)", body: ["payload": .string(String(repeating: "p", count: 200 + i))])
                            }
                            let results = try await db.update(batch)
                            acknowledge(results.compactMap { r in r.revision.map { "\(r.id) \($0)" } })
                        } else if let (id, rev) = last, round % 3 == 0 {
                            let next = try await db.put(DocumentUpdate(id: id, revision: Revision(rev), body: ["round": .number(JSONNumber(round))]))
                            last = (id, next)
                            acknowledge(["\(id) \(next)"])
                        } else {
                            let id = "\(prefix)-\(task)-\(round)"
                            let rev = try await db.put(DocumentUpdate(id: id, body: ["n": .number(JSONNumber(round))]))
                            last = (id, rev)
                            acknowledge(["\(id) \(rev)"])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
