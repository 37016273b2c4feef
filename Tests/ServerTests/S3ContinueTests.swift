import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import Server

#if canImport(Glibc)
import Glibc
#endif

/// `Expect: 100-continue`: the interim answer comes only once the request passed
/// authentication and the store's checks; an early final answer comes without it and
/// ends the connection. Over real sockets, as clients see it, and on the handler alone.
@Suite struct S3ContinueTests {
    static let signer = S3Signer(accessKey: S3TestServer.accessKey, secretKey: S3TestServer.secretKey)

    /// A signed request head (and body) as raw HTTP/1.1 bytes.
    static func raw(
        _ method: HTTPRequest.Method, _ target: String, body: [UInt8] = [], expect: Bool = false, chunked: Bool = false,
        signer: S3Signer = signer
    ) -> (head: [UInt8], body: [UInt8]) {
        var fields: HTTPFields = [:]
        signer.sign(method: method, target: target, host: "localhost", fields: &fields, payloadHash: "UNSIGNED-PAYLOAD", date: Date())
        var head = "\(method.rawValue) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for field in fields { head += "\(field.name.rawName): \(field.value)\r\n" }
        head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body.count)\r\n"
        if expect { head += "Expect: 100-continue\r\n" }
        var encoded = body
        if chunked {
            encoded = stride(from: 0, to: body.count, by: 1000).flatMap { start -> [UInt8] in
                let piece = body[start..<min(start + 1000, body.count)]
                return Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + Array("\r\n".utf8)
            } + Array("0\r\n\r\n".utf8)
        }
        return (Array((head + "\r\n").utf8), encoded)
    }

    @Test func continueComesAfterAuthenticationThenTheBodyAndKeepAlive() async throws {
        try await S3TestServer.run(.live) { client in
            let port = try #require(client.client.port)
            try await RawConnection.onThread {
                let connection = try RawConnection(port: port)
                defer { connection.close() }
                let bucket = Self.raw(.put, "/bucket")
                try connection.send(bucket.head)
                #expect(try connection.readResponse().status == 200)
                let body = Array("hello, continue".utf8)
                let put = Self.raw(.put, "/bucket/key", body: body, expect: true)
                try connection.send(put.head)
                // Nothing but the interim answer until the body is sent.
                let interim = try connection.readResponse()
                #expect(interim.status == 100 && interim.body.isEmpty)
                try connection.send(put.body)
                let final = try connection.readResponse()
                #expect(final.status == 200 && final.headers["etag"] == "\"\(body.md5Hex)\"")
                // Same connection: keep-alive, then a chunked upload without Expect.
                try connection.send(Self.raw(.get, "/bucket/key").head)
                let get = try connection.readResponse()
                #expect(get.status == 200 && get.body == body)
                let large = [UInt8].pattern(10_000)
                let chunked = Self.raw(.put, "/bucket/chunked", body: large, chunked: true)
                try connection.send(chunked.head + chunked.body)
                #expect(try connection.readResponse().status == 200)
                try connection.send(Self.raw(.get, "/bucket/chunked").head)
                #expect(try connection.readResponse().body == large)
            }
        }
    }

    @Test func failedAuthenticationAnswersWithoutContinueAndCloses() async throws {
        try await S3TestServer.run(.live) { client in
            let port = try #require(client.client.port)
            try await RawConnection.onThread {
                let setup = try RawConnection(port: port)
                try setup.send(Self.raw(.put, "/bucket").head)
                #expect(try setup.readResponse().status == 200)
                setup.close()
                let wrong = S3Signer(accessKey: S3TestServer.accessKey, secretKey: "wrong")
                for (request, status) in [
                    (Self.raw(.put, "/bucket/denied", body: [UInt8](repeating: 1, count: 100), expect: true, signer: wrong), 403),
                    (Self.raw(.put, "/missing/key", body: [UInt8](repeating: 1, count: 100), expect: true), 404),
                ] {
                    let connection = try RawConnection(port: port)
                    defer { connection.close() }
                    try connection.send(request.head)
                    let answer = try connection.readResponse()
                    #expect(answer.status == status)
                    #expect(answer.headers["connection"] == "close")
                    #expect(try connection.readToEnd().isEmpty, "the connection ends after the answer")
                }
            }
        }
    }

    @Test func handlerSendsContinueOnlyWhenAsked() throws {
        let channel = EmbeddedChannel(handler: ContinueHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var head = HTTPRequest(method: .put, scheme: "http", authority: "h", path: "/b/k")
        head.headerFields[.expect] = "100-continue"
        try channel.writeInbound(HTTPRequestPart.head(head))
        let forwarded = try channel.readInbound(as: HTTPRequestPart.self)
        guard case .head(let seen)? = forwarded else { Issue.record("no head"); return }
        #expect(seen.headerFields[.expect] == nil)
        channel.pipeline.triggerUserOutboundEvent(ContinueHandler.SendContinue(), promise: nil)
        guard case .head(let interim)? = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no 100"); return }
        #expect(interim.status == .continue)
        // Asking again sends nothing more.
        channel.pipeline.triggerUserOutboundEvent(ContinueHandler.SendContinue(), promise: nil)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "x")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        guard case .head(let final)? = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no answer"); return }
        #expect(final.status == .ok && final.headerFields[.connection] == nil)
        #expect(channel.isActive)

        // Answered without asking: no 100, and the connection closes after the answer.
        try channel.writeInbound(HTTPRequestPart.head(head))
        _ = try channel.readInbound(as: HTTPRequestPart.self)
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .forbidden)))
        guard case .head(let refused)? = try channel.readOutbound(as: HTTPResponsePart.self) else { Issue.record("no answer"); return }
        #expect(refused.status == .forbidden && refused.headerFields[.connection] == "close")
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test func handlerIgnoresRequestsWithoutExpect() throws {
        let channel = EmbeddedChannel(handler: ContinueHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .put, scheme: "http", authority: "h", path: "/b/k")))
        channel.pipeline.triggerUserOutboundEvent(ContinueHandler.SendContinue(), promise: nil)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .forbidden)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }
}
