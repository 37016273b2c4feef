import DocStore

/// The events a waiting feed reacts to: a commit landed, or a heartbeat interval passed.
enum FeedEvent: Sendable { case commit, tick }

/// Runs `body` with a stream that merges a notification source and heartbeat ticks;
/// both producers stop when `body` returns or throws (e.g. the client went away).
func withFeedEvents<Notification: Sendable, T: Sendable>(
    notifications: AsyncStream<Notification>, tick: Duration,
    _ body: (inout AsyncStream<FeedEvent>.Iterator) async throws -> T
) async throws -> T {
    let (events, continuation) = AsyncStream<FeedEvent>.makeStream(bufferingPolicy: .bufferingNewest(4))
    let forwarder = Task {
        for await _ in notifications { continuation.yield(.commit) }
        continuation.finish()
    }
    let ticker = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            continuation.yield(.tick)
        }
    }
    defer {
        forwarder.cancel()
        ticker.cancel()
        continuation.finish()
    }
    var iterator = events.makeAsyncIterator()
    return try await body(&iterator)
}

/// Reads a duration parameter in milliseconds (`heartbeat=true` means 60 s).
func milliseconds(_ query: QueryParameters, _ name: String, default value: Int) throws(CouchError) -> Int {
    if query[name] == "true" { return 60_000 }
    return try query.int(name) ?? value
}

/// `heartbeat` in milliseconds (`true` means 60 s), nil when absent; anything else is
/// CouchDB's `bad_request`, not a query parse error.
func heartbeatMilliseconds(_ query: QueryParameters) throws(CouchError) -> Int? {
    guard let text = query["heartbeat"] else { return nil }
    if text == "true" { return 60_000 }
    guard let value = Int(text), value >= 0 else {
        throw CouchError.badRequest("Invalid heartbeat value. Expecting a positive integer value (in milliseconds).")
    }
    return value
}
