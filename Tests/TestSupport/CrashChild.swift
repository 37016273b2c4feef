import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The child's side of a crash test.
public enum CrashChild {
    private static let output = NSLock()

    /// Ends this process once its parent (the test process) is gone, should the test end
    /// before killing it.
    public static func exitWithParent() {
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { usleep(100_000) }
            exit(0)
        }
    }

    /// Prints acknowledged writes, a line each, in one write so lines of concurrent
    /// writers never interleave. Call only after the writes are durable.
    public static func acknowledge(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        output.lock()
        defer { output.unlock() }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
