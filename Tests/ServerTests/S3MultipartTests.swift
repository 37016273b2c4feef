import Crypto
import Foundation
import HTTPTypes
import Testing
@testable import Server

/// Multipart uploads through the S3 API: S3's ETag, composite checksums, part copies,
/// listings, repeated completion and abort.
@Suite struct S3MultipartTests {
    static func field(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    static func completion(_ parts: [(Int, String, String?)]) -> [UInt8] {
        let body = parts.map { part in
            "<Part><PartNumber>\(part.0)</PartNumber><ETag>\(part.1)</ETag>" + (part.2.map { "<ChecksumCRC32>\($0)</ChecksumCRC32>" } ?? "") + "</Part>"
        }.joined()
        return Array("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(body)</CompleteMultipartUpload>".utf8)
    }

    @Test func uploadListCompleteAndRepeat() async throws {
        try await S3TestServer.run(minimumPartSize: 1000) { client in
            _ = try await client.request(.put, "/bucket")
            let created = try await client.request(
                .post, "/bucket/big?uploads", headers: [.contentType: "video/mp4", Self.field("x-amz-checksum-algorithm"): "CRC32"])
            #expect(created.header("x-amz-checksum-algorithm") == "CRC32")
            let upload = try #require(created.xml?.value("UploadId"))
            #expect(created.xml?.value("Key") == "big" && created.xml?.value("Bucket") == "bucket")
            let parts = [[UInt8].pattern(1500, seed: 1), [UInt8].pattern(1200, seed: 2), [UInt8].pattern(10, seed: 3)]
            var completed: [(Int, String, String?)] = []
            for (index, part) in parts.enumerated() {
                let crc = TestCRC32.base64(part)
                let reply = try await client.request(
                    .put, "/bucket/big?partNumber=\(index + 1)&uploadId=\(upload)", body: part, headers: [Self.field("x-amz-checksum-crc32"): crc])
                #expect(reply.headers[.eTag] == "\"\(part.md5Hex)\"" && reply.header("x-amz-checksum-crc32") == crc)
                completed.append((index + 1, reply.headers[.eTag] ?? "", crc))
            }
            let listed = try await client.request(.get, "/bucket/big?uploadId=\(upload)&max-parts=2").xml
            #expect(listed?.children("Part").compactMap { $0.value("PartNumber") } == ["1", "2"])
            #expect(listed?.value("IsTruncated") == "true" && listed?.value("NextPartNumberMarker") == "2")
            #expect(listed?.value("ChecksumAlgorithm") == "CRC32")
            let rest = try await client.request(.get, "/bucket/big?uploadId=\(upload)&part-number-marker=2").xml
            #expect(rest?.children("Part").compactMap { $0.value("Size") } == ["10"])
            let uploads = try await client.request(.get, "/bucket?uploads").xml
            #expect(uploads?.children("Upload").compactMap { $0.value("UploadId") } == [upload])
            let done = try await client.request(.post, "/bucket/big?uploadId=\(upload)", body: Self.completion(completed))
            var md5 = Insecure.MD5()
            for part in parts { md5.update(data: Array(Insecure.MD5.hash(data: part))) }
            let expectedETag = "\"\(URIEncoding.hex(md5.finalize()))-3\""
            #expect(done.xml?.name == "CompleteMultipartUploadResult" && done.xml?.value("ETag") == expectedETag)
            #expect(done.xml?.value("ChecksumCRC32")?.hasSuffix("-3") == true)
            let again = try await client.request(.post, "/bucket/big?uploadId=\(upload)", body: Self.completion(completed))
            #expect(again.status == .ok && again.xml?.value("ETag") == expectedETag)
            let object = try await client.request(.get, "/bucket/big", headers: [Self.field("x-amz-checksum-mode"): "ENABLED"])
            #expect(object.body == parts.flatMap { $0 } && object.headers[.eTag] == expectedETag)
            #expect(object.headers[.contentType] == "video/mp4" && object.header("x-amz-checksum-type") == "COMPOSITE")
            #expect(try await client.request(.get, "/bucket?uploads").xml?.children("Upload").isEmpty == true)
        }
    }

    @Test func partCopyAndAbort() async throws {
        try await S3TestServer.run(minimumPartSize: 5) { client in
            _ = try await client.request(.put, "/bucket")
            let source = [UInt8].pattern(3000, seed: 9)
            _ = try await client.request(.put, "/bucket/source", body: source)
            let upload = try #require(try await client.request(.post, "/bucket/copy?uploads").xml?.value("UploadId"))
            let copySource = Self.field("x-amz-copy-source")
            let first = try await client.request(
                .put, "/bucket/copy?partNumber=1&uploadId=\(upload)",
                headers: [copySource: "/bucket/source", Self.field("x-amz-copy-source-range"): "bytes=0-999"])
            #expect(first.xml?.name == "CopyPartResult" && first.xml?.value("ETag") == "\"\(Array(source[0..<1000]).md5Hex)\"")
            let second = try await client.request(.put, "/bucket/copy?partNumber=2&uploadId=\(upload)", headers: [copySource: "bucket/source"])
            let badRange = try await client.request(
                .put, "/bucket/copy?partNumber=3&uploadId=\(upload)",
                headers: [copySource: "bucket/source", Self.field("x-amz-copy-source-range"): "bytes=0-5000"])
            #expect(badRange.code == "InvalidRange")
            let malformedRange = try await client.request(
                .put, "/bucket/copy?partNumber=3&uploadId=\(upload)",
                headers: [copySource: "bucket/source", Self.field("x-amz-copy-source-range"): "bytes=5-"])
            #expect(malformedRange.code == "InvalidArgument")
            let parts = [(1, first.xml?.value("ETag") ?? "", nil), (2, second.xml?.value("ETag") ?? "", String?.none)]
            #expect(try await client.request(.post, "/bucket/copy?uploadId=\(upload)", body: Self.completion(parts)).status == .ok)
            #expect(try await client.request(.get, "/bucket/copy").body == Array(source[0..<1000]) + source)
            let abandoned = try #require(try await client.request(.post, "/bucket/gone?uploads").xml?.value("UploadId"))
            _ = try await client.request(.put, "/bucket/gone?partNumber=1&uploadId=\(abandoned)", body: [1, 2, 3])
            #expect(try await client.request(.delete, "/bucket/gone?uploadId=\(abandoned)").status == .noContent)
            #expect(try await client.request(.get, "/bucket/gone?uploadId=\(abandoned)").code == "NoSuchUpload")
            #expect(try await client.request(.delete, "/bucket/gone?uploadId=\(abandoned)").code == "NoSuchUpload")
        }
    }
}
