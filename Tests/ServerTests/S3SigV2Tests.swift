import Crypto
import Foundation
import HTTPTypes
import Testing
@testable import Server

/// Signature Version 2 against the examples of AWS's "Signing and Authenticating REST
/// Requests" (boto3 presigns with it by default for us-east-1 endpoints).
@Suite struct S3SigV2Tests {
    static let authenticator = S3Authenticator(
        credentials: [.init(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")])

    static func request(_ method: HTTPRequest.Method, _ target: String, _ headers: HTTPFields = [:]) throws -> S3Request {
        let head = HTTPRequest(method: method, scheme: "http", authority: "johnsmith.s3.amazonaws.com", path: target, headerFields: headers)
        return try S3Request(head, virtualHostDomain: "s3.amazonaws.com")
    }

    @Test func headerExamples() throws {
        let date = "Tue, 27 Mar 2007 19:36:42 +0000"
        let now = try #require(HTTPDate.parse(date))
        let get = try Self.request(.get, "/photos/puppy.jpg", [.date: date, .authorization: "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="])
        #expect(S3Authenticator.version2Resource(get) == "/johnsmith/photos/puppy.jpg")
        #expect(try Self.authenticator.authenticate(get, now: now).payload == .unsigned)
        let putDate = "Tue, 27 Mar 2007 21:15:45 +0000"
        let put = try Self.request(
            .put, "/photos/puppy.jpg",
            [.date: putDate, .contentType: "image/jpeg", .authorization: "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg="])
        _ = try Self.authenticator.authenticate(put, now: try #require(HTTPDate.parse(putDate)))
        let tampered = try Self.request(.get, "/photos/kitten.jpg", [.date: date, .authorization: "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="])
        #expect(S3SigV4Tests.code { _ = try Self.authenticator.authenticate(tampered, now: now) } == "SignatureDoesNotMatch")
        #expect(S3SigV4Tests.code { _ = try Self.authenticator.authenticate(get, now: now + 3600) } == "RequestTimeTooSkewed")
        let acl = try Self.request(.get, "/?acl&prefix=x", [.date: date])
        #expect(S3Authenticator.version2Resource(acl) == "/johnsmith/?acl")
    }

    @Test func queryStringExampleAndExpiry() throws {
        let target = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
        let request = try Self.request(.get, target)
        _ = try Self.authenticator.authenticate(request, now: Date(timeIntervalSince1970: 1_175_139_000))
        #expect(S3SigV4Tests.code { _ = try Self.authenticator.authenticate(request, now: Date(timeIntervalSince1970: 1_175_139_621)) } == "AccessDenied")
    }
}
