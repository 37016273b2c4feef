import Logging
import ObjectStore
import ServiceLifecycle

/// Applies buckets' lifecycle rules in the background: runs `expireObjects` every
/// `interval`, and soon after `kick()` (a changed configuration). A `Service` of the S3
/// application, so it lives exactly as long as the listener and stops at graceful
/// shutdown.
///
/// Rounds never overlap: one loop runs them in turn; kicks that arrive during a round
/// collapse into one more round.
final class ExpirationSweeper: Service, Sendable {
    /// The store whose lifecycle rules are applied.
    let store: ObjectStore
    /// Rounds that change something, and failures, are logged.
    let logger: Logger
    /// Time between rounds when nothing kicks.
    let interval: Duration
    private let rounds: AsyncStream<Void>
    private let requests: AsyncStream<Void>.Continuation

    /// - Parameter interval: a minute by default: expiry is by the day, so this is prompt enough.
    init(store: ObjectStore, logger: Logger, interval: Duration = .seconds(60)) {
        self.store = store
        self.logger = logger
        self.interval = interval
        (rounds, requests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a round now (it runs after the current one, if any).
    func kick() { requests.yield() }

    /// Runs rounds until graceful shutdown (or cancellation); a round in progress finishes first.
    func run() async throws {
        let interval = interval, requests = requests
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        requests.yield()
                    }
                }
                for await _ in self.rounds {
                    await self.sweep()
                }
                group.cancelAll()
            }
        }
    }

    /// One round; failures are logged and the next round tries again.
    func sweep() async {
        do {
            let report = try await store.expireObjects()
            if report.objectsDeleted > 0 || report.uploadsAborted > 0 {
                logger.info("S3 lifecycle: expired \(report.objectsDeleted) objects, aborted \(report.uploadsAborted) uploads")
            }
        } catch {
            logger.error("S3 lifecycle sweep failed: \(error)")
        }
    }
}
