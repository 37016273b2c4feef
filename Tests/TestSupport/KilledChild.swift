import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process killed with SIGKILL at a moment of the test's choosing: what crash
/// tests are made of. The child is an executable target built next to the test bundle;
/// it prints one line per write it acknowledged.
public enum KilledChild {
    /// The path of the executable target `name`, built beside the running tests.
    public static func path(_ name: String) -> String {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts `path` with `arguments`, lets it run for `seconds`, kills it with SIGKILL
    /// and returns the lines it printed whole (a last line without its newline may have
    /// been cut by the kill, so it is left out).
    public static func run(_ path: String, arguments: [String], for seconds: Double) async throws -> [Substring] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: path)
        child.arguments = arguments
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let reader = Task { await readToEnd(pipe) }
        try await Task.sleep(for: .seconds(seconds))
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let text = String(decoding: await reader.value, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        return Array(text.hasSuffix("\n") ? lines : lines.dropLast())
    }

    /// Reads a pipe to its end on a GCD thread. A blocking read inside a Swift task would
    /// hold one of the cooperative pool's threads (two on a two-core machine); two such
    /// tests in parallel then starve every other task, including the one that kills the
    /// child.
    private static func readToEnd(_ pipe: Pipe) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile()) }
        }
    }
}
