import Synchronization
import Zstd

/// Turns a streamed body into durable chunk files, `chunkSize` bytes of input each.
///
/// Pipelined, so the work of one body spreads over the cores: while the next chunk
/// fills, up to `inFlight` full chunks are compressed and written (each on an I/O
/// thread), and the digests (MD5 for the ETag, the checksums) are computed chunk by
/// chunk, in order, on another. Memory: `inFlight + 1` chunks plus one body element,
/// whatever the body's size.
///
/// Nothing it writes is named by metadata yet: on any failure (the body throws, the size
/// limit is passed, the task is cancelled) it removes the files it wrote before
/// rethrowing, and a caller whose later steps fail calls `discard`.
struct ChunkWriter: Sendable {
    let files: ChunkFiles
    let chunkSize: Int
    let level: Int32
    /// Chunks being compressed and written at once, per body.
    let inFlight = 2

    /// A full chunk on its way: its file being written and its bytes being hashed.
    private struct Pending {
        let stored: Task<ChunkReference, any Error>
        /// `nil` for the last chunk, which the caller hashes itself.
        let hashed: Task<Void, Never>?
    }

    /// Reads `body` to its end, feeding `digest`, and writes its chunks.
    /// - Returns: the chunk list and the number of bytes.
    /// - Throws: `EntityTooLarge` beyond `limit` bytes, the body's errors, I/O errors.
    func write<Body: AsyncSequence>(
        _ body: Body, limit: Int, digest: inout BodyDigest
    ) async throws -> (chunks: [ChunkReference], size: Int) where Body.Element: Collection<UInt8> {
        var chunks: [ChunkReference] = []
        var pending: [Pending] = []  // oldest first
        let hasher = ChainedDigest(digest)
        var filling = ChunkBuffer(capacity: chunkSize)
        var size = 0
        do {
            for try await piece in body {
                var full: [[UInt8]] = []
                let count = piece.withContiguousStorageIfAvailable { bytes in
                    filling.take(UnsafeRawBufferPointer(bytes)) { full.append($0) }
                } ?? Array(piece).withUnsafeBytes { bytes in filling.take(bytes) { full.append($0) } }
                size += count
                guard size <= limit else {
                    throw ObjectStoreError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size (\(limit) bytes).")
                }
                for chunk in full {
                    if pending.count >= inFlight {
                        let oldest = pending.removeFirst()
                        await oldest.hashed?.value
                        chunks.append(try await oldest.stored.value)
                    }
                    pending.append(Pending(stored: start(chunk), hashed: hasher.hash(chunk)))
                }
            }
            try Task.checkCancellation()
            // The last chunk is written while its bytes are hashed here.
            let last = filling.remainder()
            if let last { pending.append(Pending(stored: start(last), hashed: nil)) }
            digest = await hasher.finish(with: last ?? [])
            while !pending.isEmpty { chunks.append(try await pending.removeFirst().stored.value) }
            return (chunks, size)
        } catch {
            for entry in pending { if let written = try? await entry.stored.value { chunks.append(written) } }
            await discard(chunks)
            throw error
        }
    }

    /// Writes one chunk from bytes already in memory (part copies).
    func write(_ bytes: [UInt8]) async throws -> ChunkReference {
        try await start(bytes).value
    }

    /// Removes chunk files that no metadata names (a write that failed or lost).
    func discard(_ chunks: [ChunkReference]) async {
        guard !chunks.isEmpty else { return }
        let files = files
        _ = try? await Blocking.run { for chunk in chunks { files.remove(chunk.id) } }
    }

    private func start(_ bytes: [UInt8]) -> Task<ChunkReference, any Error> {
        let files = files
        let level = level
        return Task { try await Blocking.run { try Self.store(bytes, files: files, level: level) } }
    }

    /// Compresses when that saves at least 1/64 of the chunk (a smaller saving is not
    /// worth decompressing on every read), then writes the file durably. A large chunk
    /// whose samples do not compress (media, archives, encrypted data) is stored raw
    /// without a full compression attempt. Blocks.
    private static func store(_ bytes: [UInt8], files: ChunkFiles, level: Int32) throws -> ChunkReference {
        let id = ChunkID.random()
        let minimumSaving = max(64, bytes.count / 64)
        let compressed = bytes.withUnsafeBytes { source -> [UInt8]? in
            guard source.count > minimumSaving, samplesCompress(source, level: level) else { return nil }
            guard let output = compress(source, level: level), output.count <= source.count - minimumSaving else { return nil }
            return output
        }
        if let compressed {
            try compressed.withUnsafeBytes { try files.write(id, $0) }
            return ChunkReference(id: id, size: bytes.count, storedSize: compressed.count, compressed: true)
        }
        try bytes.withUnsafeBytes { try files.write(id, $0) }
        return ChunkReference(id: id, size: bytes.count, storedSize: bytes.count, compressed: false)
    }

    /// Chunks smaller than this are always tried whole.
    static let smallestSampled = 64 << 10

    /// Whether a chunk looks compressible, judged on three samples (its start, middle and
    /// end, each 1/128 of the chunk and at least 4 KiB) as btrfs does: `true` when together
    /// they save at least 1/64. Sampling costs about 2% of compressing the chunk and saves
    /// a whole attempt per incompressible chunk. Chunks under `smallestSampled` are cheap
    /// enough to try whole.
    static func samplesCompress(_ bytes: UnsafeRawBufferPointer, level: Int32) -> Bool {
        guard bytes.count >= smallestSampled else { return true }
        let size = max(4096, bytes.count / 128)
        var saved = 0
        for start in [0, bytes.count / 2 - size / 2, bytes.count - size] {
            let sample = UnsafeRawBufferPointer(rebasing: bytes[start..<start + size])
            saved += size - (compress(sample, level: level)?.count ?? size)
        }
        return saved >= 3 * size / 64
    }

    /// zstd's output for `source`, or nil when zstd fails.
    private static func compress(_ source: UnsafeRawBufferPointer, level: Int32) -> [UInt8]? {
        let bound = Zstd.compressBound(source.count)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            written = (try? Zstd.compress(source, into: UnsafeMutableRawBufferPointer(buffer), level: level)) ?? -1
            initialized = max(written, 0)
        }
        return written < 0 ? nil : output
    }
}

/// The chunk being filled: bytes are appended until it holds `capacity`, then it is
/// handed over whole (moved, not copied) and a new one starts.
private struct ChunkBuffer {
    let capacity: Int
    private var bytes: [UInt8] = []

    init(capacity: Int) {
        self.capacity = capacity
        bytes.reserveCapacity(capacity)
    }

    /// Appends `piece` and hands each chunk it fills to `full`. Returns `piece.count`.
    mutating func take(_ piece: UnsafeRawBufferPointer, full: ([UInt8]) -> Void) -> Int {
        var rest = piece[...]
        while !rest.isEmpty {
            let count = min(capacity - bytes.count, rest.count)
            bytes.append(contentsOf: rest.prefix(count))
            rest = rest.dropFirst(count)
            if bytes.count == capacity {
                full(bytes)
                bytes = []
                bytes.reserveCapacity(capacity)
            }
        }
        return piece.count
    }

    /// The last, partly filled chunk, if it holds anything.
    func remainder() -> [UInt8]? { bytes.isEmpty ? nil : bytes }
}

/// A body's digests computed off the receiving task, chunk after chunk in order: each
/// `hash` runs on an I/O thread once the previous one has finished.
private final class ChainedDigest: Sendable {
    private let digest: Mutex<BodyDigest>
    private let last = Mutex<Task<Void, Never>?>(nil)

    init(_ digest: BodyDigest) { self.digest = Mutex(digest) }

    /// Queues `chunk` after the chunks before it; the task ends when it is hashed.
    func hash(_ chunk: [UInt8]) -> Task<Void, Never> {
        last.withLock { last in
            let previous = last
            let next = Task {
                await previous?.value
                _ = try? await Blocking.run { self.digest.withLock { digest in chunk.withUnsafeBytes { digest.update($0) } } }
            }
            last = next
            return next
        }
    }

    /// The digests once every queued chunk and then `tail` are hashed.
    func finish(with tail: [UInt8]) async -> BodyDigest {
        await last.withLock { $0 }?.value
        return digest.withLock { digest in
            tail.withUnsafeBytes { digest.update($0) }
            return digest
        }
    }
}
