import DocStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// `divan serve`: the CouchDB, S3 and app listeners.
public enum DivanServer {
    /// Opens the data directory, prepares the system databases and serves until
    /// SIGTERM or SIGINT; in-flight requests finish before it returns.
    public static func run(configuration: ServerConfiguration, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: try await makeServices(configuration: configuration, logger: logger),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The listeners the configuration enables, not yet running (benchmarks run them in process).
    public static func makeServices(configuration: ServerConfiguration, logger: Logger) async throws -> [any Service] {
        var services: [any Service] = []
        // The app port serves the CouchDB port's engine and the S3 port's object store.
        let objects = configuration.s3Port != 0 || configuration.appPort != 0 ? try S3Server.openObjectStore(configuration) : nil
        if configuration.couchPort != 0 || configuration.appPort != 0 {
            let couch = try await makeService(configuration: configuration, logger: logger)
            if configuration.couchPort != 0 { services.append(makeApplication(service: couch, logger: logger)) }
            if configuration.appPort != 0 { services.append(AppServer.makeApplication(couch: couch, objects: objects!, logger: logger)) }
        }
        if configuration.s3Port != 0 {
            services.append(try await S3Server.makeApplication(configuration: configuration, logger: logger, store: objects))
        }
        return services
    }

    /// The HTTP/1 server both listeners use.
    static func httpServer() -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [ContinueHandler()]))
    }

    /// The application without running it (tests drive it in process).
    public static func makeApplication(configuration: ServerConfiguration, logger: Logger) async throws
        -> some ApplicationProtocol
    {
        makeApplication(service: try await makeService(configuration: configuration, logger: logger), logger: logger)
    }

    static func makeApplication(service: CouchService, logger: Logger) -> some ApplicationProtocol {
        let configuration = service.configuration
        let responder = CallbackResponder<ChannelRequestContext> { request, context in
            var request = request
            request.body = RequestBody(asyncSequence: ContinuingBody(base: request.body, channel: context.channel))
            return await service.handle(request)
        }
        let address = configuration.bindAddress
        return Application(
            responder: responder,
            server: httpServer(),
            configuration: .init(address: .hostname(address, port: configuration.couchPort), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.couchPort
                logger.notice("CouchDB API listening on http://\(address):\(port)")
            },
            logger: logger)
    }

    static func makeService(configuration: ServerConfiguration, logger: Logger) async throws -> CouchService {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let identity = try ServerIdentity.load(configuration: configuration)
        if let generated = identity.generatedPassword {
            // Printed once, to the terminal only: the server keeps just its hash.
            print("divan: created server admin '\(generated.user)' with password \(generated.password) (stored hashed; shown only now)")
            fflush(nil)
        }
        var storeConfiguration = DocumentStore.Configuration(dataDirectory: configuration.dataDirectory)
        storeConfiguration.maxDocumentSize = configuration.limits.maxDocumentSize
        storeConfiguration.maxOpenDatabases = configuration.maxOpenDatabases
        storeConfiguration.javaScriptTimeLimit = Double(max(1, configuration.osProcessTimeout)) / 1000
        storeConfiguration.viewLog = { line in logger.info("view: \(line)") }
        let store = try DocumentStore(configuration: storeConfiguration)
        let service = CouchService(store: store, configuration: configuration, identity: identity, logger: logger)
        try await service.prepareSystemDatabases()
        service.replications.start()
        return service
    }
}

extension CouchService {
    /// Logging, CORS and request ids around `respond`. One log line per request; the
    /// query string (which may hold tokens) and headers (credentials, cookies) are
    /// never logged.
    func handle(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        let requestID = String(UUIDs.random().prefix(10))
        var response: Response
        let headerBytes = request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        if headerBytes > settings.current.limits.maxHeaderSize {
            response = .error(CouchError(.requestHeaderFieldsTooLarge, "bad_request", "request headers are larger than \(settings.current.limits.maxHeaderSize) bytes"))
        } else if request.method == .options, settings.current.cors.enabled, request.headers[.origin] != nil {
            response = Response(status: .noContent)
        } else {
            response = await respond(to: request)
        }
        applyCORS(request, &response)
        response.headers[.couchRequestID] = requestID
        let elapsed = ContinuousClock.now - start
        metrics.record(method: request.method.rawValue, status: response.status.code, duration: elapsed)
        let milliseconds = elapsed.inMilliseconds
        logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms \(requestID)")
        return response
    }

    private func applyCORS(_ request: Request, _ response: inout Response) {
        let cors = settings.current.cors
        guard cors.enabled, let origin = request.headers[.origin] else { return }
        let any = cors.origins.contains("*")
        guard any || cors.origins.contains(origin) else { return }
        response.headers[.accessControlAllowOrigin] = any && !cors.credentials ? "*" : origin
        if cors.credentials { response.headers[.accessControlAllowCredentials] = "true" }
        if request.method == .options {
            response.headers[.accessControlAllowMethods] = cors.methods.joined(separator: ", ")
            response.headers[.accessControlAllowHeaders] = cors.headers.joined(separator: ", ")
            response.headers[.accessControlMaxAge] = "600"
        } else {
            response.headers[.accessControlExposeHeaders] = "content-type, cache-control, accept-ranges, etag, server, x-couch-request-id, x-couch-update-newrev"
        }
        if !any { response.headers[.vary] = "Origin" }
    }
}
