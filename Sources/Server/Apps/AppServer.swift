import Apps
import DocStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ObjectStore

/// What a request on the app port carries besides itself: who it runs as.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AppAuthentication` before any route runs.
    var caller: AppCaller?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// The app port (127.0.0.1:10000): Budibase's public API over `AppService`, served with
/// Hummingbird's router. Handlers parse, call one `AppService` method and encode.
enum AppServer {
    /// The application without running it; it shares the CouchDB listener's engine and
    /// the S3 listener's object store.
    static func makeApplication(couch: CouchService, objects: ObjectStore, logger: Logger) -> some ApplicationProtocol {
        let service = AppService(store: couch.store, replications: couch.replications, objects: objects)
        let router = makeRouter(service: service, couch: couch, logger: logger)
        let address = couch.configuration.bindAddress
        let port = couch.configuration.appPort
        return Application(
            router: router,
            server: DivanServer.httpServer(),
            configuration: .init(address: .hostname(address, port: port), serverName: nil),
            onServerRunning: { channel in
                logger.notice("App API listening on http://\(address):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
    }

    static func makeRouter(service: AppService, couch: CouchService, logger: Logger) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: AppErrorMiddleware(logger: logger))
        let worker = WorkerService(apps: service, secret: couch.identity.secret, configuration: workerConfiguration(couch))
        // Login and first-admin setup come before authentication: they take no credentials.
        WorkerRoutes.addOpenRoutes(router, worker: worker)
        router.add(middleware: AppAuthentication(authenticator: couch.authenticator, worker: worker))
        let limit = couch.configuration.limits.maxHTTPRequestSize
        let api = router.group("api/public/v1")
        api.add(middleware: AppAuthorization(worker: worker))
        WorkerRoutes.addRoutes(router, api: api, worker: worker)

        api.get("metrics") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeBytes(couch.metrics.prometheus(openDatabases: couch.store.openDatabaseCount))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: buffer))
        }

        // Applications
        api.post("applications") { request, _ in
            try await data(.object(service.createApplication(try await body(request, limit))))
        }
        api.post("applications/search") { request, _ in
            let name = try await body(request, limit)["name"]?.stringValue
            return try data(.array(service.searchApplications(name: name).map(JSON.object)))
        }
        api.get("applications/:appId") { _, context in
            try data(.object(service.application(try AppID(context.parameters.require("appId")))))
        }
        api.put("applications/:appId") { request, context in
            try await data(.object(service.updateApplication(try AppID(context.parameters.require("appId")), try await body(request, limit))))
        }
        api.delete("applications/:appId") { _, context in
            try await data(.object(service.deleteApplication(try AppID(context.parameters.require("appId")))))
        }
        api.post("applications/:appId/publish") { _, context in
            try await data(.object(service.publish(try AppID(context.parameters.require("appId")), user: context.caller?.id)))
        }
        api.post("applications/:appId/unpublish") { _, context in
            try await service.unpublish(try AppID(context.parameters.require("appId")))
            return Response(status: .noContent)
        }
        api.post("applications/:appId/export") { request, context in
            let options = try await body(request, limit)
            let archive = try service.exportApplication(
                try AppID(context.parameters.require("appId")), excludeRows: options["excludeRows"]?.isTruthy ?? false)
            let name = "export-\(try context.parameters.require("appId")).tar.gz"
            return Response(
                status: .ok, headers: [.contentType: "application/gzip", .contentDisposition: "attachment; filename=\"\(name)\""],
                body: ResponseBody(asyncSequence: archive.map { ByteBuffer(bytes: $0) }))
        }
        api.post("applications/:appId/import") { request, context in
            let app = try AppID(context.parameters.require("appId"))
            return try await data(.object(importArchive(service, app, request)))
        }

        // Attachment columns' files (Budibase's builder upload; the app from `x-budibase-app-id`)
        router.post("api/attachments/process") { request, _ in
            try await Response.json(.array(uploadAttachments(service, try appID(request), request).map(JSON.object)))
        }
        router.get("api/assets/:appId/attachments/:file") { _, context in
            let content = try service.attachment(
                try AppID(context.parameters.require("appId")), file: try context.parameters.require("file"))
            var headers: HTTPFields = [.contentLength: String(content.info.size)]
            headers[.contentType] = content.info.metadata.contentType ?? "application/octet-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: content.body.byteBuffers))
        }

        // Tables (the app from `x-budibase-app-id`)
        api.post("tables") { request, _ in
            try await data(.object(service.createTable(try appID(request), try await body(request, limit))))
        }
        api.post("tables/search") { request, _ in
            let name = try await body(request, limit)["name"]?.stringValue
            return try await data(.array(service.searchTables(try appID(request), name: name).map(JSON.object)))
        }
        api.get("tables/:tableId") { request, context in
            try data(.object(service.table(try appID(request), try context.parameters.require("tableId"))))
        }
        api.put("tables/:tableId") { request, context in
            try await data(.object(service.updateTable(try appID(request), try context.parameters.require("tableId"), try await body(request, limit))))
        }
        api.delete("tables/:tableId") { request, context in
            try await data(.object(service.deleteTable(try appID(request), try context.parameters.require("tableId"))))
        }

        // Rows
        api.post("tables/:tableId/rows") { request, context in
            try await data(.object(
                service.createRow(try appID(request), try context.parameters.require("tableId"), try await body(request, limit), user: context.caller?.id)))
        }
        api.post("tables/:tableId/rows/search") { request, context in
            try await Response.json(.object(service.searchRows(try appID(request), try context.parameters.require("tableId"), try await body(request, limit))))
        }
        api.get("tables/:tableId/rows/:rowId") { request, context in
            try data(.object(service.row(try appID(request), try context.parameters.require("tableId"), try context.parameters.require("rowId"))))
        }
        api.put("tables/:tableId/rows/:rowId") { request, context in
            try await data(
                .object(
                    service.updateRow(
                        try appID(request), try context.parameters.require("tableId"), try context.parameters.require("rowId"),
                        try await body(request, limit), user: context.caller?.id)))
        }
        api.delete("tables/:tableId/rows/:rowId") { request, context in
            try await data(.object(service.deleteRow(try appID(request), try context.parameters.require("tableId"), try context.parameters.require("rowId"))))
        }
        return router
    }

    // MARK: Request and response helpers

    /// The app a request names in `x-budibase-app-id`.
    static func appID(_ request: Request) throws -> AppID {
        guard let text = request.headers[.budibaseAppID], !text.isEmpty else {
            throw AppError(.badRequest, "The x-budibase-app-id header must name an app")
        }
        return try AppID(text)
    }

    /// The request body as a JSON object. - Throws: 400 for anything else, 413 past `limit`.
    static func body(_ request: Request, _ limit: Int) async throws -> JSONObject {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw AppError(.tooLarge, "Request body is larger than \(limit) bytes")
        }
        if buffer.readableBytes == 0 { return [:] }
        guard let object = (try? buffer.withUnsafeReadableBytes { try JSON.parse($0) })?.objectValue else {
            throw AppError(.badRequest, "Request body must be a JSON object")
        }
        return object
    }

    /// Stores each file of a form upload, streaming. - Returns: one attachment per file.
    static func uploadAttachments(_ service: AppService, _ app: AppID, _ request: Request) async throws -> [JSONObject] {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = MultipartReader<RequestBody.AsyncIterator>.boundary(of: contentType)
        else { throw AppError(.badRequest, "Upload files as multipart/form-data") }
        let reader = MultipartReader(source: request.body.makeAsyncIterator(), boundary: boundary)
        var stored: [JSONObject] = []
        while let headers = try await reader.nextPart() {
            guard let name = Self.fileName(headers["content-disposition"] ?? "") else { continue }
            stored.append(
                try await service.uploadAttachment(app, name: name, contentType: headers["content-type"], body: MultipartPartBytes(reader: reader)))
        }
        guard !stored.isEmpty else { throw AppError(.badRequest, "The form holds no file") }
        return stored
    }

    /// The `filename` of a form part's Content-Disposition.
    static func fileName(_ disposition: String) -> String? {
        guard let range = disposition.range(of: "filename=\"") else { return nil }
        let rest = disposition[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// Imports an archive: the body itself, or the `appExport` file of a form upload (the
    /// first file when none has that name), as it streams in.
    static func importArchive(_ service: AppService, _ app: AppID, _ request: Request) async throws -> JSONObject {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            return try await service.importApplication(app, from: request.body.map { Array($0.readableBytesView) })
        }
        guard let boundary = MultipartReader<RequestBody.AsyncIterator>.boundary(of: contentType) else {
            throw AppError(.badRequest, "multipart/form-data needs a boundary")
        }
        let reader = MultipartReader(source: request.body.makeAsyncIterator(), boundary: boundary)
        while let headers = try await reader.nextPart() {
            let disposition = headers["content-disposition"] ?? ""
            if disposition.contains("name=\"appExport\"") || disposition.contains("filename=") {
                return try await service.importApplication(app, from: MultipartPartBytes(reader: reader))
            }
        }
        throw AppError(.badRequest, "The form has no appExport file")
    }

    /// `{"data": value}`, as every public API answer is wrapped.
    static func data(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        Response.json(["data": value], status: status)
    }

}

/// Turns errors into Budibase's `{"status", "message"}` answers (with
/// `validationErrors` for invalid rows); logs what is the server's fault.
struct AppErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as AppError {
            response = Self.answer(error)
            if error.kind == .internal { logger.error("app request failed: \(error.message)") }
        } catch let error as HTTPError {
            response = Self.answer(status: error.status, message: error.body ?? error.status.reasonPhrase)
        } catch let error as MultipartError {
            response = Self.answer(status: .badRequest, message: "Invalid form upload: \(error.message)")
        } catch let error as DocStoreError {
            response = Self.answer(AppError(error, what: "Document"))
        } catch {
            logger.error("app request failed: \(error)")
            response = Self.answer(status: .internalServerError, message: "Internal error")
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = elapsed.inMilliseconds
        logger.info("app \(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms")
        return response
    }

    static func answer(_ error: AppError) -> Response {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .conflict: .conflict
            case .tooLarge: .contentTooLarge
            case .tooManyRequests: .tooManyRequests
            case .internal: .internalServerError
            }
        var extra = JSONObject()
        if !error.validationErrors.isEmpty {
            extra["validationErrors"] = .object(
                JSONObject(error.validationErrors.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSON.string))) }))
        }
        return answer(status: status, message: error.message, extra: extra)
    }

    static func answer(status: HTTPResponse.Status, message: String, extra: JSONObject = [:]) -> Response {
        var body: JSONObject = ["status": .number(JSONNumber(status.code)), "message": .string(message)]
        for (key, value) in extra { body[key] = value }
        return Response.json(.object(body), status: status)
    }
}

extension HTTPField.Name {
    static let budibaseAppID = HTTPField.Name("x-budibase-app-id")!
}
