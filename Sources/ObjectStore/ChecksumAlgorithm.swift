import Foundation

/// The additional checksums S3 supports next to Content-MD5 (`x-amz-checksum-*`).
public enum ChecksumAlgorithm: String, Sendable, Hashable, CaseIterable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// Length of the binary digest (before base64).
    public var digestLength: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// Decodes a base64 value as sent in `x-amz-checksum-<algorithm>`.
    /// - Throws: `InvalidRequest` when it is not base64 of the right length (as S3 does).
    func decode(_ base64: String) throws(ObjectStoreError) -> [UInt8] {
        guard let data = Data(base64Encoded: base64), data.count == digestLength else {
            throw ObjectStoreError(.invalidRequest, "Value for x-amz-checksum-\(rawValue.lowercased()) header is invalid.")
        }
        return Array(data)
    }
}

/// How an object's checksum was computed: over the whole object, or (multipart uploads)
/// over the concatenated part checksums, written with a `-N` suffix.
public enum ChecksumType: String, Sendable, Hashable {
    case fullObject = "FULL_OBJECT"
    case composite = "COMPOSITE"
}

/// The checksums stored with an object or part, base64-encoded as S3 returns them;
/// `nil` for algorithms that were neither requested nor supplied.
public struct Checksums: Sendable, Hashable {
    public var crc32: String?
    public var crc32c: String?
    public var sha1: String?
    public var sha256: String?
    /// `.composite` for multipart objects (values end in `-N`), otherwise `.fullObject`.
    public var type: ChecksumType = .fullObject

    public init(crc32: String? = nil, crc32c: String? = nil, sha1: String? = nil, sha256: String? = nil) {
        self.crc32 = crc32
        self.crc32c = crc32c
        self.sha1 = sha1
        self.sha256 = sha256
    }

    public subscript(algorithm: ChecksumAlgorithm) -> String? {
        get {
            switch algorithm {
            case .crc32: crc32
            case .crc32c: crc32c
            case .sha1: sha1
            case .sha256: sha256
            }
        }
        set {
            switch algorithm {
            case .crc32: crc32 = newValue
            case .crc32c: crc32c = newValue
            case .sha1: sha1 = newValue
            case .sha256: sha256 = newValue
            }
        }
    }

    public var isEmpty: Bool { ChecksumAlgorithm.allCases.allSatisfy { self[$0] == nil } }

    func encode(into writer: inout ByteWriter) {
        writer.byte(type == .composite ? 1 : 0)
        for algorithm in ChecksumAlgorithm.allCases { writer.optionalString(self[algorithm]) }
    }

    init(from reader: inout ByteReader) throws(ObjectStoreError) {
        type = try reader.byte() == 1 ? .composite : .fullObject
        for algorithm in ChecksumAlgorithm.allCases { self[algorithm] = try reader.optionalString() }
    }
}

/// What to compute and verify while a body streams in.
///
/// S3 clients send a checksum either as a header before the body (`expected`) or, with
/// `aws-chunked` encoding, as a trailer after it (`trailing`, read once the body
/// sequence has ended and before anything commits). A mismatch is `BadDigest`; a value
/// that is not base64 of the algorithm's length is `InvalidRequest`.
public struct ChecksumRequest: Sendable {
    /// Algorithms to compute and store (`x-amz-sdk-checksum-algorithm`, or the upload's
    /// algorithm for parts). Algorithms in `expected` are computed anyway.
    public var algorithms: Set<ChecksumAlgorithm>
    /// Values (base64) the body must match, known before it arrives.
    public var expected: [ChecksumAlgorithm: String]
    /// Values (base64) that arrive after the body (trailing headers); their algorithms
    /// must be listed in `algorithms`.
    public var trailing: (@Sendable () async throws -> [ChecksumAlgorithm: String])?

    public init(
        algorithms: Set<ChecksumAlgorithm> = [], expected: [ChecksumAlgorithm: String] = [:],
        trailing: (@Sendable () async throws -> [ChecksumAlgorithm: String])? = nil
    ) {
        self.algorithms = algorithms
        self.expected = expected
        self.trailing = trailing
    }

    /// Every algorithm to compute.
    var computed: Set<ChecksumAlgorithm> { algorithms.union(expected.keys) }
}

extension [UInt8] {
    var base64: String { Data(self).base64EncodedString() }
}
