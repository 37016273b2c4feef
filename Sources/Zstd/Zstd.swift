import CZstd
import Synchronization

/// zstd compression, the only place that calls `ZSTD_*`.
///
/// Thread safety: every function may be called from any thread. Contexts are pooled:
/// creating one per call would cost more than compressing a 1 KB document.
public enum Zstd {
    /// The level Divan stores with: level 1 compresses JSON to about a third at several
    /// hundred MB/s, far faster than the disk; higher levels buy little for small values.
    public static let defaultLevel: Int32 = 1

    private static let compressors = ContextPool(create: { ZSTD_createCCtx() }, free: { _ = ZSTD_freeCCtx($0) })
    private static let decompressors = ContextPool(create: { ZSTD_createDCtx() }, free: { _ = ZSTD_freeDCtx($0) })

    /// The most bytes `compress` can produce for `count` input bytes.
    public static func compressBound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `source` into `destination` (at least `compressBound(source.count)`
    /// bytes); returns the number of bytes written.
    public static func compress(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int32 = defaultLevel
    ) throws(ZstdError) -> Int {
        let context = compressors.take()
        defer { compressors.give(context) }
        let written = ZSTD_compressCCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        try ZstdError.check(written)
        return written
    }

    /// Compresses `source`, or returns `nil` when the result would not be smaller than
    /// `source.count - minimumSaving` (store such data raw).
    public static func compressIfSmaller(_ source: UnsafeRawBufferPointer, minimumSaving: Int = 16) -> [UInt8]? {
        guard source.count > minimumSaving else { return nil }
        let bound = compressBound(source.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { destination in
            (try? compress(source, into: destination)) ?? Int.max
        }
        guard written < source.count - minimumSaving else { return nil }
        output.removeLast(bound - written)
        return output
    }

    /// Decompresses one zstd frame of known decompressed size into `destination`
    /// (exactly `destination.count` bytes).
    /// - Throws: `ZstdError` for corrupt input or a size mismatch.
    public static func decompress(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) {
        let context = decompressors.take()
        defer { decompressors.give(context) }
        let written = ZSTD_decompressDCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        try ZstdError.check(written)
        guard written == destination.count else { throw ZstdError(message: "decompressed size mismatch") }
    }

    /// Decompresses one zstd frame whose decompressed size is `size`.
    public static func decompress(_ source: UnsafeRawBufferPointer, size: Int) throws(ZstdError) -> [UInt8] {
        var failure: ZstdError?
        let output = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            do {
                try decompress(source, into: UnsafeMutableRawBufferPointer(buffer))
                count = size
            } catch {
                failure = error as? ZstdError ?? ZstdError(message: "\(error)")
                count = 0
            }
        }
        if let failure { throw failure }
        return output
    }
}

/// A zstd failure (corrupt input, undersized buffer).
public struct ZstdError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { "zstd: \(message)" }

    static func check(_ result: Int) throws(ZstdError) {
        if ZSTD_isError(result) != 0 { throw ZstdError(message: String(cString: ZSTD_getErrorName(result))) }
    }
}

/// A few reusable zstd contexts. A context is used by one thread at a time; the pool
/// hands each out to one caller and keeps at most `limit` idle ones.
private final class ContextPool: Sendable {
    /// A context pointer; owned by whoever took it from the pool.
    struct Context: @unchecked Sendable { let pointer: OpaquePointer }

    private let idle = Mutex<[Context]>([])
    private let create: @Sendable () -> OpaquePointer?
    private let free: @Sendable (OpaquePointer) -> Void
    private let limit = 16

    init(create: @escaping @Sendable () -> OpaquePointer?, free: @escaping @Sendable (OpaquePointer) -> Void) {
        self.create = create
        self.free = free
    }

    func take() -> OpaquePointer {
        if let context = idle.withLock({ $0.popLast() }) { return context.pointer }
        return create()!
    }

    func give(_ pointer: OpaquePointer) {
        let kept = idle.withLock { contexts -> Bool in
            guard contexts.count < limit else { return false }
            contexts.append(Context(pointer: pointer))
            return true
        }
        if !kept { free(pointer) }
    }
}
