import Hummingbird
import Logging

/// The S3 listener. (Placeholder until the S3 API lands: it answers every request
/// with S3's NotImplemented error.)
enum S3Server {
    static func makeApplication(configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
        let responder = CallbackResponder<BasicRequestContext> { _, _ in
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NotImplemented</Code><Message>The S3 API is not available yet.</Message></Error>"
            return Response(status: .notImplemented, headers: [.contentType: "application/xml"], body: .init(byteBuffer: .init(string: body)))
        }
        let address = configuration.bindAddress
        return Application(
            responder: responder,
            server: DivanServer.httpServer(),
            configuration: .init(address: .hostname(address, port: configuration.s3Port), serverName: nil),
            onServerRunning: { channel in
                logger.notice("S3 API listening on http://\(address):\(channel.localAddress?.port ?? configuration.s3Port)")
            },
            logger: logger)
    }
}
