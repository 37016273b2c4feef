import Crypto

/// The digests of one body as it streams through: always MD5 (the ETag), plus SHA-256
/// when `x-amz-content-sha256` names a value, plus the requested checksums.
/// A value type used by one task at a time; O(n) in the bytes fed.
struct BodyDigest {
    private var md5 = Insecure.MD5()
    private var sha256: SHA256?
    private var sha1: Insecure.SHA1?
    private var crc32: CRC32?
    private var crc32c: CRC32?

    init(checksums: Set<ChecksumAlgorithm>, contentSHA256: Bool = false) {
        if contentSHA256 || checksums.contains(.sha256) { sha256 = SHA256() }
        if checksums.contains(.sha1) { sha1 = Insecure.SHA1() }
        if checksums.contains(.crc32) { crc32 = CRC32(.ieee) }
        if checksums.contains(.crc32c) { crc32c = CRC32(.castagnoli) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
        sha1?.update(bufferPointer: bytes)
        crc32?.update(bytes)
        crc32c?.update(bytes)
    }

    /// The digests of everything fed so far.
    func finalize() -> Result {
        var checksums: [ChecksumAlgorithm: [UInt8]] = [:]
        let sha256 = sha256.map { Array($0.finalize()) }
        if let sha256 { checksums[.sha256] = sha256 }
        if let sha1 { checksums[.sha1] = Array(sha1.finalize()) }
        if let crc32 { checksums[.crc32] = crc32.bytes }
        if let crc32c { checksums[.crc32c] = crc32c.bytes }
        return Result(md5: Array(md5.finalize()), sha256: sha256, checksums: checksums)
    }

    struct Result {
        let md5: [UInt8]
        let sha256: [UInt8]?
        /// Binary digests of the requested algorithms (SHA256 also when only
        /// `x-amz-content-sha256` asked for it; `stored(_:)` keeps only requested ones).
        let checksums: [ChecksumAlgorithm: [UInt8]]

        /// Checks the body against what the client said it sent.
        /// - Throws: `InvalidDigest` (Content-MD5 not 16 bytes), `BadDigest` (MD5 or a
        ///   checksum differs), `XAmzContentSHA256Mismatch`, `InvalidRequest` (a
        ///   checksum value that is not base64 of the right length).
        func verify(
            expectedMD5: [UInt8]?, expectedSHA256: [UInt8]?, checksums expected: [ChecksumAlgorithm: String]
        ) throws(ObjectStoreError) {
            if let expectedMD5 {
                guard expectedMD5.count == 16 else {
                    throw ObjectStoreError(.invalidDigest, "The Content-MD5 you specified was invalid.")
                }
                guard expectedMD5 == md5 else {
                    throw ObjectStoreError(.badDigest, "The Content-MD5 you specified did not match what we received.")
                }
            }
            if let expectedSHA256, expectedSHA256 != sha256 {
                throw ObjectStoreError(
                    .contentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            for algorithm in ChecksumAlgorithm.allCases {
                guard let value = expected[algorithm] else { continue }
                let wanted = try algorithm.decode(value)
                guard let computed = checksums[algorithm] else {
                    // A trailer naming an algorithm the request did not announce.
                    throw ObjectStoreError(.invalidRequest, "The \(algorithm.rawValue) checksum was not declared before the body.")
                }
                guard wanted == computed else {
                    throw ObjectStoreError(
                        .badDigest, "The \(algorithm.rawValue) you specified did not match the calculated checksum.")
                }
            }
        }

        /// The checksums to store: those of `algorithms`, base64-encoded.
        func stored(_ algorithms: Set<ChecksumAlgorithm>) -> Checksums {
            var result = Checksums()
            for algorithm in algorithms { result[algorithm] = checksums[algorithm]?.base64 }
            return result
        }
    }
}
