import Dispatch

/// Runs blocking file work (writes with fsync, reads, unlinks) on dispatch threads, so
/// that it never stalls the Swift concurrency pool (two threads on a two-core machine).
enum Blocking {
    private static let queue = DispatchQueue(label: "divan.objectstore.io", attributes: .concurrent)

    /// Runs `work` on an I/O thread and returns its result. Cancellation does not
    /// interrupt `work` once started.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: work)) }
        }
    }

}
