import Foundation
import Hummingbird
import Logging
import NIOCore
import ObjectStore

/// The S3 listener: an `ObjectStore` under `<data>/objects` served by `S3Service`,
/// with the lifecycle sweeper running as a service of the application.
enum S3Server {
    /// The application without running it (tests drive it in process or live).
    /// Prints generated root credentials once, at the start that creates them.
    /// - Parameter storeConfiguration: the object store's limits (tests lower the
    ///   minimum part size).
    /// - Parameter store: the object store to serve (the app port shares it); opened here when nil.
    static func makeApplication(
        configuration: ServerConfiguration, logger: Logger, storeConfiguration: ObjectStore.Configuration = .init(),
        store: ObjectStore? = nil
    ) async throws -> some ApplicationProtocol {
        let service = try makeService(configuration: configuration, logger: logger, storeConfiguration: storeConfiguration, store: store)
        let responder = CallbackResponder<ChannelRequestContext> { request, context in
            await service.handle(request, channel: context.channel)
        }
        let address = configuration.bindAddress
        return Application(
            responder: responder,
            server: DivanServer.httpServer(),
            configuration: .init(address: .hostname(address, port: configuration.s3Port), serverName: nil),
            services: [service.sweeper],
            onServerRunning: { channel in
                logger.notice("S3 API listening on http://\(address):\(channel.localAddress?.port ?? configuration.s3Port)")
            },
            logger: logger)
    }

    /// Opens the store and the credentials; the service without an HTTP server (tests call it directly).
    /// - Throws: when the data directory or the credential file cannot be used.
    static func makeService(
        configuration: ServerConfiguration, logger: Logger, storeConfiguration: ObjectStore.Configuration = .init(),
        store existing: ObjectStore? = nil
    ) throws -> S3Service {
        let (root, generated) = try S3CredentialFile.root(configuration: configuration)
        if generated {
            // Printed once, to the terminal only; later starts reuse the stored pair.
            print("divan: created S3 credentials: access key \(root.accessKey) secret key \(root.secretKey) (stored in \(configuration.dataDirectory)/s3-credentials.json)")
            fflush(nil)  // stdout is block-buffered when redirected: show the line now, not at exit
        }
        let store = try existing ?? openObjectStore(configuration, storeConfiguration)
        return S3Service(store: store, configuration: configuration, credentials: [root] + configuration.s3ExtraCredentials, logger: logger)
    }

    /// The object store under `<data>/objects`: one per process, shared by the S3 and app ports.
    static func openObjectStore(_ configuration: ServerConfiguration, _ storeConfiguration: ObjectStore.Configuration = .init()) throws -> ObjectStore {
        try ObjectStore(root: configuration.dataDirectory + "/objects", configuration: storeConfiguration)
    }
}
