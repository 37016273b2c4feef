import Foundation
import HTTPTypes
import Testing
@testable import Server

/// Every S3 error the API promises, with its status and XML body (Code, Message,
/// Resource, RequestId), and that failed writes leave nothing behind.
@Suite struct S3ErrorTests {
    static func expectError(_ reply: S3Reply, _ status: HTTPResponse.Status, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, sourceLocation: sourceLocation)
        #expect(reply.code == code, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers[.contentType] == "application/xml", sourceLocation: sourceLocation)
        #expect(reply.xml?.value("RequestId") == reply.header("x-amz-request-id"), sourceLocation: sourceLocation)
        #expect(reply.xml?.value("Message")?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func bucketAndKeyErrors() async throws {
        try await S3TestServer.run { client in
            Self.expectError(try await client.request(.get, "/missing/key"), .notFound, "NoSuchBucket")
            Self.expectError(try await client.request(.get, "/missing"), .notFound, "NoSuchBucket")
            Self.expectError(try await client.request(.put, "/Bad_Name"), .badRequest, "InvalidBucketName")
            #expect(try await client.request(.put, "/bucket").status == .ok)
            Self.expectError(try await client.request(.put, "/bucket"), .conflict, "BucketAlreadyOwnedByYou")
            let missing = try await client.request(.get, "/bucket/no/such%20key")
            Self.expectError(missing, .notFound, "NoSuchKey")
            #expect(missing.xml?.value("Resource") == "/bucket/no/such key")
            let head = try await client.request(.head, "/bucket/nothing")
            #expect(head.status == .notFound && head.body.isEmpty)
            #expect(try await client.put("/bucket/object", "data").status == .ok)
            Self.expectError(try await client.request(.delete, "/bucket"), .conflict, "BucketNotEmpty")
            Self.expectError(try await client.request(.get, "/bucket/k?uploadId=" + String(repeating: "0", count: 32)), .notFound, "NoSuchUpload")
            Self.expectError(try await client.request(.delete, "/bucket/k?uploadId=not-an-id"), .notFound, "NoSuchUpload")
            Self.expectError(try await client.request(.patch, "/bucket/object"), .methodNotAllowed, "MethodNotAllowed")
            Self.expectError(try await client.request(.get, "/bucket?list-type=2&max-keys=abc"), .badRequest, "InvalidArgument")
            Self.expectError(try await client.request(.get, "/bucket?encoding-type=base64"), .badRequest, "InvalidArgument")
            Self.expectError(try await client.request(.get, "/bucket/bad%zzescape"), .badRequest, "InvalidURI")
            Self.expectError(try await client.request(.get, "/bucket?policy"), .notFound, "NoSuchBucketPolicy")
            Self.expectError(try await client.request(.put, "/bucket/object?tagging", body: []), .notImplemented, "NotImplemented")
        }
    }

    @Test func authenticationErrors() async throws {
        try await S3TestServer.run { client in
            Self.expectError(try await client.request(.get, "/", sign: false), .forbidden, "AccessDenied")
            var wrongSecret = client
            wrongSecret.secretKey = "not the secret"
            Self.expectError(try await wrongSecret.request(.get, "/"), .forbidden, "SignatureDoesNotMatch")
            var unknown = client
            unknown.accessKey = "AKIAUNKNOWNKEY000000"
            Self.expectError(try await unknown.request(.get, "/"), .forbidden, "InvalidAccessKeyId")
            Self.expectError(try await client.request(.get, "/", date: Date() - 20 * 60), .forbidden, "RequestTimeTooSkewed")
            Self.expectError(try await client.request(.get, "/", date: Date() + 20 * 60), .forbidden, "RequestTimeTooSkewed")
            var extra = client
            (extra.accessKey, extra.secretKey) = (S3TestServer.extraKey.accessKey, S3TestServer.extraKey.secretKey)
            #expect(try await extra.request(.get, "/").status == .ok)
            // An x-amz-* header added after signing is refused, not silently trusted.
            var fields: HTTPFields = [:]
            S3Signer(accessKey: S3TestServer.accessKey, secretKey: S3TestServer.secretKey).sign(
                method: .put, target: "/b", host: "localhost", fields: &fields, payloadHash: SigV4.emptySHA256, date: Date())
            fields[HTTPField.Name("x-amz-meta-added")!] = "later"
            Self.expectError(try await client.request(.put, "/b", headers: fields, sign: false), .forbidden, "AccessDenied")
            let malformed: HTTPFields = [.authorization: "AWS4-HMAC-SHA256 garbage"]
            Self.expectError(try await client.request(.get, "/", headers: malformed, sign: false), .badRequest, "AuthorizationHeaderMalformed")
            let version2: HTTPFields = [.authorization: "AWS AKIDIVANTESTKEY00001:c2lnbmF0dXJl", .date: HTTPDate.format(Date())]
            Self.expectError(try await client.request(.get, "/", headers: version2, sign: false), .forbidden, "SignatureDoesNotMatch")
            let badPayload: HTTPFields = [HTTPField.Name("x-amz-content-sha256")!: "not-a-hash"]
            Self.expectError(try await client.request(.get, "/", headers: badPayload, payload: .literal("not-a-hash")), .badRequest, "InvalidArgument")
        }
    }

    @Test func presignedURLs() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            _ = try await client.put("/bucket/file.txt", "presigned")
            let signer = S3Signer(accessKey: S3TestServer.accessKey, secretKey: S3TestServer.secretKey)
            let url = signer.presign(method: .get, path: "/bucket/file.txt", host: "localhost", expires: 60, date: Date())
            let reply = try await client.request(.get, url, sign: false)
            #expect(reply.status == .ok && reply.text == "presigned")
            let expired = signer.presign(method: .get, path: "/bucket/file.txt", host: "localhost", expires: 60, date: Date() - 120)
            Self.expectError(try await client.request(.get, expired, sign: false), .forbidden, "AccessDenied")
            let tampered = url.replacingOccurrences(of: "file.txt", with: "other.txt")
            Self.expectError(try await client.request(.get, tampered, sign: false), .forbidden, "SignatureDoesNotMatch")
            let wrongMethod = try await client.request(.delete, url, sign: false)
            Self.expectError(wrongMethod, .forbidden, "SignatureDoesNotMatch")
        }
    }

    @Test func readConditionsAndRanges() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let put = try await client.put("/bucket/ten", "0123456789")
            let etag = try #require(put.headers[.eTag])
            let range = try await client.request(.get, "/bucket/ten", headers: [.range: "bytes=100-200"])
            Self.expectError(range, .rangeNotSatisfiable, "InvalidRange")
            #expect(range.headers[.contentRange] == "bytes */10")
            Self.expectError(try await client.request(.get, "/bucket/ten", headers: [.ifMatch: "\"nope\""]), .preconditionFailed, "PreconditionFailed")
            let past = HTTPDate.format(Date() - 3600)
            Self.expectError(
                try await client.request(.get, "/bucket/ten", headers: [.ifUnmodifiedSince: past]), .preconditionFailed, "PreconditionFailed")
            // If-Match that holds overrides If-Unmodified-Since, as S3 documents.
            #expect(try await client.request(.get, "/bucket/ten", headers: [.ifMatch: etag, .ifUnmodifiedSince: past]).status == .ok)
            let notModified = try await client.request(.get, "/bucket/ten", headers: [.ifNoneMatch: etag])
            #expect(notModified.status == .notModified && notModified.body.isEmpty)
            #expect(notModified.headers[.eTag] == etag)
            let future = HTTPDate.format(Date() + 3600)
            #expect(try await client.request(.get, "/bucket/ten", headers: [.ifModifiedSince: future]).status == .notModified)
            #expect(try await client.request(.head, "/bucket/ten", headers: [.ifNoneMatch: "*"]).status == .notModified)
            #expect(try await client.request(.get, "/bucket/ten", headers: [.ifNoneMatch: "\"other\""]).status == .ok)
            // Conditions win over an unsatisfiable range.
            #expect(try await client.request(.get, "/bucket/ten", headers: [.range: "bytes=50-", .ifMatch: "\"x\""]).status == .preconditionFailed)
        }
    }

    @Test func integrityErrorsStoreNothing() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let body = Array("the body".utf8)
            let wrongMD5: HTTPFields = [HTTPField.Name("content-md5")!: Array("other".utf8).md5Base64]
            Self.expectError(try await client.request(.put, "/bucket/md5", body: body, headers: wrongMD5), .badRequest, "BadDigest")
            let notMD5: HTTPFields = [HTTPField.Name("content-md5")!: "bm90IG1kNQ=="]
            Self.expectError(try await client.request(.put, "/bucket/md5", body: body, headers: notMD5), .badRequest, "InvalidDigest")
            let otherHash = TestPayload.literal(SigV4.sha256Hex(Array("other".utf8)))
            Self.expectError(
                try await client.request(.put, "/bucket/sha", body: body, payload: otherHash), .badRequest, "XAmzContentSHA256Mismatch")
            let wrongCRC: HTTPFields = [HTTPField.Name("x-amz-checksum-crc32")!: "AAAAAA=="]
            Self.expectError(try await client.request(.put, "/bucket/crc", body: body, headers: wrongCRC), .badRequest, "BadDigest")
            let tooLarge: HTTPFields = [.contentLength: String(6 << 30)]
            Self.expectError(try await client.request(.put, "/bucket/huge", headers: tooLarge, payload: .unsigned), .badRequest, "EntityTooLarge")
            for key in ["md5", "sha", "crc", "huge"] {
                Self.expectError(try await client.request(.get, "/bucket/\(key)"), .notFound, "NoSuchKey")
            }
            let listing = try await client.request(.get, "/bucket?list-type=2")
            #expect(listing.xml?.value("KeyCount") == "0")
        }
    }

    @Test func multipartErrors() async throws {
        try await S3TestServer.run { client in
            _ = try await client.request(.put, "/bucket")
            let create = try await client.request(.post, "/bucket/big?uploads")
            let upload = try #require(create.xml?.value("UploadId"))
            let part1 = try await client.request(.put, "/bucket/big?partNumber=1&uploadId=\(upload)", body: Array("small".utf8))
            let part2 = try await client.request(.put, "/bucket/big?partNumber=2&uploadId=\(upload)", body: Array("parts".utf8))
            let (etag1, etag2) = (part1.headers[.eTag] ?? "", part2.headers[.eTag] ?? "")
            func complete(_ parts: [(Int, String)]) async throws -> S3Reply {
                let xml = "<CompleteMultipartUpload>" + parts.map { "<Part><PartNumber>\($0.0)</PartNumber><ETag>\($0.1)</ETag></Part>" }.joined()
                    + "</CompleteMultipartUpload>"
                return try await client.request(.post, "/bucket/big?uploadId=\(upload)", body: Array(xml.utf8))
            }
            Self.expectError(try await complete([(1, etag1), (2, "\"0123\"")]), .badRequest, "InvalidPart")
            Self.expectError(try await complete([(3, etag1)]), .badRequest, "InvalidPart")
            Self.expectError(try await complete([(2, etag2), (1, etag1)]), .badRequest, "InvalidPartOrder")
            Self.expectError(try await complete([(1, etag1), (2, etag2)]), .badRequest, "EntityTooSmall")
            Self.expectError(
                try await client.request(.post, "/bucket/big?uploadId=\(upload)", body: Array("<Complete".utf8)), .badRequest, "MalformedXML")
            Self.expectError(
                try await client.request(.post, "/bucket/big?uploadId=\(upload)", body: Array("<Other/>".utf8)), .badRequest, "MalformedXML")
            Self.expectError(try await complete([]), .badRequest, "MalformedXML")
            Self.expectError(
                try await client.request(.put, "/bucket/big?partNumber=0&uploadId=\(upload)", body: [1]), .badRequest, "InvalidArgument")
            Self.expectError(
                try await client.request(.put, "/bucket/big?partNumber=10001&uploadId=\(upload)", body: [1]), .badRequest, "InvalidArgument")
            Self.expectError(try await client.request(.post, "/bucket?delete", body: Array("<Delete></Delete>".utf8)), .badRequest, "MalformedXML")
            let tooMany = "<Delete>" + String(repeating: "<Object><Key>k</Key></Object>", count: 1001) + "</Delete>"
            Self.expectError(try await client.request(.post, "/bucket?delete", body: Array(tooMany.utf8)), .badRequest, "MalformedXML")
            Self.expectError(
                try await client.request(.put, "/bucket?lifecycle", body: Array("<LifecycleConfiguration><Rule/></LifecycleConfiguration>".utf8)),
                .badRequest, "MalformedXML")
            Self.expectError(try await client.request(.get, "/bucket?lifecycle"), .notFound, "NoSuchLifecycleConfiguration")
        }
    }
}
