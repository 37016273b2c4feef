import Foundation
import TestSupport
import Testing
@testable import ObjectStore

/// CRC32 and CRC32C against published vectors and a bit-at-a-time reference, and the
/// checksum handling of PUT.
@Suite struct ChecksumTests {
    /// The textbook definition: one bit at a time, no tables.
    static func referenceCRC(_ bytes: [UInt8], polynomial: UInt32) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        }
        return ~crc
    }

    @Test func crcCheckValuesMatchTheCatalogue() {
        // "123456789" is the check input of the CRC catalogue (Williams, reveng).
        var crc32 = CRC32(.ieee)
        crc32.update(Array("123456789".utf8))
        #expect(crc32.value == 0xCBF4_3926)
        var crc32c = CRC32(.castagnoli)
        crc32c.update(Array("123456789".utf8))
        #expect(crc32c.value == 0xE306_9283)
        #expect(CRC32(.ieee).value == 0)
        #expect(crc32.bytes.base64 == "y/Q5Jg==")
        #expect(crc32c.bytes.base64 == "4waSgw==")
    }

    @Test func sliceByEightAgreesWithTheBitwiseDefinitionForAnySplit() {
        var random = SplitMix64(seed: 7)
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let split = length == 0 ? 0 : Int(random.next() % UInt64(length + 1))
            for (polynomial, reference) in [(CRC32.Polynomial.ieee, UInt32(0xEDB8_8320)), (.castagnoli, 0x82F6_3B78)] {
                var crc = CRC32(polynomial)
                crc.update(Array(bytes[..<split]))
                crc.update(Array(bytes[split...]))
                #expect(crc.value == Self.referenceCRC(bytes, polynomial: reference), "length \(length) split \(split)")
            }
        }
    }

    @Test func putComputesTheRequestedChecksums() async throws {
        let store = try TemporaryStore(chunkSize: 4)
        try await store.store.createBucket("sums")
        let body = Array("hello world".utf8)
        let result = try await store.store.putObject(
            bucket: "sums", key: "k", body: Pieces(body, pieceSize: 3),
            checksums: ChecksumRequest(algorithms: Set(ChecksumAlgorithm.allCases)))
        // Values from Python's zlib/hashlib and a bitwise CRC32C.
        #expect(result.checksums.crc32 == "DUoRhQ==")
        #expect(result.checksums.crc32c == "yZRlqg==")
        #expect(result.checksums.sha1 == "Kq5sNclPz7QV2+lfQIuc6R7oRu0=")
        #expect(result.checksums.sha256 == "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        #expect(result.etag == "\"" + md5Hex(body) + "\"")
        #expect(try store.store.headObject(bucket: "sums", key: "k").checksums == result.checksums)
    }

    @Test func onlyRequestedChecksumsAreStored() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("sums")
        let result = try await store.store.putObject(
            bucket: "sums", key: "k", body: Pieces(Array("hello world".utf8)),
            checksums: ChecksumRequest(expected: [.crc32c: "yZRlqg=="]))
        #expect(result.checksums == Checksums(crc32c: "yZRlqg=="))
    }

    @Test func aMismatchLeavesThePreviousObjectAndNoChunks() async throws {
        let store = try TemporaryStore(chunkSize: 8)
        try await store.store.createBucket("sums")
        let original = randomBytes(100, seed: 1)
        try await store.put("sums", "k", original)
        let filesBefore = Set(store.chunkFiles)
        let body = Array("hello world, a little longer than a chunk".utf8)
        let attempts: [(ObjectStoreError.Code, ChecksumRequest, [UInt8]?, [UInt8]?)] = [
            (.badDigest, ChecksumRequest(expected: [.crc32: "AAAAAA=="]), nil, nil),
            (.badDigest, ChecksumRequest(expected: [.sha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]), nil, nil),
            (.invalidRequest, ChecksumRequest(expected: [.crc32: "not base64!"]), nil, nil),
            (.invalidRequest, ChecksumRequest(expected: [.sha1: "AAAAAA=="]), nil, nil),
            (.badDigest, ChecksumRequest(), Array(repeating: 0, count: 16), nil),
            (.invalidDigest, ChecksumRequest(), [1, 2, 3], nil),
            (.contentSHA256Mismatch, ChecksumRequest(), nil, Array(repeating: 0, count: 32)),
            (.badDigest, ChecksumRequest(algorithms: [.crc32c], trailing: { [.crc32c: "AAAAAA=="] }), nil, nil),
            (.invalidRequest, ChecksumRequest(trailing: { [.crc32c: "AAAAAA=="] }), nil, nil),
        ]
        for (code, checksums, md5, sha256) in attempts {
            await expectError(code) {
                try await store.store.putObject(
                    bucket: "sums", key: "k", body: Pieces(body, pieceSize: 5), expectedMD5: md5, expectedSHA256: sha256,
                    checksums: checksums)
            }
        }
        #expect(try await store.get("sums", "k") == original)
        #expect(Set(store.chunkFiles) == filesBefore)
        try store.expectConsistent()
    }

    @Test func matchingDigestsAndTrailersAreAccepted() async throws {
        let store = try TemporaryStore(chunkSize: 8)
        try await store.store.createBucket("sums")
        let body = Array("hello world".utf8)
        let md5 = Array(Data(base64Encoded: "XrY7u+Ae7tCTyyK7j1rNww==")!)  // MD5("hello world")
        let sha256 = Array(Data(base64Encoded: "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")!)
        let result = try await store.store.putObject(
            bucket: "sums", key: "k", body: Pieces(body), contentLength: body.count, expectedMD5: md5, expectedSHA256: sha256,
            checksums: ChecksumRequest(algorithms: [.crc32], trailing: { [.crc32: "DUoRhQ=="] }))
        #expect(result.etag == "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
        #expect(result.checksums.crc32 == "DUoRhQ==")
    }

    @Test func aBodyShorterThanItsContentLengthIsIncomplete() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("sums")
        await expectError(.incompleteBody) {
            try await store.store.putObject(bucket: "sums", key: "k", body: Pieces([1, 2, 3]), contentLength: 4)
        }
        await expectError(.noSuchKey) { try store.store.headObject(bucket: "sums", key: "k") }
        #expect(store.chunkFiles.isEmpty)
    }
}
