import Crypto
import Foundation
import TestSupport
import Testing
@testable import ObjectStore

/// Kills a writing child process (`objectstore-crash-writer`) with SIGKILL at random
/// moments, reopens the store and checks that every acknowledged write survived whole,
/// every acknowledged delete stayed deleted, and the sweep left metadata and chunk files
/// in exact agreement (no orphans, no missing files, reference counts right).
@Suite struct CrashSafetyTests {
    static let writerPath = KilledChild.path("objectstore-crash-writer")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: CrashSafetyTests.writerPath), "needs the objectstore-crash-writer target"))
    func acknowledgedWritesSurviveSIGKILL() async throws {
        let directory = NSTemporaryDirectory() + "objectstore-crash-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var present: [String: (etag: String, size: Int)] = [:]
        var gone: Set<String> = []
        var contested: [String: (acknowledged: String?, tried: Set<String>)] = [:]
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        var random = SplitMix64(seed: seed)
        var configuration = ObjectStore.Configuration()
        configuration.chunkSize = 64 << 10
        configuration.minimumPartSize = 1
        for cycle in 0..<12 {
            let lifetime = 0.3 + Double(random.next() % 700) / 1000
            let lines = try await KilledChild.run(Self.writerPath, arguments: [directory, "c\(cycle)"], for: lifetime)
            for line in lines {
                let parts = line.split(separator: " ").map(String.init)
                switch (parts.first, parts.count) {
                case ("put", 4) where parts[1].hasSuffix("/contested"):
                    contested[parts[1], default: (nil, [])] = (parts[2], [])
                case ("put", 4): present[parts[1]] = (parts[2], Int(parts[3])!)
                case ("gone", 2): gone.insert(parts[1])
                case ("try", 3): contested[parts[1], default: (nil, [])].tried.insert(parts[2])
                default: Issue.record("unexpected line \(line)")
                }
            }

            let store = try ObjectStore(root: directory, configuration: configuration)
            var lost: [String] = []
            for (key, expected) in present {
                guard let info = try? store.headObject(bucket: "crash", key: key), info.etag == expected.etag else {
                    lost.append(key)
                    continue
                }
                let bytes = try await store.getObject(bucket: "crash", key: key).body.collect()
                if bytes.count != expected.size { lost.append(key + " (size)") }
                if !expected.etag.contains("-"), "\"" + md5Hex(bytes) + "\"" != expected.etag { lost.append(key + " (bytes)") }
            }
            #expect(lost.isEmpty, "cycle \(cycle) (seed \(seed)): lost \(lost.prefix(5))")
            for key in gone {
                #expect((try? store.headObject(bucket: "crash", key: key)) == nil, "cycle \(cycle): \(key) came back")
            }
            for (key, versions) in contested {
                let etag = (try? store.headObject(bucket: "crash", key: key))?.etag
                let allowed = versions.tried.union(versions.acknowledged.map { [$0] } ?? [])
                if versions.acknowledged != nil || etag != nil {
                    #expect(etag.map(allowed.contains) == true, "cycle \(cycle): \(key) is \(etag ?? "missing")")
                }
                // What survived is final: later cycles must see the same.
                contested[key] = (etag, [])
            }
            let problems = try store.consistencyProblems()
            #expect(problems.isEmpty, "cycle \(cycle) (seed \(seed)): \(problems)")
        }
        #expect(present.count > 50, "the writer acknowledged too little to test anything")
    }
}
