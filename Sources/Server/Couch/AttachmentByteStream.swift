import DocStore
import Gzip
import NIOCore

/// An attachment's stored bytes (gzip-encoded ones stay encoded) as an async sequence
/// of pieces, each read in its own short snapshot: memory stays at one piece whatever
/// the attachment's size.
struct AttachmentByteStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let database: DocumentDatabase
    let attachment: AttachmentInfo
    var range: Range<Int>?

    init(database: DocumentDatabase, attachment: AttachmentInfo, range: Range<Int>? = nil) {
        self.database = database
        self.attachment = attachment
        self.range = range
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let database: DocumentDatabase
        let attachment: AttachmentInfo
        var offset: Int
        let end: Int

        mutating func next() async throws -> [UInt8]? {
            guard offset < end else { return nil }
            let upper = Swift.min(offset + database.attachmentReadSize, end)
            let bytes = try database.attachmentBytes(attachment, range: offset..<upper)
            offset = upper
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        let wanted = range ?? 0..<attachment.encodedLength
        return AsyncIterator(database: database, attachment: attachment, offset: wanted.lowerBound, end: wanted.upperBound)
    }

    /// The same bytes as NIO buffers, for response bodies.
    var buffers: some AsyncSequence<ByteBuffer, Error> & Sendable { map { ByteBuffer(bytes: $0) } }
}

/// An attachment's bytes decoded (gunzipped when stored gzip-encoded), a piece at a
/// time, for clients that do not accept the stored encoding.
struct DecodedAttachmentStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let stored: AttachmentByteStream

    init(database: DocumentDatabase, attachment: AttachmentInfo) {
        stored = AttachmentByteStream(database: database, attachment: attachment)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var source: AttachmentByteStream.AsyncIterator
        let decoder: GzipDecoder?

        mutating func next() async throws -> [UInt8]? {
            guard let decoder else { return try await source.next() }
            while let piece = try await source.next() {
                let decoded = try decoder.update(piece)
                if !decoded.isEmpty { return decoded }
            }
            try decoder.finish()
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: stored.makeAsyncIterator(), decoder: stored.attachment.encoding == .gzip ? GzipDecoder() : nil)
    }
}

/// A request body as `[UInt8]` pieces, for staging attachments.
struct RequestBytes<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = [UInt8]
    let base: Base

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            return Array(buffer.readableBytesView)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}
