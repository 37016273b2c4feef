import Synchronization

/// Wakes waiting readers when commits land. Each subscriber gets its own stream that
/// buffers only the newest value: a slow reader skips to the latest state instead of
/// queueing every commit.
final class Broadcaster<Value: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Value>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let bufferingPolicy: AsyncStream<Value>.Continuation.BufferingPolicy

    init(bufferingPolicy: AsyncStream<Value>.Continuation.BufferingPolicy = .bufferingNewest(1)) {
        self.bufferingPolicy = bufferingPolicy
    }

    /// A stream of values published after this call; it ends when the consumer stops
    /// iterating (its task is cancelled) or when `finishAll` is called.
    func subscribe() -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: bufferingPolicy)
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ value: Value) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(value) }
    }

    func finishAll() {
        let subscribers = state.withLock { state -> [AsyncStream<Value>.Continuation] in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}

/// A server-wide event for `_db_updates`.
public struct DatabaseEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case created, updated, deleted }
    public let database: String
    public let kind: Kind
    /// The database's update sequence after the event (0 for created and deleted).
    public let sequence: UInt64
}
