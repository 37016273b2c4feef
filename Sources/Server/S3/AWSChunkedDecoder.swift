import Crypto
import NIOCore

/// Decodes an `aws-chunked` body as it streams, without holding more than a chunk
/// header line: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` … `0[;chunk-signature=…]\r\n`,
/// then optional trailer lines (`x-amz-checksum-crc32:…`, `x-amz-trailer-signature:…`)
/// and an empty line.
///
/// With `signing`, every chunk's signature is checked when the chunk ends: it signs the
/// SHA-256 of the chunk's data chained from the previous signature (the request's seed
/// signature for the first), and the trailer signature chains from the final chunk's.
/// Data is handed out before its chunk is verified — memory stays bounded whatever
/// chunk size a client picks — which is safe because the object store makes nothing
/// visible until the body has ended without error: a bad signature fails the upload and
/// nothing is stored.
///
/// A value used by one task; feed it with `next(from:)` until it returns `nil` with the
/// input empty, then call `finish()` when the input ends.
struct AWSChunkedDecoder {
    /// Longest chunk header or trailer line accepted.
    static let maximumLineLength = 4096
    /// Most trailer bytes accepted.
    static let maximumTrailerLength = 16 << 10

    private enum State {
        case header
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private var state = State.header
    private var line: [UInt8] = []
    private var signing: SigningContext?
    private var previousSignature: String
    private var chunkSignature: String?
    private var chunkHash = SHA256()
    private var trailerBytes = 0
    /// Trailer headers received, lowercase names (the trailer signature excluded).
    private(set) var trailers: [(name: String, value: String)] = []
    /// Decoded bytes handed out so far.
    private(set) var decodedLength = 0

    private let expectsTrailer: Bool

    /// - Parameters:
    ///   - signing: the seed to verify chunk signatures from; `nil` for
    ///     `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    ///   - expectsTrailer: whether trailer lines follow the final chunk (`x-amz-trailer`).
    init(signing: SigningContext?, expectsTrailer: Bool) {
        self.signing = signing
        self.expectsTrailer = expectsTrailer
        previousSignature = signing?.seedSignature ?? ""
    }

    /// Whether the final chunk, trailers and closing line have been read.
    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes `buffer` and returns the next piece of decoded data (a slice of the
    /// input), or `nil` once `buffer` is used up without yielding data.
    /// - Throws: `IncompleteBody` for framing errors, `SignatureDoesNotMatch` for a chunk
    ///   or trailer whose signature is wrong.
    mutating func next(from buffer: inout ByteBuffer) throws(S3Error) -> ByteBuffer? {
        while buffer.readableBytes > 0 {
            switch state {
            case .header:
                guard let text = try readLine(&buffer) else { return nil }
                try startChunk(text)
            case .data(let remaining):
                let count = min(remaining, buffer.readableBytes)
                guard let piece = buffer.readSlice(length: count) else { return nil }
                if signing != nil { piece.withUnsafeReadableBytes { chunkHash.update(bufferPointer: $0) } }
                decodedLength += count
                state = remaining == count ? .dataEnd : .data(remaining: remaining - count)
                return piece
            case .dataEnd:
                guard let text = try readLine(&buffer) else { return nil }
                guard text.isEmpty else { throw Self.framingError }
                try verifyChunk()
                state = .header
            case .trailer:
                guard let text = try readLine(&buffer) else { return nil }
                trailerBytes += text.count + 2
                guard trailerBytes <= Self.maximumTrailerLength else { throw Self.framingError }
                try trailerLine(text)
            case .done:
                // Tolerate stray line ends after the final empty line; nothing else.
                guard let byte = buffer.readInteger(as: UInt8.self), byte == 0x0D || byte == 0x0A else {
                    throw Self.framingError
                }
            }
        }
        return nil
    }

    /// Checks that the body ended where the encoding says it ends.
    mutating func finish() throws(S3Error) {
        switch state {
        case .done: return
        case .trailer where line.isEmpty:
            // The final empty line is optional after the trailers.
            try finishTrailers()
        default: throw S3Error.incompleteBody
        }
    }

    private static let framingError = S3Error.incompleteBody

    /// Reads up to and including `\n`; returns the line without `\r\n`, or `nil` when the
    /// buffer ended first (the partial line is kept).
    private mutating func readLine(_ buffer: inout ByteBuffer) throws(S3Error) -> [UInt8]? {
        let view = buffer.readableBytesView
        if let newline = view.firstIndex(of: 0x0A) {
            let count = newline - view.startIndex
            line.append(contentsOf: view[view.startIndex..<newline])
            buffer.moveReaderIndex(forwardBy: count + 1)
            guard line.count <= Self.maximumLineLength else { throw Self.framingError }
            var text = line
            line = []
            if text.last == 0x0D { text.removeLast() }
            return text
        }
        line.append(contentsOf: view)
        buffer.moveReaderIndex(forwardBy: view.count)
        guard line.count <= Self.maximumLineLength else { throw Self.framingError }
        return nil
    }

    /// `<hex size>[;name=value]*`.
    private mutating func startChunk(_ text: [UInt8]) throws(S3Error) {
        let parts = text.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        guard let sizeText = parts.first, (1...15).contains(sizeText.count) else { throw Self.framingError }
        var size = 0
        for digit in sizeText {
            guard let value = URIEncoding.hexValue(digit) else { throw Self.framingError }
            size = size << 4 | Int(value)
        }
        chunkSignature = nil
        for extensionText in parts.dropFirst() {
            let pair = extensionText.split(separator: UInt8(ascii: "="), maxSplits: 1)
            if pair.count == 2, String(decoding: pair[0], as: UTF8.self) == "chunk-signature" {
                chunkSignature = String(decoding: pair[1], as: UTF8.self)
            }
        }
        if signing != nil, chunkSignature == nil { throw S3Error.signatureDoesNotMatch }
        chunkHash = SHA256()
        if size > 0 {
            state = .data(remaining: size)
            return
        }
        try verifyChunk()
        state = .trailer
    }

    /// Checks the signature of the chunk that just ended (no-op without signing).
    private mutating func verifyChunk() throws(S3Error) {
        guard let signing, let claimed = chunkSignature else { return }
        let stringToSign = SigV4.chunkStringToSign(
            timestamp: signing.timestamp, scope: signing.scope, previous: previousSignature,
            chunkHash: URIEncoding.hex(chunkHash.finalize()))
        guard SigV4.equal(SigV4.signature(signing.key, stringToSign), claimed.lowercased()) else {
            throw S3Error.signatureDoesNotMatch
        }
        previousSignature = claimed.lowercased()
    }

    /// A trailer line, or the empty line that ends the body.
    private mutating func trailerLine(_ text: [UInt8]) throws(S3Error) {
        guard !text.isEmpty else {
            // Some clients put an empty line between the final chunk and the trailers.
            if expectsTrailer, trailers.isEmpty, trailerSignature == nil, !sawEmptyLine {
                sawEmptyLine = true
                return
            }
            try finishTrailers()
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { throw Self.framingError }
        let name = String(decoding: text[..<colon], as: UTF8.self).trimmingSpaces.lowercased()
        let value = String(decoding: text[(colon + 1)...], as: UTF8.self).trimmingSpaces
        if name == "x-amz-trailer-signature" {
            trailerSignature = value
        } else {
            trailers.append((name, value))
        }
    }

    private var trailerSignature: String?
    private var sawEmptyLine = false

    private mutating func finishTrailers() throws(S3Error) {
        if let signing, !trailers.isEmpty || trailerSignature != nil {
            guard let claimed = trailerSignature else { throw S3Error.signatureDoesNotMatch }
            let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
            let stringToSign = SigV4.trailerStringToSign(
                timestamp: signing.timestamp, scope: signing.scope, previous: previousSignature,
                trailerHash: SigV4.sha256Hex(Array(canonical.utf8)))
            guard SigV4.equal(SigV4.signature(signing.key, stringToSign), claimed.lowercased()) else {
                throw S3Error.signatureDoesNotMatch
            }
        }
        state = .done
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
