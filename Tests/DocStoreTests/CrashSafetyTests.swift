import Foundation
import TestSupport
import Testing
@testable import DocStore

/// Kills a writing child process with SIGKILL at random moments and checks that every
/// write it acknowledged survived and that the database still opens.
@Suite struct CrashSafetyTests {
    static let writerPath = KilledChild.path("docstore-crash-writer")

    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        let directory = NSTemporaryDirectory() + "docstore-crash-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #require(FileManager.default.isExecutableFile(atPath: Self.writerPath), "build the crash writer first")
        var acknowledged: [String: String] = [:]
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SplitMix64(seed: seed)
        for cycle in 0..<20 {
            // Let it write for a random while, reading what it acknowledges.
            let lifetime = 0.15 + Double(random.next() % 600) / 1000
            let complete = try await KilledChild.run(Self.writerPath, arguments: [directory, "c\(cycle)"], for: lifetime)
            for line in complete {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                acknowledged[String(parts[0])] = String(parts[1])
            }
            // Reopen and check every acknowledged write so far.
            let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
            let db = try store.database("crash")
            var lost: [String] = []
            for (id, revision) in acknowledged {
                let answers = try db.openRevisions(id, revisions: [Revision(revision)!], latest: true)
                if !answers.contains(where: { if case .found = $0 { true } else { false } }) { lost.append("\(id) \(revision)") }
            }
            #expect(lost.isEmpty, "cycle \(cycle) (seed \(seed)): lost \(lost.prefix(5))")
            #expect(try db.info().documentCount >= acknowledged.count)
        }
        #expect(acknowledged.count > 100, "the writer acknowledged too little to test anything")
    }
}
