import Foundation
import HTTPTypes
import Testing
@testable import Server

/// `aws-chunked` uploads through the S3 API: signed chunks chained from the seed
/// signature, and unsigned chunks with a trailing checksum (what current SDKs send).
@Suite struct S3StreamingTests {
    static func field(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    /// A signed `aws-chunked` PUT of `data` in chunks of `chunkSize`; `corrupt` changes
    /// one data byte after signing.
    static func signedUpload(_ data: [UInt8], chunkSize: Int, corrupt: Bool = false) -> (HTTPFields, [UInt8]) {
        let signer = S3Signer(accessKey: S3TestServer.accessKey, secretKey: S3TestServer.secretKey)
        var fields: HTTPFields = [.contentEncoding: "aws-chunked", field("x-amz-decoded-content-length"): String(data.count)]
        let date = Date()
        signer.sign(method: .put, target: "/bucket/signed", host: "localhost", fields: &fields,
            payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", date: date)
        var previous = String(fields[.authorization]!.split(separator: "=").last!)
        let timestamp = HTTPDate.amzTimestamp(date)
        let key = SigV4.signingKey(secret: S3TestServer.secretKey, date: String(timestamp.prefix(8)), region: "us-east-1")
        let scope = "\(timestamp.prefix(8))/us-east-1/s3/aws4_request"
        var body: [UInt8] = []
        var chunks = stride(from: 0, to: data.count, by: chunkSize).map { Array(data[$0..<min($0 + chunkSize, data.count)]) }
        chunks.append([])
        for chunk in chunks {
            let signature = SigV4.signature(
                key, SigV4.chunkStringToSign(timestamp: timestamp, scope: scope, previous: previous, chunkHash: SigV4.sha256Hex(chunk)))
            previous = signature
            body += Array("\(String(chunk.count, radix: 16));chunk-signature=\(signature)\r\n".utf8) + chunk + Array("\r\n".utf8)
        }
        if corrupt, let index = body.firstIndex(of: data[0]) { body[index] ^= 0xFF }
        return (fields, body)
    }

    @Test func signedChunksAreVerifiedAndAForgedOneStoresNothing() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let data = [UInt8].pattern(200_000, seed: 7)
            let (fields, body) = Self.signedUpload(data, chunkSize: 65_536)
            let put = try await client.request(.put, "/bucket/signed", body: body, headers: fields, sign: false)
            #expect(put.status == .ok && put.headers[.eTag] == "\"\(data.md5Hex)\"", "\(put.text)")
            let get = try await client.request(.get, "/bucket/signed")
            #expect(get.body == data && get.headers[.contentEncoding] == nil)
            _ = try await client.request(.delete, "/bucket/signed")
            let (forgedFields, forged) = Self.signedUpload(data, chunkSize: 65_536, corrupt: true)
            let refused = try await client.request(.put, "/bucket/signed", body: forged, headers: forgedFields, sign: false)
            #expect(refused.status == .forbidden && refused.code == "SignatureDoesNotMatch")
            #expect(try await client.request(.get, "/bucket/signed").code == "NoSuchKey")
        }
    }

    static func trailerBody(_ data: [UInt8], trailer: String) -> [UInt8] {
        var body: [UInt8] = []
        for start in stride(from: 0, to: data.count, by: 8192) {
            let chunk = data[start..<min(start + 8192, data.count)]
            body += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
        }
        return body + Array("0\r\n\(trailer)\r\n\r\n".utf8)
    }

    @Test func unsignedPayloadWithTrailingChecksum() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let data = [UInt8].pattern(50_000, seed: 3)
            let crc = TestCRC32.base64(data)
            let fields: HTTPFields = [
                .contentEncoding: "aws-chunked", Self.field("x-amz-decoded-content-length"): String(data.count),
                Self.field("x-amz-trailer"): "x-amz-checksum-crc32", Self.field("x-amz-sdk-checksum-algorithm"): "CRC32",
            ]
            let payload = TestPayload.literal("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            let put = try await client.request(
                .put, "/bucket/trailer", body: Self.trailerBody(data, trailer: "x-amz-checksum-crc32:\(crc)"), headers: fields, payload: payload)
            #expect(put.status == .ok && put.header("x-amz-checksum-crc32") == crc, "\(put.text)")
            let get = try await client.request(.get, "/bucket/trailer", headers: [Self.field("x-amz-checksum-mode"): "ENABLED"])
            #expect(get.body == data && get.header("x-amz-checksum-crc32") == crc)
            let wrong = try await client.request(
                .put, "/bucket/wrong", body: Self.trailerBody(data, trailer: "x-amz-checksum-crc32:AAAAAA=="), headers: fields, payload: payload)
            #expect(wrong.code == "BadDigest")
            let missing = try await client.request(
                .put, "/bucket/wrong", body: Self.trailerBody(data, trailer: "x-amz-other:1"), headers: fields, payload: payload)
            #expect(missing.code == "InvalidRequest")
            var short = fields
            short[Self.field("x-amz-decoded-content-length")] = String(data.count + 1)
            let incomplete = try await client.request(
                .put, "/bucket/wrong", body: Self.trailerBody(data, trailer: "x-amz-checksum-crc32:\(crc)"), headers: short, payload: payload)
            #expect(incomplete.code == "IncompleteBody")
            let truncated = Array(Self.trailerBody(data, trailer: "x-amz-checksum-crc32:\(crc)").prefix(20_000))
            #expect(try await client.request(.put, "/bucket/wrong", body: truncated, headers: fields, payload: payload).code == "IncompleteBody")
            #expect(try await client.request(.get, "/bucket/wrong").code == "NoSuchKey")
        }
    }
}
