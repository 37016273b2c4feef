import Crypto
import Foundation
import TestSupport
import Testing
@testable import ObjectStore

/// A store in its own temporary directory, removed when the test ends. Chunks are small
/// (1000 bytes by default) so that a few kilobytes span many chunks.
final class TemporaryStore: @unchecked Sendable {
    let directory: String
    let configuration: ObjectStore.Configuration
    private(set) var store: ObjectStore!

    init(chunkSize: Int = 1000, configure: (inout ObjectStore.Configuration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "objectstore-test-" + UUID().uuidString
        var configuration = ObjectStore.Configuration()
        configuration.chunkSize = chunkSize
        configuration.minimumPartSize = 1
        configuration.initialMapSize = 4 << 20
        configure(&configuration)
        self.configuration = configuration
        store = try ObjectStore(root: directory, configuration: configuration)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Closes the store and opens it again (what a restart does).
    @discardableResult
    func reopen() throws -> ObjectStore {
        store = nil
        store = try ObjectStore(root: directory, configuration: configuration)
        return store
    }

    /// Names of all files under `chunks/`.
    var chunkFiles: [String] {
        let chunks = directory + "/chunks"
        let subdirectories = (try? FileManager.default.contentsOfDirectory(atPath: chunks)) ?? []
        return subdirectories.flatMap { sub in
            ((try? FileManager.default.contentsOfDirectory(atPath: chunks + "/" + sub)) ?? []).map { sub + "/" + $0 }
        }
    }

    /// Fails the test if metadata and files disagree.
    func expectConsistent(_ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try store.consistencyProblems()
        #expect(problems.isEmpty, "\(comment?.rawValue ?? ""): \(problems)", sourceLocation: sourceLocation)
    }

    /// Puts `bytes` in pieces of `pieceSize`.
    @discardableResult
    func put(
        _ bucket: String, _ key: String, _ bytes: [UInt8], pieceSize: Int = 317, metadata: ObjectMetadata = ObjectMetadata()
    ) async throws -> PutObjectResult {
        try await store.putObject(bucket: bucket, key: key, body: Pieces(bytes, pieceSize: pieceSize), metadata: metadata)
    }

    func get(_ bucket: String, _ key: String, range: ByteRange? = nil) async throws -> [UInt8] {
        try await store.getObject(bucket: bucket, key: key, range: range).body.collect()
    }
}

/// A body made of an array, handed out in pieces.
struct Pieces: AsyncSequence, Sendable {
    let bytes: [UInt8]
    let pieceSize: Int

    init(_ bytes: [UInt8], pieceSize: Int = 317) {
        self.bytes = bytes
        self.pieceSize = pieceSize
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let pieceSize: Int
        var offset = 0

        mutating func next() async throws -> ArraySlice<UInt8>? {
            guard offset < bytes.count else { return nil }
            defer { offset = Swift.min(offset + pieceSize, bytes.count) }
            return bytes[offset..<Swift.min(offset + pieceSize, bytes.count)]
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, pieceSize: pieceSize) }
}

/// A body generated as it is read (never held whole): `size` bytes of JSON-like text or
/// of random bytes, the same for the same seed. `onPiece` sees each offset produced.
struct GeneratedBody: AsyncSequence, Sendable {
    enum Kind: Sendable { case json, random }

    let size: Int
    let kind: Kind
    let seed: UInt64
    var pieceSize = 64 << 10
    var onPiece: (@Sendable (Int) -> Void)?

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: GeneratedBody
        var offset = 0
        var random: SplitMix64
        var pending: [UInt8] = []

        mutating func next() async throws -> [UInt8]? {
            guard offset < body.size else { return nil }
            body.onPiece?(offset)
            let count = Swift.min(body.pieceSize, body.size - offset)
            while pending.count < count {
                switch body.kind {
                case .random:
                    let word = random.next()
                    withUnsafeBytes(of: word) { pending.append(contentsOf: $0) }
                case .json:
                    let n = random.next() % 100_000
                    pending.append(contentsOf: Array("{\"id\":\(n),\"name\":\"user-\(n % 997)\",\"active\":\(n % 2 == 0)},\n".utf8))
                }
            }
            let piece = Array(pending[..<count])
            pending.removeFirst(count)
            offset += count
            return piece
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self, random: SplitMix64(seed: seed)) }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

func jsonBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    var bytes: [UInt8] = []
    while bytes.count < count {
        let n = random.next() % 10_000
        bytes.append(contentsOf: Array("{\"id\":\(n),\"title\":\"row \(n % 101)\",\"done\":false},".utf8))
    }
    return Array(bytes[..<count])
}

func md5Hex(_ bytes: [UInt8]) -> String {
    Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

extension ObjectBody {
    func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in self { bytes.append(contentsOf: piece) }
        return bytes
    }
}

/// Expects `body` to throw an `ObjectStoreError` with `code`.
func expectError<T>(
    _ code: ObjectStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code.rawValue), got success", sourceLocation: sourceLocation)
    } catch let error as ObjectStoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A body that yields `pieces` pieces of `pieceSize` bytes, then runs `then` (which
/// may throw, as a dropped connection does, or change the store under the upload).
struct InterruptedBody: AsyncSequence, Sendable {
    let pieces: Int
    let pieceSize: Int
    let then: @Sendable () async throws -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: InterruptedBody
        var produced = 0

        mutating func next() async throws -> [UInt8]? {
            if produced == body.pieces {
                produced += 1
                try await body.then()
                return [7]
            }
            guard produced < body.pieces else { return nil }
            produced += 1
            return randomBytes(body.pieceSize, seed: UInt64(produced))
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}
