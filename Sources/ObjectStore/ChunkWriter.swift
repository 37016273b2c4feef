import Zstd

/// Turns a streamed body into durable chunk files, `chunkSize` bytes of input each.
///
/// Memory: the chunk being compressed and written (on an I/O thread) plus the chunk
/// being filled, plus one body element: about two chunks whatever the body's size.
/// Writing chunk N overlaps with receiving chunk N+1.
///
/// Nothing it writes is named by metadata yet: on any failure (the body throws, the size
/// limit is passed, the task is cancelled) it removes the files it wrote before
/// rethrowing, and a caller whose later steps fail calls `discard`.
struct ChunkWriter: Sendable {
    let files: ChunkFiles
    let chunkSize: Int
    let level: Int32

    /// Reads `body` to its end, feeding `digest`, and writes its chunks.
    /// - Returns: the chunk list and the number of bytes.
    /// - Throws: `EntityTooLarge` beyond `limit` bytes, the body's errors, I/O errors.
    func write<Body: AsyncSequence>(
        _ body: Body, limit: Int, digest: inout BodyDigest
    ) async throws -> (chunks: [ChunkReference], size: Int) where Body.Element: Collection<UInt8> {
        var chunks: [ChunkReference] = []
        var pending: Task<ChunkReference, any Error>?
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize)
        var size = 0
        do {
            for try await piece in body {
                let appended = buffer.count
                if piece.withContiguousStorageIfAvailable({ buffer.append(contentsOf: $0) }) == nil {
                    buffer.append(contentsOf: piece)
                }
                size += buffer.count - appended
                guard size <= limit else {
                    throw ObjectStoreError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size (\(limit) bytes).")
                }
                buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[appended...])) }
                while buffer.count >= chunkSize {
                    let chunk = Array(buffer[..<chunkSize])
                    buffer = Array(buffer[chunkSize...])
                    buffer.reserveCapacity(chunkSize)
                    if let previous = pending { chunks.append(try await previous.value) }
                    pending = start(chunk)
                }
            }
            try Task.checkCancellation()
            if let previous = pending {
                pending = nil
                chunks.append(try await previous.value)
            }
            if !buffer.isEmpty { chunks.append(try await start(buffer).value) }
            return (chunks, size)
        } catch {
            if let written = try? await pending?.value { chunks.append(written) }
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
    /// worth decompressing on every read), then writes the file durably. Blocks.
    private static func store(_ bytes: [UInt8], files: ChunkFiles, level: Int32) throws -> ChunkReference {
        let id = ChunkID.random()
        let minimumSaving = max(64, bytes.count / 64)
        var stored: [UInt8]?
        if bytes.count > minimumSaving {
            let bound = Zstd.compressBound(bytes.count)
            var output = [UInt8](repeating: 0, count: bound)
            let written = bytes.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    (try? Zstd.compress(source, into: destination, level: level)) ?? Int.max
                }
            }
            if written <= bytes.count - minimumSaving {
                output.removeLast(bound - written)
                stored = output
            }
        }
        if let stored {
            try stored.withUnsafeBytes { try files.write(id, $0) }
            return ChunkReference(id: id, size: bytes.count, storedSize: stored.count, compressed: true)
        }
        try bytes.withUnsafeBytes { try files.write(id, $0) }
        return ChunkReference(id: id, size: bytes.count, storedSize: bytes.count, compressed: false)
    }
}
