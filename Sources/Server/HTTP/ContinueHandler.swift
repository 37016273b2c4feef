import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue`, which Hummingbird 2.28.1 ignores (clients that send
/// it, such as every S3 SDK on every PUT, would otherwise wait a second or more before
/// sending the body).
///
/// It sits between the HTTP/1 codec and Hummingbird. On a request head that carries
/// `Expect: 100-continue` it removes the header (so that nobody else acts on it) and
/// remembers that the client is waiting. It writes `HTTP/1.1 100 Continue` only when the
/// application asks for the body — `requestContinue(on:)`, which S3's body sequence calls
/// on its first read, after authentication and the size and existence checks have
/// passed. If the application answers without asking, no 100 is sent: the client never
/// sends the body, so the response carries `Connection: close` and the connection is
/// closed once it is written (unless the whole body had arrived anyway).
///
/// Rejected designs: sending 100 as soon as the head arrives (the client then streams
/// gigabytes that an authentication failure throws away); sending it on the channel's
/// read demand (`NIOAsyncChannel` buffers ahead, so demand says nothing about whether
/// the application wants the body); draining the unsent body after an early answer
/// (the client waits for a 100 that never comes, then for a response).
///
/// Both listeners install it (`DivanServer.httpServer()`); the CouchDB listener asks
/// through `ContinuingBody` when a handler first reads the body.
///
/// One instance per connection; all its methods run on the channel's event loop.
/// Pipelined requests are tracked in order, one `Exchange` per request head.
final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The outbound user event that asks for `100 Continue` for the request being answered.
    struct SendContinue: Sendable {}

    /// One request on the connection, from its head until its response ends.
    private struct Exchange {
        let expectsContinue: Bool
        var continueSent = false
        var bodyStarted = false
        var bodyComplete = false

        /// The client still waits for our permission to send the body.
        var isWaiting: Bool { expectsContinue && !continueSent && !bodyStarted && !bodyComplete }
    }

    private var exchanges: [Exchange] = []
    private var closeAfterResponse = false

    /// One handler per connection (the builder makes a new one for each).
    init() {}

    /// Asks the `ContinueHandler` of `channel` to send `100 Continue` if the request being
    /// answered waits for it, and returns once it is written (at once otherwise). Errors
    /// are ignored: a channel without the handler (in-process tests) simply has nothing
    /// to send.
    static func requestContinue(on channel: any Channel) async {
        try? await channel.triggerUserOutboundEvent(SendContinue()).get()
    }

    /// Takes `Expect: 100-continue` out of request heads and tracks how far each body arrived.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var head):
            let expects = head.headerFields[.expect]?.lowercased() == "100-continue"
            if expects { head.headerFields[.expect] = nil }
            exchanges.append(Exchange(expectsContinue: expects))
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        case .body:
            if !exchanges.isEmpty { exchanges[exchanges.count - 1].bodyStarted = true }
        case .end:
            if !exchanges.isEmpty { exchanges[exchanges.count - 1].bodyComplete = true }
        }
        context.fireChannelRead(data)
    }

    /// Writes `100 Continue` for `SendContinue` when the current request still waits for it.
    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is SendContinue else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard !exchanges.isEmpty, exchanges[0].isWaiting else {
            promise?.succeed(())
            return
        }
        exchanges[0].continueSent = true
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: promise)
    }

    /// Passes responses on; closes the connection after one that answered a waiting client.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where response.status.kind != .informational:
            if let exchange = exchanges.first, exchange.isWaiting {
                // The body was never asked for, so it will not come: end the connection.
                closeAfterResponse = true
                response.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(response)), promise: promise)
                return
            }
        case .end:
            if !exchanges.isEmpty { exchanges.removeFirst() }
            if closeAfterResponse {
                let written = promise ?? context.eventLoop.makePromise(of: Void.self)
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                written.futureResult.whenComplete { _ in loopBound.value.close(promise: nil) }
                context.writeAndFlush(data, promise: written)
                return
            }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    /// Forgets the requests of a closed connection.
    func channelInactive(context: ChannelHandlerContext) {
        exchanges.removeAll()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ContinueHandler: Sendable {}
