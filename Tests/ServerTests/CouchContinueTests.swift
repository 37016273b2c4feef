import Foundation
import Testing
@testable import Server

/// `Expect: 100-continue` on the CouchDB listener (curl sends it for large bodies): the
/// interim answer comes when the handler reads the body, and a request refused before
/// that is answered without it. Over a real socket, as clients see it.
@Suite struct CouchContinueTests {
    static func head(_ method: String, _ target: String, length: Int, auth: Bool = true) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        if auth { head += "Authorization: \(TestServer.Client.basic(TestServer.admin, TestServer.password))\r\n" }
        head += "Content-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
        return Array(head.utf8)
    }

    @Test func continueThenTheBodyThenKeepAlive() async throws {
        try await TestServer.run(.live) { client in
            let port = try #require(client.client.port)
            try await RawConnection.onThread {
                // Without the interim answer the read times out (the client waits for it).
                let connection = try RawConnection(port: port, timeoutSeconds: 5)
                defer { connection.close() }
                let empty = Array("{}".utf8)
                try connection.send(Self.head("PUT", "/db", length: 0))
                #expect(try connection.readResponse().status == 201)
                let body = Array(#"{"hello":"continue"}"#.utf8)
                try connection.send(Self.head("PUT", "/db/doc", length: body.count))
                let interim = try connection.readResponse()
                #expect(interim.status == 100 && interim.body.isEmpty)
                try connection.send(body)
                let created = try connection.readResponse()
                #expect(created.status == 201)
                // The same connection goes on.
                try connection.send(Self.head("POST", "/db", length: empty.count))
                #expect(try connection.readResponse().status == 100)
                try connection.send(empty)
                #expect(try connection.readResponse().status == 201)
            }
        }
    }

    @Test func aRefusedRequestIsAnsweredWithoutContinue() async throws {
        try await TestServer.run(.live) { client in
            let port = try #require(client.client.port)
            try await RawConnection.onThread {
                let connection = try RawConnection(port: port, timeoutSeconds: 5)
                defer { connection.close() }
                try connection.send(Self.head("PUT", "/db/doc", length: 1_000_000, auth: false))
                #expect(try connection.readResponse().status == 401)
            }
        }
    }
}
