import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A loopback HTTP proxy in front of a server that fails on purpose, counting
/// requests: every `errorEvery`-th is answered 500 without being forwarded; every
/// `cutEvery`-th is forwarded, but its answer is cut off half-way and the connection
/// closed (after the upstream has acted on it).
final class FaultyProxy: Sendable {
    let upstream: String
    let errorEvery: Int
    let cutEvery: Int
    let requests = Atomic<Int>(0)
    let faults = Atomic<Int>(0)
    private let server = Mutex<Task<Void, Error>?>(nil)

    init(upstream: String, errorEvery: Int = 5, cutEvery: Int = 7) {
        self.upstream = upstream
        self.errorEvery = errorEvery
        self.cutEvery = cutEvery
    }

    struct Cut: Error {}

    /// Starts listening. - Returns: the proxy's base URL.
    func start() async throws -> String {
        let port = try freePort()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in try await self.forward(request) }
        var logger = Logger(label: "faulty-proxy")
        logger.logLevel = .critical
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        server.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for _ in 0..<100 {
            if (try? await TestHTTP.request(.GET, "http://127.0.0.1:\(port)/_up")) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        requests.store(0, ordering: .relaxed)
        faults.store(0, ordering: .relaxed)
        return "http://127.0.0.1:\(port)"
    }

    func stop() { server.withLock { $0?.cancel() } }

    private func forward(_ request: Request) async throws -> Response {
        let count = requests.add(1, ordering: .relaxed).newValue
        if count % errorEvery == 0 {
            faults.add(1, ordering: .relaxed)
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"proxy","reason":"injected"}"#)))
        }
        var outgoing = HTTPClientRequest(url: upstream + request.uri.description)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !["host", "content-length", "transfer-encoding", "connection"].contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let body = try await request.body.collect(upTo: 256 << 20)
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        let reply = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(300))
        let answer = try await reply.body.collect(upTo: 256 << 20)
        var headers = HTTPFields()
        for (name, value) in reply.headers where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: Int(reply.status.code))
        if count % cutEvery == 0, answer.readableBytes > 1 {
            faults.add(1, ordering: .relaxed)
            headers[.contentLength] = String(answer.readableBytes)
            let half = answer.getSlice(at: answer.readerIndex, length: answer.readableBytes / 2)!
            return Response(status: status, headers: headers, body: ResponseBody { writer in
                try await writer.write(half)
                throw Cut()
            })
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: answer))
    }
}
