import Crypto
import Foundation
import Hummingbird
import NIOCore
import ObjectStore
import Synchronization

/// A request body as the S3 handlers consume it: decoded from `aws-chunked` when the
/// payload mode says so (chunk signatures verified as they stream), with what it must
/// match (`contentLength`, `expectedSHA256`, `expectedMD5`, trailing checksums).
///
/// Iterating it is what asks `ContinueHandler` for `100 Continue`: a handler that fails
/// on its checks before it reads the body answers without the client ever sending it.
/// Consumed once, by one task.
struct S3Body: AsyncSequence, Sendable {
    typealias Element = ByteBufferView

    private let base: RequestBody
    private let channel: (any Channel)?
    /// `nil` for an identity body; else the chunk signature seed (`nil` when unsigned).
    private let chunked: (signing: SigningContext?, trailer: Bool)?
    /// Trailer values, available once the body has been read to its end.
    let trailers = TrailerBox()
    /// The size of the decoded body, when the client announced it.
    let contentLength: Int?
    /// The SHA-256 the decoded body must have (`x-amz-content-sha256` naming a hash).
    let expectedSHA256: [UInt8]?
    /// The decoded `Content-MD5`.
    let expectedMD5: [UInt8]?
    /// The checksum algorithms whose values the trailer brings (`x-amz-trailer`).
    let trailerAlgorithms: Set<ChecksumAlgorithm>

    /// - Throws: `InvalidDigest` for a Content-MD5 that is not base64 of 16 bytes,
    ///   `InvalidArgument` for a malformed length or trailer declaration.
    init(_ request: Request, _ s3: S3Request, authorization: S3Authorization, channel: (any Channel)?) throws(S3Error) {
        base = request.body
        self.channel = channel
        var trailerAlgorithms: Set<ChecksumAlgorithm> = []
        let lengthHeader: String?
        switch authorization.payload {
        case .streaming(let signed, let trailer):
            chunked = (signed ? authorization.signing : nil, trailer)
            lengthHeader = s3.header("x-amz-decoded-content-length")
            expectedSHA256 = nil
            for name in (s3.header("x-amz-trailer") ?? "").split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
                guard trimmed.hasPrefix("x-amz-checksum-"),
                    let algorithm = ChecksumAlgorithm(rawValue: trimmed.dropFirst("x-amz-checksum-".count).uppercased())
                else { throw .invalidArgument("The value specified in the x-amz-trailer header is not supported") }
                trailerAlgorithms.insert(algorithm)
            }
        case .sha256(let hash):
            (chunked, lengthHeader, expectedSHA256) = (nil, s3.header(.contentLength), hash)
        case .unsigned:
            (chunked, lengthHeader, expectedSHA256) = (nil, s3.header(.contentLength), nil)
        }
        self.trailerAlgorithms = trailerAlgorithms
        if let lengthHeader {
            guard let length = Int(lengthHeader), length >= 0 else { throw .invalidArgument("Invalid content length.") }
            contentLength = length
        } else {
            contentLength = nil
        }
        if let md5 = s3.header("content-md5") {
            guard let data = Data(base64Encoded: md5), data.count == 16 else { throw .invalidDigest }
            expectedMD5 = Array(data)
        } else {
            expectedMD5 = nil
        }
    }

    /// An iterator; the body is consumed once (the request body streams from the socket).
    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            base: base.makeAsyncIterator(), channel: channel,
            decoder: chunked.map { AWSChunkedDecoder(signing: $0.signing, expectsTrailer: $0.trailer) }, trailers: trailers)
    }

    /// Asks for `100 Continue` on the first `next()`, then passes or decodes pieces.
    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let channel: (any Channel)?
        var decoder: AWSChunkedDecoder?
        let trailers: TrailerBox
        var askedForContinue = false
        var pending = ByteBuffer()

        mutating func next() async throws -> ByteBufferView? {
            if !askedForContinue {
                askedForContinue = true
                if let channel { await ContinueHandler.requestContinue(on: channel) }
            }
            guard decoder != nil else { return try await base.next()?.readableBytesView }
            while true {
                if let piece = try decoder?.next(from: &pending) { return piece.readableBytesView }
                guard let more = try await base.next() else {
                    try decoder?.finish()
                    trailers.set(decoder?.trailers ?? [])
                    decoder = nil
                    return nil
                }
                pending = more
            }
        }
    }

    /// The checksum request for the object store: the header checksums (`x-amz-checksum-*`),
    /// the algorithm the SDK names, and the trailer's values once the body has ended.
    func checksumRequest(_ s3: S3Request, also: ChecksumAlgorithm? = nil) throws(S3Error) -> ChecksumRequest {
        var request = ChecksumRequest()
        for algorithm in ChecksumAlgorithm.allCases {
            if let value = s3.header("x-amz-checksum-\(algorithm.rawValue.lowercased())") { request.expected[algorithm] = value }
        }
        for header in ["x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"] {
            guard let name = s3.header(header) else { continue }
            guard let algorithm = ChecksumAlgorithm(rawValue: name.uppercased()) else {
                throw .invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]")
            }
            request.algorithms.insert(algorithm)
        }
        if let also { request.algorithms.insert(also) }
        if !trailerAlgorithms.isEmpty {
            request.algorithms.formUnion(trailerAlgorithms)
            let trailers = trailers, wanted = trailerAlgorithms
            request.trailing = { try trailers.checksums(wanted) }
        }
        return request
    }

    /// Reads the whole (small) body: XML documents.
    /// - Throws: `MaxMessageLengthExceeded` past `limit`, `IncompleteBody`,
    ///   `XAmzContentSHA256Mismatch`, `BadDigest`, or the decoding's errors.
    func collect(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in self {
            bytes.append(contentsOf: piece)
            guard bytes.count <= limit else {
                throw S3Error(.badRequest, "MaxMessageLengthExceeded", "Your request was too big.")
            }
        }
        if let contentLength, contentLength != bytes.count { throw S3Error.incompleteBody }
        if let expectedSHA256, !SHA256.hash(data: bytes).elementsEqual(expectedSHA256) { throw S3Error.contentSHA256Mismatch }
        if let expectedMD5, !Insecure.MD5.hash(data: bytes).elementsEqual(expectedMD5) { throw S3Error.badDigest }
        return bytes
    }
}

/// Hands the trailer of an `aws-chunked` body from the task reading it to the object
/// store's verification, which asks after the body has ended.
final class TrailerBox: Sendable {
    private let value = Mutex<[(name: String, value: String)]?>(nil)

    /// Called once, when the decoder reaches the end of the body.
    func set(_ trailers: [(name: String, value: String)]) { value.withLock { $0 = trailers } }

    /// The values for `algorithms`.
    /// - Throws: `InvalidRequest` when the body ended without one of them.
    func checksums(_ algorithms: Set<ChecksumAlgorithm>) throws -> [ChecksumAlgorithm: String] {
        let trailers = value.withLock { $0 } ?? []
        var checksums: [ChecksumAlgorithm: String] = [:]
        for algorithm in algorithms {
            let name = "x-amz-checksum-\(algorithm.rawValue.lowercased())"
            guard let entry = trailers.first(where: { $0.name == name }) else {
                throw S3Error.invalidRequest("The trailing checksum \(name) declared in x-amz-trailer was not sent.")
            }
            checksums[algorithm] = entry.value
        }
        return checksums
    }
}
