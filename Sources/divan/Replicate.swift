import ArgumentParser
import DocStore
import Foundation
import Logging
import Replication

/// `divan replicate SOURCE TARGET`: one replication from the command line, with a
/// live progress bar on standard error and a summary at the end.
struct Replicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replicate a database to another (URLs, or names of databases under --data).")

    @Argument(help: "Source: a database URL (credentials in the userinfo) or a local database name.") var source: String
    @Argument(help: "Target: a database URL or a local database name.") var target: String
    @Flag(help: "Keep replicating new changes until interrupted.") var continuous = false
    @Flag(name: .customLong("create-target"), help: "Create the target database if it does not exist.") var createTarget = false
    @Option(help: "Data directory for local database names (default ./divan-data, or DIVAN_DATA).") var data: String?
    @Option(name: .customLong("batch-size"), help: "Changes per batch.") var batchSize: Int?
    @Option(help: "Batches replicated at once.") var workers: Int?
    @Flag(name: .customLong("no-progress"), help: "No progress bar.") var noProgress = false

    func run() async throws {
        var specification = ReplicationSpecification(source: ReplicationEndpoint(source), target: ReplicationEndpoint(target))
        specification.continuous = continuous
        specification.createTarget = createTarget
        if let batchSize { specification.batchSize = max(1, batchSize) }
        if let workers { specification.workers = max(1, workers) }
        let directory = data ?? ProcessInfo.processInfo.environment["DIVAN_DATA"] ?? "./divan-data"
        var store: DocumentStore?
        func peer(_ endpoint: ReplicationEndpoint) throws -> any ReplicationPeer {
            switch endpoint {
            case .remote(let url, let headers):
                return try HTTPPeer(url: url, headers: headers)
            case .local(let name):
                if store == nil { store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory)) }
                return LocalPeer(store: store!, name: name)
            }
        }
        var logger = Logger(label: "divan.replicate")
        logger.logLevel = .error
        let job = ReplicationJob(
            specification: specification, source: try peer(specification.source), target: try peer(specification.target),
            nodeUUID: Self.nodeUUID(directory), logger: logger)
        let started = ContinuousClock.now
        let bar = noProgress ? nil : Task { await ProgressBar(job: job).run() }
        defer { bar?.cancel() }
        do {
            let result = try await job.run()
            bar?.cancel()
            _ = await bar?.value
            Self.summary(job, elapsed: ContinuousClock.now - started, lastSequence: result["source_last_seq"])
        } catch {
            bar?.cancel()
            _ = await bar?.value
            FileHandle.standardError.write(Data("\ndivan: replication failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The server's uuid when the data directory has one, so that the CLI and the server
    /// share checkpoints; a fixed one otherwise (ids stay stable across runs).
    static func nodeUUID(_ directory: String) -> String {
        guard let bytes = FileManager.default.contents(atPath: directory + "/server.json"),
            let uuid = (try? JSON.parse(Array(bytes)))?["uuid"]?.stringValue
        else { return "divan-cli" }
        return uuid
    }

    static func summary(_ job: ReplicationJob, elapsed: Duration, lastSequence: JSON?) {
        let statistics = job.progress.sessionStatistics
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(statistics.documentsWritten) / seconds : 0
        print("replicated \(job.source.displayName) -> \(job.target.displayName) in \(String(format: "%.1f", seconds)) s")
        print("  docs read \(statistics.documentsRead), written \(statistics.documentsWritten), write failures \(statistics.documentWriteFailures)")
        print("  revisions checked \(statistics.revisionsChecked), missing found \(statistics.missingRevisionsFound)")
        print("  \(Int(rate)) docs/s; checkpoint at \(lastSequence.map { $0.stringValue ?? $0.serializedString } ?? "-")")
    }
}

/// A one-line progress bar redrawn on standard error: documents written, rate, pending.
struct ProgressBar {
    let job: ReplicationJob

    func run() async {
        var lastWritten = 0
        var last = ContinuousClock.now
        var rate = 0.0
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let statistics = job.progress.sessionStatistics
            let now = ContinuousClock.now
            let interval = now - last
            let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
            if seconds > 0 {
                let instant = Double(statistics.documentsWritten - lastWritten) / seconds
                rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant
            }
            lastWritten = statistics.documentsWritten
            last = now
            FileHandle.standardError.write(Data(("\r" + Self.line(statistics, rate: rate, phase: job.progress.phase)).utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func line(_ statistics: ReplicationStatistics, rate: Double, phase: JobProgress.Phase) -> String {
        let written = statistics.documentsWritten
        let pending = statistics.changesPending ?? 0
        let total = written + pending
        let width = 30
        let filled = total > 0 ? min(width, written * width / total) : (phase == .running ? 0 : width)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let state = phase == .running ? "" : "  (\(phase.rawValue))"
        return "[\(bar)] \(written) written  \(Int(rate)) docs/s  pending \(pending)\(state)   "
    }
}
