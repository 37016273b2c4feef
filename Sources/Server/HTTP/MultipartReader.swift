import NIOCore

/// Reads a `multipart/*` body as it streams in: part headers, then the part's bytes
/// in pieces, never holding more than one piece plus the delimiter's length.
/// A class, so that a part's body can be handed out as a sequence while the reader
/// keeps its place; it belongs to one task.
final class MultipartReader<Base: AsyncIteratorProtocol> where Base.Element == ByteBuffer {
    private var source: Base
    private var buffer: [UInt8] = []
    private var finished = false
    /// `\r\n--boundary`: what ends each part.
    private let delimiter: [UInt8]
    private var atFirstPart = true
    private var inBody = false
    let maxHeaderSize = 16 << 10

    init(source: Base, boundary: String) {
        self.source = source
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary parameter of a multipart content type.
    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
        }
        return nil
    }

    private func fill() async throws -> Bool {
        guard !finished else { return false }
        guard let next = try await source.next() else {
            finished = true
            return false
        }
        buffer.append(contentsOf: next.readableBytesView)
        return true
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard haystack.count >= needle.count + start else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Moves to the next part and returns its headers (lower-cased names), or nil after
    /// the closing delimiter. Skips whatever is left of the current part.
    func nextPart() async throws(MultipartError) -> [String: String]? {
        do {
            if inBody { while try await nextBodyPiece() != nil {} }
            if atFirstPart {
                // The first delimiter has no leading CRLF.
                let opening = Array(delimiter.dropFirst(2))
                while find(opening, in: buffer) == nil { guard try await fill() else { throw MultipartError("missing opening boundary") } }
                let start = find(opening, in: buffer)!
                buffer.removeFirst(start + opening.count)
                atFirstPart = false
            }
            while buffer.count < 2 { guard try await fill() else { throw MultipartError("truncated multipart body") } }
            if buffer[0] == UInt8(ascii: "-"), buffer[1] == UInt8(ascii: "-") { return nil }
            let end = Array("\r\n\r\n".utf8)
            while find(end, in: buffer) == nil {
                guard buffer.count < maxHeaderSize else { throw MultipartError("part headers too large") }
                guard try await fill() else { throw MultipartError("truncated part headers") }
            }
            let headerEnd = find(end, in: buffer)!
            let text = String(decoding: buffer[..<headerEnd], as: UTF8.self)
            buffer.removeFirst(headerEnd + end.count)
            var headers: [String: String] = [:]
            for line in text.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            inBody = true
            return headers
        } catch let error as MultipartError {
            throw error
        } catch {
            throw MultipartError("could not read the request body")
        }
    }

    /// The next piece of the current part's body, or nil at its end.
    func nextBodyPiece() async throws -> [UInt8]? {
        guard inBody else { return nil }
        while true {
            if let end = find(delimiter, in: buffer) {
                let piece = Array(buffer[..<end])
                buffer.removeFirst(end + delimiter.count)
                inBody = false
                return piece.isEmpty ? nil : piece
            }
            let safe = buffer.count - delimiter.count
            if safe > 64 << 10 {
                let piece = Array(buffer[..<safe])
                buffer.removeFirst(safe)
                return piece
            }
            guard try await fill() else { throw MultipartError("truncated part body") }
        }
    }

    /// The current part's whole body, up to `limit` bytes.
    func collectBody(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let piece = try await nextBodyPiece() {
            bytes += piece
            guard bytes.count <= limit else { throw MultipartError("part larger than \(limit) bytes") }
        }
        return bytes
    }
}

struct MultipartError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The current part's body as an async sequence of pieces.
struct MultipartPartBytes<Base: AsyncIteratorProtocol>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = [UInt8]
    let reader: MultipartReader<Base>

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartReader<Base>
        mutating func next() async throws -> [UInt8]? { try await reader.nextBodyPiece() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}
