import Crypto
import Foundation
import HTTPTypes
import Testing
@testable import Server

/// Buckets, objects, copies, deletes and lifecycle through the S3 API, in process.
@Suite struct S3ObjectTests {
    static func field(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    @Test func bucketsListHeadAndLocation() async throws {
        try await S3TestServer.run { client in
            for name in ["beta", "alpha"] { #expect(try await client.request(.put, "/\(name)").status == .ok) }
            let configured = try await client.request(
                .put, "/gamma",
                body: Array("<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>".utf8))
            #expect(configured.status == .ok)
            let list = try #require(try await client.request(.get, "/").xml)
            #expect(list.name == "ListAllMyBucketsResult")
            #expect(list.child("Buckets")?.children("Bucket").compactMap { $0.value("Name") } == ["alpha", "beta", "gamma"])
            #expect(list.child("Owner")?.value("ID")?.count == 64)
            let head = try await client.request(.head, "/alpha")
            #expect(head.status == .ok && head.header("x-amz-bucket-region") == "us-east-1")
            let location = try await client.request(.get, "/alpha?location")
            #expect(location.xml?.name == "LocationConstraint" && location.xml?.text == "")
            #expect(try await client.request(.get, "/alpha?versioning").xml?.name == "VersioningConfiguration")
            #expect(try await client.request(.delete, "/alpha").status == .noContent)
            #expect(try await client.request(.head, "/alpha").status == .notFound)
        }
    }

    @Test func objectRoundTripWithMetadataAndOverrides() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let body = [UInt8].pattern(100_000)
            let headers: HTTPFields = [
                .contentType: "text/plain", .contentEncoding: "identity", .contentDisposition: "attachment; filename=\"a.txt\"",
                .contentLanguage: "en", .cacheControl: "max-age=60", .expires: "Thu, 01 Dec 2030 16:00:00 GMT",
                Self.field("x-amz-meta-colour"): "blue", Self.field("x-amz-meta-Mixed-Case"): "Value  with  spaces",
            ]
            let put = try await client.request(.put, "/bucket/dir/file%20name.txt", body: body, headers: headers)
            #expect(put.status == .ok)
            #expect(put.headers[.eTag] == "\"\(body.md5Hex)\"")
            #expect(put.header("x-amz-request-id")?.count == 16 && put.header("x-amz-id-2") != nil)
            let get = try await client.request(.get, "/bucket/dir/file%20name.txt")
            #expect(get.body == body)
            #expect(get.headers[.contentType] == "text/plain" && get.headers[.contentLength] == "100000")
            #expect(get.headers[.eTag] == put.headers[.eTag] && get.headers[.acceptRanges] == "bytes")
            #expect(get.headers[.contentDisposition] == "attachment; filename=\"a.txt\"" && get.headers[.contentLanguage] == "en")
            #expect(get.headers[.cacheControl] == "max-age=60" && get.headers[.expires] == "Thu, 01 Dec 2030 16:00:00 GMT")
            #expect(get.headers[.contentEncoding] == "identity")
            #expect(get.header("x-amz-meta-colour") == "blue" && get.header("x-amz-meta-mixed-case") == "Value  with  spaces")
            #expect(get.headers[.lastModified].flatMap(HTTPDate.parse).map { abs($0.timeIntervalSinceNow) < 60 } == true)
            #expect(get.headers[.server] == "Divan")
            let head = try await client.request(.head, "/bucket/dir/file%20name.txt")
            #expect(head.status == .ok && head.body.isEmpty && head.headers[.contentLength] == "100000")
            let overridden = try await client.request(
                .get, "/bucket/dir/file%20name.txt?response-content-type=image/png&response-cache-control=no-cache")
            #expect(overridden.headers[.contentType] == "image/png" && overridden.headers[.cacheControl] == "no-cache")
            let untyped = try await client.put("/bucket/untyped", "x")
            #expect(untyped.status == .ok)
            #expect(try await client.request(.get, "/bucket/untyped").headers[.contentType] == "binary/octet-stream")
            let tooMuch: HTTPFields = [Self.field("x-amz-meta-big"): String(repeating: "x", count: 2100)]
            #expect(try await client.request(.put, "/bucket/meta", body: [1], headers: tooMuch).code == "MetadataTooLarge")
            #expect(try await client.request(.delete, "/bucket/dir/file%20name.txt").status == .noContent)
            #expect(try await client.request(.delete, "/bucket/dir/file%20name.txt").status == .noContent)
            #expect(try await client.request(.get, "/bucket/dir/file%20name.txt").code == "NoSuchKey")
        }
    }

    @Test func rangesAndChecksums() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let body = Array("0123456789".utf8)
            let crc = TestCRC32.base64(body)
            let put = try await client.request(.put, "/bucket/ten", body: body, headers: [Self.field("x-amz-checksum-crc32"): crc])
            #expect(put.header("x-amz-checksum-crc32") == crc)
            for (range, expected, contentRange) in [
                ("bytes=2-5", "2345", "bytes 2-5/10"), ("bytes=7-", "789", "bytes 7-9/10"), ("bytes=-3", "789", "bytes 7-9/10"),
                ("bytes=8-100", "89", "bytes 8-9/10"),
            ] {
                let reply = try await client.request(.get, "/bucket/ten", headers: [.range: range])
                #expect(reply.status == .partialContent && reply.text == expected && reply.headers[.contentRange] == contentRange)
            }
            for ignored in ["bytes=5-2", "items=0-1", "bytes=0-1,3-4", "bytes=x-y"] {
                #expect(try await client.request(.get, "/bucket/ten", headers: [.range: ignored]).status == .ok)
            }
            let mode: HTTPFields = [Self.field("x-amz-checksum-mode"): "ENABLED"]
            let whole = try await client.request(.get, "/bucket/ten", headers: mode)
            #expect(whole.header("x-amz-checksum-crc32") == crc && whole.header("x-amz-checksum-type") == "FULL_OBJECT")
            #expect(try await client.request(.get, "/bucket/ten").header("x-amz-checksum-crc32") == nil)
            var ranged = mode
            ranged[.range] = "bytes=0-1"
            #expect(try await client.request(.get, "/bucket/ten", headers: ranged).header("x-amz-checksum-crc32") == nil)
            let sha: HTTPFields = [Self.field("x-amz-sdk-checksum-algorithm"): "SHA256"]
            let computed = try await client.request(.put, "/bucket/sha", body: body, headers: sha)
            #expect(computed.header("x-amz-checksum-sha256") == Data(SHA256Digest.of(body)).base64EncodedString())
            let crc32c = TestCRC32.base64(body, castagnoli: true)
            #expect(TestCRC32.base64(Array("123456789".utf8), castagnoli: true) == "4waSgw==")  // the CRC-32C check value
            let castagnoli = try await client.request(.put, "/bucket/c", body: body, headers: [Self.field("x-amz-checksum-crc32c"): crc32c])
            #expect(castagnoli.status == .ok && castagnoli.header("x-amz-checksum-crc32c") == crc32c)
            let sha1 = Data(Insecure.SHA1.hash(data: body)).base64EncodedString()
            #expect(try await client.request(.put, "/bucket/s", body: body, headers: [Self.field("x-amz-checksum-sha1"): sha1]).status == .ok)
            let wrongSHA1: HTTPFields = [Self.field("x-amz-checksum-sha1"): Data(Insecure.SHA1.hash(data: [1])).base64EncodedString()]
            #expect(try await client.request(.put, "/bucket/s", body: body, headers: wrongSHA1).code == "BadDigest")
        }
    }

    @Test func copiesAndBatchDeletes() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            _ = try await client.request(.put, "/other")
            let meta: HTTPFields = [.contentType: "text/csv", Self.field("x-amz-meta-origin"): "source"]
            let source = try await client.request(.put, "/bucket/source", body: Array("copy me".utf8), headers: meta)
            let etag = try #require(source.headers[.eTag])
            let copy = try await client.request(.put, "/other/copy", headers: [Self.field("x-amz-copy-source"): "/bucket/source"])
            #expect(copy.xml?.name == "CopyObjectResult" && copy.xml?.value("ETag") == etag)
            let copied = try await client.request(.get, "/other/copy")
            #expect(copied.text == "copy me" && copied.header("x-amz-meta-origin") == "source" && copied.headers[.contentType] == "text/csv")
            let replace: HTTPFields = [
                Self.field("x-amz-copy-source"): "bucket/source", Self.field("x-amz-metadata-directive"): "REPLACE",
                Self.field("x-amz-meta-new"): "yes", .contentType: "text/plain",
            ]
            #expect(try await client.request(.put, "/bucket/source", headers: replace).status == .ok)
            let replaced = try await client.request(.head, "/bucket/source")
            #expect(replaced.header("x-amz-meta-new") == "yes" && replaced.header("x-amz-meta-origin") == nil)
            let onto: HTTPFields = [Self.field("x-amz-copy-source"): "bucket/source"]
            #expect(try await client.request(.put, "/bucket/source", headers: onto).code == "InvalidRequest")
            let failing: HTTPFields = [Self.field("x-amz-copy-source"): "bucket/source", Self.field("x-amz-copy-source-if-match"): "\"x\""]
            #expect(try await client.request(.put, "/other/c2", headers: failing).status == .preconditionFailed)
            let unmodified: HTTPFields = [
                Self.field("x-amz-copy-source"): "bucket/source", Self.field("x-amz-copy-source-if-none-match"): "\"other\"",
            ]
            #expect(try await client.request(.put, "/other/c3", headers: unmodified).status == .ok)
            var matching = unmodified
            matching[Self.field("x-amz-copy-source-if-none-match")] = etag
            #expect(try await client.request(.put, "/other/c3", headers: matching).status == .preconditionFailed)
            #expect(try await client.request(.put, "/other/c4", headers: [Self.field("x-amz-copy-source"): "bucket/nothing"]).code == "NoSuchKey")
            #expect(try await client.request(.put, "/other/c5", headers: [Self.field("x-amz-copy-source"): "nobucket"]).code == "InvalidArgument")
            for key in ["a", "b", "c"] { _ = try await client.put("/other/\(key)", key) }
            let batch = "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object><Object><Key>missing</Key></Object></Delete>"
            let deleted = try #require(try await client.request(.post, "/other?delete", body: Array(batch.utf8)).xml)
            #expect(deleted.children("Deleted").compactMap { $0.value("Key") } == ["a", "b", "missing"])
            let quiet = "<Delete><Quiet>true</Quiet><Object><Key>c</Key></Object><Object><Key></Key></Object></Delete>"
            let quietReply = try #require(try await client.request(.post, "/other?delete", body: Array(quiet.utf8)).xml)
            #expect(quietReply.children("Deleted").isEmpty && quietReply.children("Error").count == 1)
            let keys = try await client.request(.get, "/other?list-type=2").xml?.children("Contents").compactMap { $0.value("Key") }
            #expect(keys == ["c3", "copy"])
        }
    }

    @Test func lifecycleConfigurationAndExpiry() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            for key in ["logs/1", "logs/2", "keep/1"] { _ = try await client.put("/bucket/\(key)", key) }
            let document = """
                <LifecycleConfiguration><Rule><ID>old-logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>\
                <Expiration><Date>2020-01-01T00:00:00Z</Date></Expiration></Rule>\
                <Rule><ID>uploads</ID><Filter/><Status>Enabled</Status>\
                <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>\
                </LifecycleConfiguration>
                """
            #expect(try await client.request(.put, "/bucket?lifecycle", body: Array(document.utf8)).status == .ok)
            #expect(try await client.request(.get, "/bucket?lifecycle").text == document)
            // The sweeper runs right after a configuration changes.
            var remaining: [String] = []
            for _ in 0..<100 {
                remaining = try await client.request(.get, "/bucket?list-type=2").xml?.children("Contents").compactMap { $0.value("Key") } ?? []
                if remaining == ["keep/1"] { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(remaining == ["keep/1"])
            let notMidnight = document.replacingOccurrences(of: "T00:00:00Z", with: "T01:00:00Z")
            #expect(try await client.request(.put, "/bucket?lifecycle", body: Array(notMidnight.utf8)).code == "InvalidArgument")
            let tagged = "<LifecycleConfiguration><Rule><Filter><Tag><Key>a</Key><Value>b</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"
            #expect(try await client.request(.put, "/bucket?lifecycle", body: Array(tagged.utf8)).code == "NotImplemented")
            #expect(try await client.request(.delete, "/bucket?lifecycle").status == .noContent)
            #expect(try await client.request(.get, "/bucket?lifecycle").code == "NoSuchLifecycleConfiguration")
        }
    }

    @Test func virtualHostStyleAddressing() throws {
        func request(_ authority: String, _ path: String) throws -> S3Request {
            try S3Request(HTTPRequest(method: .get, scheme: "http", authority: authority, path: path, headerFields: [:]), virtualHostDomain: "s3.example.com")
        }
        let hosted = try request("photos.s3.example.com:9000", "/2024/a%20b.jpg?acl")
        #expect(hosted.bucket == "photos" && hosted.key == "2024/a b.jpg" && hosted.has("acl"))
        let bucketOnly = try request("photos.s3.example.com", "/")
        #expect(bucketOnly.bucket == "photos" && bucketOnly.key == nil)
        let pathStyle = try request("s3.example.com", "/photos/x/")
        #expect(pathStyle.bucket == "photos" && pathStyle.key == "x/")
        let service = try request("127.0.0.1:9000", "/")
        #expect(service.bucket == nil && service.key == nil)
    }
}
