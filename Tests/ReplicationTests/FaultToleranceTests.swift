import DocStore
import Foundation
import Testing
import TestSupport
@testable import Replication

/// Replication through failures: a source that errs and cuts connections, a process
/// killed part-way, a very large attachment.
@Suite(.serialized) struct FaultToleranceTests {
    @Test func aFaultySourceIsRetriedWithoutLosingOrDuplicatingAnything() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/source").status == 201)
        try await a.fill("source", count: 2_000)
        let attachment = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for i in 0..<5 {
            #expect(try await a.request(.PUT, "/source/file-\(i)/data.bin", bytes: attachment).status == 201)
        }
        let proxy = FaultyProxy(upstream: a.adminURL)
        let proxied = try await proxy.start()
        defer { proxy.stop() }
        var specification = ReplicationSpecification(source: .remote(url: proxied + "/source", headers: [:]), target: .remote(url: b.url + "/target", headers: [:]))
        specification.createTarget = true
        specification.batchSize = 100
        let source = try HTTPPeer(url: proxied.replacingOccurrences(of: "http://", with: "http://\(DivanProcess.admin.0):\(DivanProcess.admin.1)@") + "/source")
        let target = try HTTPPeer(url: b.adminURL + "/target")
        let job = ReplicationJob(specification: specification, source: source, target: target, nodeUUID: "faulty", retry: testRetry, logger: quietLogger)
        _ = try await job.run()
        #expect(proxy.faults.load(ordering: .relaxed) > 10, "the proxy injected too few faults to test anything")
        let expected = try await a.leaves("source")
        #expect(expected.count == 2_005)
        #expect(try await b.leaves("target") == expected)
        // Each revision was written once: a replayed write changes nothing.
        let info = try await b.request(.GET, "/target").json
        #expect(info["doc_count"] == 2005)
        #expect(info["update_seq"]?.stringValue?.hasPrefix("2005-") == true)
        let copied = try await b.request(.GET, "/target/file-3/data.bin")
        #expect(copied.body == attachment)
    }

    @Test func aKilledReplicationResumesFromItsCheckpoint() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        let total = 50_000
        #expect(try await a.request(.PUT, "/source").status == 201)
        try await a.fill("source", count: total)
        let arguments = ["replicate", a.adminURL + "/source", b.adminURL + "/target", "--create-target", "--no-progress"]
        let first = try CommandLineRun(arguments)
        var written = 0
        let started = try await DivanProcess.eventually(600) {
            written = try await b.request(.GET, "/target").json["doc_count"]?.int64Value.map(Int.init) ?? 0
            return written >= 10_000 || !first.isRunning
        }
        #expect(started && first.isRunning, "the first run ended before it could be killed")
        await first.kill()
        let atKill = try await b.request(.GET, "/target").json["doc_count"]?.int64Value.map(Int.init) ?? 0
        #expect(atKill < total)
        let second = try CommandLineRun(arguments)
        let output = await second.wait()
        #expect(second.status == 0, "\(output)")
        let checked = Self.number(after: "revisions checked ", in: output)
        let writtenAfter = Self.number(after: "written ", in: output)
        print("killed with \(atKill) of \(total) on the target; the second run checked \(checked ?? -1) revisions and wrote \(writtenAfter ?? -1)")
        // The second run starts from the last checkpoint: at most the batches in flight
        // at the kill (4 workers × 500) are checked again.
        #expect(checked != nil && checked! <= total - atKill + 2_000, "\(output)")
        #expect(writtenAfter != nil && writtenAfter! <= total - atKill && writtenAfter! < total, "\(output)")
        let (left, right) = (try await a.leaves("source"), try await b.leaves("target"))
        #expect(left.count == total && left == right)
    }

    @Test func aHundredMegabyteAttachmentStreamsBothWays() async throws {
        let a = try await DivanProcess()
        let b = try await DivanProcess()
        #expect(try await a.request(.PUT, "/db").status == 201)
        var generator = SplitMix64(seed: 42)
        let size = 100 << 20
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                for offset in 0..<8 where index + offset < size { bytes[index + offset] = word[offset] }
            }
        }
        #expect(try await a.request(.PUT, "/db/big/blob.bin", bytes: bytes).status == 201)
        bytes = []
        let original = try await a.request(.GET, "/db/big").json["_attachments"]?["blob.bin"]
        // Pull: B fetches the bytes over HTTP and stages them as they arrive.
        let pullWatch = MemoryWatch(b.process.processIdentifier)
        let pull = try await b.request(.POST, "/_replicate", json: ["source": .string(a.adminURL + "/db"), "target": "pulled", "create_target": true])
        let pullPeak = await pullWatch.stop()
        #expect(pull.status == 200, "\(pull.text)")
        // Push: A streams the bytes from its store into a multipart PUT to B.
        let pushWatch = MemoryWatch(a.process.processIdentifier)
        let push = try await a.request(.POST, "/_replicate", json: ["source": "db", "target": .string(b.adminURL + "/pushed"), "create_target": true])
        let pushPeak = await pushWatch.stop()
        #expect(push.status == 200, "\(push.text)")
        for name in ["pulled", "pushed"] {
            let copy = try await b.request(.GET, "/\(name)/big").json["_attachments"]?["blob.bin"]
            #expect(copy?["digest"] == original?["digest"] && copy?["length"] == .number(JSONNumber(size)))
        }
        // Streaming keeps the heap far below the attachment's size (file pages that LMDB
        // maps are not counted: they are the database, not buffers).
        // A's heap already holds what the 100 MB upload left behind: count its growth.
        print("anonymous memory: pulling server peak \(pullPeak.peak >> 20) MiB (from \(pullPeak.start >> 20)), pushing server peak \(pushPeak.peak >> 20) MiB (from \(pushPeak.start >> 20))")
        #expect(pullPeak.peak - pullPeak.start < 50 << 20 && pushPeak.peak - pushPeak.start < 50 << 20)
    }

    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Samples a process's anonymous resident memory (`RssAnon`: heap and stacks, not
/// mapped files) until stopped, in bytes.
final class MemoryWatch: Sendable {
    private let task: Task<Int, Never>
    private let start: Int

    init(_ pid: Int32) {
        start = Self.anonymous(pid)
        task = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, Self.anonymous(pid))
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
    }

    /// - Returns: the highest sample and the one taken at the start.
    func stop() async -> (peak: Int, start: Int) {
        task.cancel()
        return (await task.value, start)
    }

    static func anonymous(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }
}

/// `divan …` as a child process, its output collected off the cooperative pool.
/// Killed only by its PID.
final class CommandLineRun: @unchecked Sendable {
    let process = Process()
    let output = Pipe()
    private var collected: Task<Data, Never>?

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: DivanProcess.binary)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let handle = output.fileHandleForReading
        collected = Task {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
            }
        }
    }

    var isRunning: Bool { process.isRunning }
    var status: Int32 { process.terminationStatus }

    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Waits for the exit. - Returns: everything it printed.
    func wait() async -> String {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        return String(decoding: await collected?.value ?? Data(), as: UTF8.self)
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
