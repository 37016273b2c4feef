import Crypto
import Foundation
import ObjectStore
import TestSupport

/// The child process of ObjectStoreTests' crash test: writes objects as fast as it can
/// from several tasks (PUTs across chunk boundaries, multipart uploads, copies,
/// overwrites of one key, deletes) and prints a line for each write once it is
/// acknowledged, until the test kills it with SIGKILL.
///
/// Lines: `put <key> <etag> <size>` for an object that must exist with that ETag;
/// `gone <key>` for a deleted one; `try <key> <etag>` before and `put …` after each
/// overwrite of the contested key (which may end as the last acknowledged version or
/// any version tried after it).
@main
struct ObjectStoreCrashWriter {
    static func main() async throws {
        CrashChild.exitWithParent()
        let directory = CommandLine.arguments[1]
        let prefix = CommandLine.arguments[2]
        var configuration = ObjectStore.Configuration()
        configuration.chunkSize = 64 << 10
        configuration.minimumPartSize = 1
        configuration.initialMapSize = 1 << 20  // small, so that map growth happens under fire
        let store = try ObjectStore(root: directory, configuration: configuration)
        if try !store.bucketExists("crash") { try await store.createBucket("crash") }
        let say: @Sendable (String) -> Void = { CrashChild.acknowledge([$0]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<6 {
                group.addTask {
                    var round = 0
                    while true {
                        round += 1
                        let key = "\(prefix)/\(task)/\(round)"
                        let bytes = body(seed: UInt64(task * 1_000_000 + round), size: 1000 + (round * 37_813) % 300_000)
                        switch task {
                        case 0, 1:
                            let result = try await store.putObject(bucket: "crash", key: key, body: Body(bytes))
                            say("put \(key) \(result.etag) \(result.size)")
                        case 2:
                            let upload = try await store.createMultipartUpload(bucket: "crash", key: key)
                            let half = bytes.count / 2
                            var parts: [CompletedPart] = []
                            for (number, piece) in [Array(bytes[..<half]), Array(bytes[half...])].enumerated() {
                                let part = try await store.uploadPart(
                                    bucket: "crash", key: key, uploadID: upload, partNumber: number + 1, body: Body(piece))
                                parts.append(CompletedPart(partNumber: number + 1, etag: part.etag))
                            }
                            let result = try await store.completeMultipartUpload(bucket: "crash", key: key, uploadID: upload, parts: parts)
                            say("put \(key) \(result.etag) \(result.size)")
                        case 3:
                            let source = try await store.putObject(bucket: "crash", key: key, body: Body(bytes))
                            say("put \(key) \(source.etag) \(source.size)")
                            let copy = try await store.copyObject(sourceBucket: "crash", sourceKey: key, bucket: "crash", key: key + "-copy")
                            say("put \(key)-copy \(copy.etag) \(copy.size)")
                        case 4:
                            try await store.putObject(bucket: "crash", key: key, body: Body(bytes))
                            try await store.deleteObject(bucket: "crash", key: key)
                            say("gone \(key)")
                        default:
                            let contested = "\(prefix)/contested"
                            say("try \(contested) \"\(md5Hex(bytes))\"")
                            let result = try await store.putObject(bucket: "crash", key: contested, body: Body(bytes))
                            say("put \(contested) \(result.etag) \(result.size)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func body(seed: UInt64, size: Int) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while bytes.count < size {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Half the objects compress (text), half do not (noise).
            if seed % 2 == 0 {
                bytes.append(contentsOf: Array("{\"n\":\(state >> 50)}\n".utf8))
            } else {
                withUnsafeBytes(of: state) { bytes.append(contentsOf: $0) }
            }
        }
        return Array(bytes[..<size])
    }

    static func md5Hex(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// A body handed to the store in 16 KiB pieces, as a network would.
struct Body: AsyncSequence, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        var offset = 0

        mutating func next() async -> ArraySlice<UInt8>? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + 16_384, bytes.count)
            defer { offset = end }
            return bytes[offset..<end]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
