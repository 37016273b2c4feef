import DocStore
import Foundation
import LMDB

/// `make bench`: each figure is printed next to a baseline measured in the same run.
@main
struct Bench {
    static func main() async throws {
        // divan-bench [suite [part ...]]: e.g. `divan-bench docstore single`.
        let arguments = Array(CommandLine.arguments.dropFirst())
        let suite = arguments.first
        let parts = Set(arguments.dropFirst())
        if suite == nil || suite == "docstore" { try await DocStoreBench.run(parts) }
        if suite == nil || suite == "http" { try await HTTPBench.run() }
        if suite == nil || suite == "replication" { try await ReplicationBench.run(parts) }
        if suite == nil || suite == "s3" { try await S3Bench.run(parts) }
        if suite == nil || suite == "collation" { try await CollationBench.run() }
        if suite == nil || suite == "mango" { try await MangoBench.run(parts) }
        if suite == nil || suite == "views" { try await ViewBench.run(parts) }
        if suite == nil || suite == "apps" { try await AppBench.run(parts) }
    }
}

/// Wall-clock seconds of `body`.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func report(_ name: String, _ value: Double, unit: String, baseline: Double, baselineName: String) {
    let ratio = baseline > 0 ? value / baseline : 0
    print(
        String(format: "%-44@ %12.0f %@   baseline (%@) %12.0f %@   ratio %.2f", name as NSString, value, unit as NSString,
               baselineName as NSString, baseline, unit as NSString, ratio))
}

func temporaryDirectory(_ label: String) -> String {
    let path = NSTemporaryDirectory() + "divan-bench-\(label)-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
