/// How hard a replication tries again after transient errors: each HTTP request a
/// few times quickly, then the whole session (from its last checkpoint) with
/// exponential backoff.
public struct RetryPolicy: Sendable {
    /// Attempts after the first for one request or one document write.
    public var requestRetries = 5
    /// Sessions restarted after a transient failure before a one-shot job fails
    /// (continuous jobs never give up).
    public var sessionRetries = 10
    /// The first delay; each retry doubles it.
    public var initialDelay: Duration = .milliseconds(250)
    public var maximumDelay: Duration = .seconds(60)

    public init() {}

    /// The delay before retry number `attempt` (1-based): doubling, capped, with up to
    /// 25% jitter so that many jobs do not retry in lockstep.
    public func delay(attempt: Int) -> Duration {
        let doubled = initialDelay * (1 << min(max(attempt - 1, 0), 20))
        let capped = min(doubled, maximumDelay)
        return capped + capped * Double.random(in: 0..<0.25)
    }

    /// Runs `body`, retrying transient `ReplicationError`s up to `requestRetries` times.
    func retrying<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as ReplicationError where error.isTransient && attempt < requestRetries {
                attempt += 1
                try await Task.sleep(for: delay(attempt: attempt))
            }
        }
    }
}
