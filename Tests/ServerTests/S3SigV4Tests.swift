import Crypto
import Foundation
import HTTPTypes
import NIOCore
import Testing
@testable import Server

/// Signature Version 4 against the examples AWS publishes in "Signature Calculations for
/// the Authorization Header" (single chunk, multiple chunks, trailing headers) and
/// "Authenticating Requests: Using Query Parameters".
@Suite struct S3SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let authenticator = S3Authenticator(credentials: [.init(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: secret)])
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let credential = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"

    static func request(
        _ method: HTTPRequest.Method, _ target: String, host: String = "examplebucket.s3.amazonaws.com",
        _ headers: [(String, String)], signed: String, signature: String
    ) throws -> S3Request {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        fields[.authorization] = "AWS4-HMAC-SHA256 Credential=\(credential),SignedHeaders=\(signed),Signature=\(signature)"
        let head = HTTPRequest(method: method, scheme: "http", authority: host, path: target, headerFields: fields)
        return try S3Request(head, virtualHostDomain: "s3.amazonaws.com")
    }

    static let getObjectHeaders = [
        ("range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.emptySHA256), ("x-amz-date", "20130524T000000Z"),
    ]

    @Test func signingKeyAndCanonicalRequestOfGetObject() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", uri: SigV4.canonicalURI("/test.txt"), query: "",
            headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4.emptySHA256), ("x-amz-date", "20130524T000000Z")],
            payloadHash: SigV4.emptySHA256)
        #expect(SigV4.sha256Hex(Array(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        let key = SigV4.signingKey(secret: Self.secret, date: "20130524", region: "us-east-1")
        let stringToSign = SigV4.stringToSign(timestamp: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request", canonicalRequest: canonical)
        #expect(SigV4.signature(key, stringToSign) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func getObjectExampleIsAcceptedAndATamperedOneRefused() throws {
        let good = try Self.request(
            .get, "/test.txt", Self.getObjectHeaders, signed: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let authorization = try Self.authenticator.authenticate(good, now: Self.exampleDate)
        #expect(authorization.accessKey == "AKIAIOSFODNN7EXAMPLE")
        #expect(authorization.payload == .sha256(URIEncoding.bytes(hex: SigV4.emptySHA256)!))
        let tampered = try Self.request(
            .get, "/test.txt", [("range", "bytes=0-10")] + Self.getObjectHeaders.dropFirst(),
            signed: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(throws: S3Error.self) { _ = try Self.authenticator.authenticate(tampered, now: Self.exampleDate) }
        #expect(Self.code { _ = try Self.authenticator.authenticate(tampered, now: Self.exampleDate) } == "SignatureDoesNotMatch")
        #expect(Self.code { _ = try Self.authenticator.authenticate(good, now: Self.exampleDate + 16 * 60) } == "RequestTimeTooSkewed")
    }

    @Test func putObjectExampleEncodesTheDollarSignOnce() throws {
        let body = Array("Welcome to Amazon S3.".utf8)
        #expect(SigV4.sha256Hex(body) == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(SigV4.canonicalURI("/test$file.text") == "/test%24file.text")
        let request = try Self.request(
            .put, "/test%24file.text",
            [("date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-date", "20130524T000000Z"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", SigV4.sha256Hex(body))],
            signed: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        #expect(request.key == "test$file.text")
        _ = try Self.authenticator.authenticate(request, now: Self.exampleDate)
    }

    @Test func bucketLifecycleAndListObjectsExamples() throws {
        let headers = [("x-amz-content-sha256", SigV4.emptySHA256), ("x-amz-date", "20130524T000000Z")]
        let lifecycle = try Self.request(
            .get, "/?lifecycle", headers, signed: "host;x-amz-content-sha256;x-amz-date",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        _ = try Self.authenticator.authenticate(lifecycle, now: Self.exampleDate)
        #expect(lifecycle.bucket == "examplebucket" && lifecycle.has("lifecycle"))
        // Parameters sent out of order: the canonical query sorts them.
        let list = try Self.request(
            .get, "/?prefix=J&max-keys=2", headers, signed: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
        _ = try Self.authenticator.authenticate(list, now: Self.exampleDate)
    }

    static let chunkedHeaders = [
        ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("content-encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"), ("content-length", "66824"),
    ]

    static func chunkedBody(_ signatures: [String], trailer: String = "") -> [UInt8] {
        var body = Array("10000;chunk-signature=\(signatures[0])\r\n".utf8) + [UInt8](repeating: 97, count: 65_536)
        body += Array("\r\n400;chunk-signature=\(signatures[1])\r\n".utf8) + [UInt8](repeating: 97, count: 1024)
        body += Array("\r\n0;chunk-signature=\(signatures[2])\r\n\(trailer)\r\n".utf8)
        return body
    }

    /// Feeds `body` to a decoder in pieces of `split` bytes; returns data and trailers.
    static func decode(_ body: [UInt8], split: Int, _ context: SigningContext?, trailer: Bool) throws -> ([UInt8], [String]) {
        var decoder = AWSChunkedDecoder(signing: context, expectsTrailer: trailer)
        var data: [UInt8] = []
        var offset = 0
        while offset < body.count {
            var buffer = ByteBuffer(bytes: body[offset..<min(offset + split, body.count)])
            offset += split
            while let piece = try decoder.next(from: &buffer) { data += piece.readableBytesView }
        }
        try decoder.finish()
        return (data, decoder.trailers.map { "\($0.name):\($0.value)" })
    }

    static let chunkSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]

    @Test func chunkedUploadExampleVerifiesEveryChunkFromTheSeed() throws {
        let request = try Self.request(
            .put, "/examplebucket/chunkObject.txt", host: "s3.amazonaws.com",
            Self.chunkedHeaders + [("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")],
            signed: "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
            signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
        let authorization = try Self.authenticator.authenticate(request, now: Self.exampleDate)
        #expect(authorization.payload == .streaming(signed: true, trailer: false))
        let body = Self.chunkedBody(Self.chunkSignatures)
        #expect(body.count == 66_824)
        for split in [1, 7, 1000, 65_536, body.count] {
            let (data, trailers) = try Self.decode(body, split: split, authorization.signing, trailer: false)
            #expect(data == [UInt8](repeating: 97, count: 66_560))
            #expect(trailers.isEmpty)
        }
        // One changed byte, swapped signatures, a cut body: all refused.
        var changed = body
        changed[200] = 98
        #expect(Self.code { _ = try Self.decode(changed, split: 4096, authorization.signing, trailer: false) } == "SignatureDoesNotMatch")
        let swapped = Self.chunkedBody([Self.chunkSignatures[1], Self.chunkSignatures[0], Self.chunkSignatures[2]])
        #expect(Self.code { _ = try Self.decode(swapped, split: 4096, authorization.signing, trailer: false) } == "SignatureDoesNotMatch")
        #expect(Self.code { _ = try Self.decode(Array(body.prefix(60_000)), split: 4096, authorization.signing, trailer: false) } == "IncompleteBody")
    }

    @Test func chunkedUploadWithSignedTrailerExample() throws {
        let request = try Self.request(
            .put, "/examplebucket/chunkObject.txt", host: "s3.amazonaws.com",
            Self.chunkedHeaders.filter { $0.0 != "content-length" }
                + [("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"), ("x-amz-trailer", "x-amz-checksum-crc32c")],
            signed: "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
            signature: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e")
        let authorization = try Self.authenticator.authenticate(request, now: Self.exampleDate)
        #expect(authorization.payload == .streaming(signed: true, trailer: true))
        let signatures = [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ]
        let trailer = "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
        for split in [3, 999, 100_000] {
            let (data, trailers) = try Self.decode(Self.chunkedBody(signatures, trailer: trailer), split: split, authorization.signing, trailer: true)
            #expect(data.count == 66_560)
            #expect(trailers == ["x-amz-checksum-crc32c:sOO8/Q=="])
        }
        let forged = trailer.replacingOccurrences(of: "sOO8/Q==", with: "AAAAAA==")
        #expect(Self.code {
            _ = try Self.decode(Self.chunkedBody(signatures, trailer: forged), split: 512, authorization.signing, trailer: true)
        } == "SignatureDoesNotMatch")
    }

    @Test func unsignedTrailerBodyDecodes() throws {
        let body = Array("5\r\nhello\r\n3\r\n, w\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n".utf8)
        for split in [1, 2, 5, body.count] {
            let (data, trailers) = try Self.decode(body, split: split, nil, trailer: true)
            #expect(data == Array("hello, w".utf8))
            #expect(trailers == ["x-amz-checksum-crc32:NhCmhg=="])
        }
        for malformed in ["zz\r\nhello\r\n", "5\r\nhelloXX0\r\n\r\n", "5;\r\nhel", String(repeating: "1", count: 5000)] {
            #expect(throws: S3Error.self) { _ = try Self.decode(Array(malformed.utf8), split: 3, nil, trailer: true) }
        }
    }

    @Test func presignedURLExampleAndItsExpiry() throws {
        let target = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        let head = HTTPRequest(method: .get, scheme: "http", authority: "examplebucket.s3.amazonaws.com", path: target, headerFields: [:])
        let request = try S3Request(head, virtualHostDomain: "s3.amazonaws.com")
        let authorization = try Self.authenticator.authenticate(request, now: Self.exampleDate + 3600)
        #expect(authorization.payload == .unsigned)
        #expect(Self.code { _ = try Self.authenticator.authenticate(request, now: Self.exampleDate + 86_401) } == "AccessDenied")
        let tamperedHead = HTTPRequest(
            method: .get, scheme: "http", authority: "examplebucket.s3.amazonaws.com",
            path: target.replacingOccurrences(of: "/test.txt", with: "/test2.txt"), headerFields: [:])
        let tampered = try S3Request(tamperedHead, virtualHostDomain: "s3.amazonaws.com")
        #expect(Self.code { _ = try Self.authenticator.authenticate(tampered, now: Self.exampleDate) } == "SignatureDoesNotMatch")
    }

    @Test func canonicalURIEncodesEachSegmentOnce() {
        #expect(SigV4.canonicalURI("/bucket/a%20b/%C3%A9t%C3%A9+(1)") == "/bucket/a%20b/%C3%A9t%C3%A9%2B%281%29")
        #expect(SigV4.canonicalURI("/bucket//double/") == "/bucket//double/")
        #expect(SigV4.canonicalQuery([("b", "2"), ("a", "x y/z"), ("a", "1")]) == "a=1&a=x%20y%2Fz&b=2")
        #expect(SigV4.canonicalValue(["  a   b  ", "c"]) == "a b,c")
    }

    /// The S3 code an operation throws, or `nil`.
    static func code(_ operation: () throws -> Void) -> String? {
        do {
            try operation()
            return nil
        } catch let error as S3Error {
            return error.code
        } catch {
            return "\(error)"
        }
    }
}
