import CZlib

/// Streaming gzip, the only place that calls zlib. CouchDB stores compressible
/// attachments gzip-encoded and sends them so on the wire; Divan does the same so that
/// replicas of one attachment hold the same bytes and the same digest.
///
/// Each coder is used by one task at a time (not `Sendable`); it frees its zlib state
/// when released.
public enum Gzip {
    /// CouchDB's `[attachments] compression_level` default.
    public static let couchLevel: Int32 = 8
    /// `deflateInit2`'s window bits: 15 (32 KiB window) + 16 asks for a gzip header and
    /// trailer, as CouchDB's couch_stream does.
    static let gzipWindowBits: Int32 = 15 + 16
    /// For inflating, + 32 would also accept zlib headers; gzip only is what is stored.
    static let memoryLevel: Int32 = 8
    static let pieceSize = 64 << 10
}

public struct GzipError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "gzip: \(message) (\(code))" }
}

/// Compresses a stream of bytes into one gzip member: `update` as bytes arrive, then
/// `finish`. The output of a whole stream is the same however the input was cut, and
/// the same as CouchDB's (zlib with the same level, window and memory level).
public final class GzipEncoder {
    private var stream = z_stream()
    private var finished = false

    public init(level: Int32 = Gzip.couchLevel) {
        let status = czlib_deflate_init(&stream, level, Gzip.gzipWindowBits, Gzip.memoryLevel)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")  // only on out-of-memory or a bad level
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `bytes`; returns whatever compressed output is ready (often empty).
    public func update(_ bytes: some Collection<UInt8>) -> [UInt8] {
        run(Array(bytes), flush: Z_NO_FLUSH)
    }

    /// Ends the member: the rest of the output and the gzip trailer.
    public func finish() -> [UInt8] {
        precondition(!finished, "GzipEncoder.finish called twice")
        finished = true
        return run([], flush: Z_FINISH)
    }

    private func run(_ input: [UInt8], flush: Int32) -> [UInt8] {
        var output: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: Gzip.pieceSize)
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            repeat {
                let produced = piece.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    let status = deflate(&stream, flush)
                    precondition(status != Z_STREAM_ERROR, "deflate: inconsistent stream state")
                    return target.count - Int(stream.avail_out)
                }
                output.append(contentsOf: piece[..<produced])
            } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
            stream.next_in = nil
        }
        return output
    }

    /// Compresses `bytes` whole.
    public static func compress(_ bytes: some Collection<UInt8>, level: Int32 = Gzip.couchLevel) -> [UInt8] {
        let encoder = GzipEncoder(level: level)
        return encoder.update(bytes) + encoder.finish()
    }
}

/// Decompresses gzip a piece at a time, for attachments stored gzip-encoded and read by
/// clients that do not accept the encoding. Concatenated members are decoded in turn.
public final class GzipDecoder {
    private var stream = z_stream()
    private var ended = false

    public init() {
        let status = czlib_inflate_init(&stream, Gzip.gzipWindowBits)
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `bytes`; returns the output they complete.
    /// - Throws: `GzipError` when the bytes are not gzip.
    public func update(_ bytes: some Collection<UInt8>) throws(GzipError) -> [UInt8] {
        var input = Array(bytes)
        var output: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: Gzip.pieceSize)
        // Runs until the input is used up and zlib holds no more output (a full piece
        // may leave some inside).
        while true {
            let (produced, consumed, status) = input.withUnsafeMutableBufferPointer { source in
                piece.withUnsafeMutableBufferPointer { target -> (Int, Int, Int32) in
                    stream.next_in = source.baseAddress
                    stream.avail_in = UInt32(source.count)
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    stream.next_in = nil
                    return (target.count - Int(stream.avail_out), source.count - Int(stream.avail_in), status)
                }
            }
            output.append(contentsOf: piece[..<produced])
            input.removeFirst(consumed)
            switch status {
            case Z_OK:
                ended = false
            case Z_BUF_ERROR:
                // No progress was possible: all input is used and no output is pending.
                return output
            case Z_STREAM_END:
                ended = true
                // Another member may follow (gzip allows concatenation).
                guard !input.isEmpty else { return output }
                inflateReset(&stream)
                ended = false
            default:
                let text = stream.msg.map { String(cString: $0) } ?? "corrupt data"
                throw GzipError(code: status, message: text)
            }
            if input.isEmpty && produced < piece.count { return output }
        }
    }

    /// Checks that the stream ended on a member's end. - Throws: `GzipError` for
    /// truncated input.
    public func finish() throws(GzipError) {
        guard ended else { throw GzipError(code: Z_DATA_ERROR, message: "truncated gzip stream") }
    }

    /// Decompresses `bytes` whole.
    public static func decompress(_ bytes: some Collection<UInt8>) throws(GzipError) -> [UInt8] {
        let decoder = GzipDecoder()
        let output = try decoder.update(bytes)
        try decoder.finish()
        return output
    }
}
