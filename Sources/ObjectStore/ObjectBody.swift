import Zstd

/// The bytes of a GET, read chunk by chunk as the consumer asks for them: each element
/// is the needed part of one chunk (at most `chunkSize` bytes), decompressed alone, so
/// memory stays bounded whatever the object's size, and a range touches only its chunks.
///
/// The chunks are pinned (see `ChunkPins`) from the GET's snapshot until the body and
/// its iterators are all gone, so an overwrite or delete that commits meanwhile does not
/// cut the stream short: the stream always shows the version it started with.
///
/// Reads run on I/O threads. The sequence may be iterated more than once.
/// - Throws (while iterating): `InternalError` when a chunk file is missing or corrupt.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let source: Source

    init(files: ChunkFiles, slices: [ChunkSlice], lease: ChunkLease) {
        source = Source(files: files, slices: slices, lease: lease)
    }

    /// Bytes the body will produce.
    public var count: Int { source.slices.reduce(0) { $0 + $1.upper - $1.lower } }

    public func makeAsyncIterator() -> Iterator { Iterator(source: source) }

    public struct Iterator: AsyncIteratorProtocol {
        fileprivate let source: Source
        private var index = 0

        fileprivate init(source: Source) { self.source = source }

        public mutating func next() async throws -> [UInt8]? {
            guard index < source.slices.count else { return nil }
            let slice = source.slices[index]
            index += 1
            let files = source.files
            return try await Blocking.run { try slice.read(files) }
        }
    }

    /// Shared by the body and its iterators; the lease goes when the last of them does.
    fileprivate final class Source: Sendable {
        let files: ChunkFiles
        let slices: [ChunkSlice]
        let lease: ChunkLease

        init(files: ChunkFiles, slices: [ChunkSlice], lease: ChunkLease) {
            self.files = files
            self.slices = slices
            self.lease = lease
        }
    }
}

extension ChunkSlice {
    /// The slice's bytes: a raw chunk reads just them, a compressed one is read and
    /// decompressed whole. Blocks.
    func read(_ files: ChunkFiles) throws -> [UInt8] {
        guard chunk.compressed else { return try files.read(chunk.id, offset: lower, count: upper - lower) }
        let stored = try files.read(chunk.id, count: chunk.storedSize)
        let data: [UInt8]
        do {
            data = try stored.withUnsafeBytes { try Zstd.decompress($0, size: chunk.size) }
        } catch {
            throw ObjectStoreError(.internalError, "chunk \(chunk.id) is corrupt: \(error)")
        }
        return isWhole ? data : Array(data[lower..<upper])
    }
}
