import DocStore
import NIOCore

/// An attachment's bytes as an async sequence of pieces, each read in its own short
/// snapshot: memory stays at one piece whatever the attachment's size.
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
        let wanted = range ?? 0..<attachment.length
        return AsyncIterator(database: database, attachment: attachment, offset: wanted.lowerBound, end: wanted.upperBound)
    }

    /// The same bytes as NIO buffers, for response bodies.
    var buffers: some AsyncSequence<ByteBuffer, Error> & Sendable { map { ByteBuffer(bytes: $0) } }
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
