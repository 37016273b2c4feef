import Hummingbird
import NIOCore

/// The request context of both listeners: it keeps the channel, through which a body
/// asks `ContinueHandler` for `100 Continue`.
struct ChannelRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    /// Made by Hummingbird for each request.
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// A request body that asks for `100 Continue` when first read, for handlers that read
/// bodies without knowing about `Expect` (the CouchDB API: a request refused before its
/// body is read is answered without the client ever sending it).
struct ContinuingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let channel: any Channel

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), channel: channel) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let channel: any Channel
        var asked = false

        mutating func next() async throws -> ByteBuffer? {
            if !asked {
                asked = true
                await ContinueHandler.requestContinue(on: channel)
            }
            return try await base.next()
        }
    }
}
