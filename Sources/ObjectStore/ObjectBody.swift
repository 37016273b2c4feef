import Zstd

/// The bytes of a GET, read chunk by chunk as the consumer asks for them: each element
/// is the needed part of one chunk (at most `chunkSize` bytes), decompressed alone, so
/// memory stays bounded whatever the object's size, and a range touches only its chunks.
///
/// Iterating reads one chunk ahead (on an I/O thread) while the consumer handles the
/// current one: at most two chunks are in memory per iterator.
///
/// The chunks are pinned (see `ChunkPins`) from the GET's snapshot until the body and
/// its iterators are all gone, so an overwrite or delete that commits meanwhile does not
/// cut the stream short: the stream always shows the version it started with.
///
/// The sequence may be iterated more than once.
/// - Throws (while iterating): `InternalError` when a chunk file is missing or corrupt.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let source: Source

    init(files: ChunkFiles, slices: [ChunkSlice], lease: ChunkLease) {
        source = Source(files: files, slices: slices, lease: lease)
    }

    /// Bytes the body will produce.
    public var count: Int { source.slices.reduce(0) { $0 + $1.upper - $1.lower } }

    public func makeAsyncIterator() -> Buffers<[UInt8]>.Iterator {
        buffers { count, fill in
            try [UInt8](unsafeUninitializedCapacity: count) { memory, initialized in
                try fill(UnsafeMutableRawBufferPointer(memory))
                initialized = count
            }
        }.makeAsyncIterator()
    }

    /// The body in buffers the caller makes, so bytes are read or decompressed straight
    /// into them (e.g. a network buffer) without another copy. `make(count, fill)` must
    /// return a buffer of `count` bytes that `fill` has written.
    public func buffers<Buffer: Sendable>(
        _ make: @escaping @Sendable (_ count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Buffer
    ) -> Buffers<Buffer> {
        Buffers(source: source, make: make)
    }

    /// See `buffers(_:)`.
    public struct Buffers<Buffer: Sendable>: AsyncSequence, Sendable {
        fileprivate let source: Source
        fileprivate let make: @Sendable (Int, (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Buffer

        public func makeAsyncIterator() -> Iterator { Iterator(sequence: self) }

        public struct Iterator: AsyncIteratorProtocol {
            private let sequence: Buffers
            private var index = 0
            private var ahead: Task<Buffer, any Error>?

            fileprivate init(sequence: Buffers) { self.sequence = sequence }

            public mutating func next() async throws -> Buffer? {
                let slices = sequence.source.slices
                guard index < slices.count else { return nil }
                let current = ahead ?? read(slices[index])
                index += 1
                ahead = index < slices.count ? read(slices[index]) : nil
                return try await current.value
            }

            private func read(_ slice: ChunkSlice) -> Task<Buffer, any Error> {
                let (source, make) = (sequence.source, sequence.make)
                return Task {
                    try await Blocking.run {
                        try make(slice.upper - slice.lower) { memory in try slice.read(source.files, into: memory) }
                    }
                }
            }
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
    /// The slice's bytes in a new array. Blocks.
    func read(_ files: ChunkFiles) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: upper - lower) { buffer, initialized in
            try read(files, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = upper - lower
        }
    }

    /// Reads the slice's bytes into `memory` (exactly `upper - lower` bytes): a raw
    /// chunk reads just them, a compressed one is read and decompressed whole (straight
    /// into `memory` when the slice is the whole chunk). Blocks.
    func read(_ files: ChunkFiles, into memory: UnsafeMutableRawBufferPointer) throws {
        guard chunk.compressed else { return try files.read(chunk.id, offset: lower, into: memory) }
        let stored = try [UInt8](unsafeUninitializedCapacity: chunk.storedSize) { buffer, initialized in
            try files.read(chunk.id, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = chunk.storedSize
        }
        let failure = stored.withUnsafeBytes { compressed -> (any Error)? in
            do {
                if isWhole {
                    try Zstd.decompress(compressed, into: memory)
                    return nil
                }
                let data = try Zstd.decompress(compressed, size: chunk.size)
                data.withUnsafeBytes { memory.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[lower..<upper])) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw ObjectStoreError(.internalError, "chunk \(chunk.id) is corrupt: \(failure)") }
    }
}
