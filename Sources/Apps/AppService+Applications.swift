import DocStore
import Replication

/// An app id as requests give it (`x-budibase-app-id`, paths): the development or the
/// production database of one app.
public struct AppID: Sendable, Equatable {
    /// The 32 hex digits both databases share.
    public let hex: String
    /// Whether the id named the production database.
    public let isProduction: Bool

    public static let developmentPrefix = "app_dev_"
    public static let productionPrefix = "app_"

    /// - Throws: 404 for anything that is not an app id.
    public init(_ text: String) throws(AppError) {
        if text.hasPrefix(Self.developmentPrefix), AppService.isHex32(text.dropFirst(Self.developmentPrefix.count)) {
            hex = String(text.dropFirst(Self.developmentPrefix.count))
            isProduction = false
        } else if text.hasPrefix(Self.productionPrefix), AppService.isHex32(text.dropFirst(Self.productionPrefix.count)) {
            hex = String(text.dropFirst(Self.productionPrefix.count))
            isProduction = true
        } else {
            throw AppError.notFound("Application \(text)")
        }
    }

    init(hex: String, isProduction: Bool) {
        self.hex = hex
        self.isProduction = isProduction
    }

    public var development: String { Self.developmentPrefix + hex }
    public var production: String { Self.productionPrefix + hex }
    /// The database this id names.
    public var database: String { isProduction ? production : development }
}

extension AppService {
    /// `POST /applications`: creates the development database and its `app_metadata`.
    /// - Throws: 400 without a name, or when the name or URL is taken.
    public func createApplication(_ body: JSONObject) async throws(AppError) -> JSONObject {
        let name = try Self.applicationName(body)
        let url = try Self.applicationURL(body["url"], name: name)
        try checkUnique(name: name, url: url, except: nil)
        let id = AppID(hex: UUIDs.random(), isProduction: false)
        let database: DocumentDatabase
        do {
            database = try store.createDatabase(id.development)
        } catch {
            throw AppError(error, what: "Application")
        }
        let now = Self.timestamp()
        let metadata: JSONObject = [
            "_id": .string(Self.metadataID), "appId": .string(id.development), "name": .string(name), "url": .string(url),
            "version": .string(DivanVersion.string), "tenantId": "default", "status": "development",
            "createdAt": .string(now), "updatedAt": .string(now),
        ]
        return Self.publicApplication(try await write(database, metadata, what: "Application"))
    }

    /// `GET /applications/{appId}`: the metadata of the database the id names; a
    /// production id of an app never published (or unpublished) is not found.
    public func application(_ id: AppID) throws(AppError) -> JSONObject {
        Self.publicApplication(try metadata(id))
    }

    /// `PUT /applications/{appId}`: renames the app or changes its URL.
    public func updateApplication(_ id: AppID, _ body: JSONObject) async throws(AppError) -> JSONObject {
        let name = try Self.applicationName(body)
        let url = try Self.applicationURL(body["url"], name: name)
        try checkUnique(name: name, url: url, except: id.hex)
        let database = try self.database(id.development)
        let updated = try await modify(database, Self.metadataID, what: "Application") { metadata throws(AppError) in
            metadata["name"] = .string(name)
            metadata["url"] = .string(url)
            metadata["updatedAt"] = .string(Self.timestamp())
        }
        return Self.publicApplication(updated)
    }

    /// `DELETE /applications/{appId}`: deletes both databases. - Returns: the app as it was.
    public func deleteApplication(_ id: AppID) async throws(AppError) -> JSONObject {
        let metadata = try self.metadata(AppID(hex: id.hex, isProduction: false))
        for name in [id.development, id.production] where store.databaseExists(name) {
            do {
                try store.deleteDatabase(name)
            } catch {
                throw AppError(error, what: "Application")
            }
        }
        do {
            try await deleteAttachments(id)
        } catch {
            throw AppError(.internal, "The app's databases are deleted, its attachments not: \(error)")
        }
        return Self.publicApplication(metadata)
    }

    /// `POST /applications/search`: apps whose name starts with `name`, ignoring case.
    public func searchApplications(name: String?) throws(AppError) -> [JSONObject] {
        let prefix = name?.lowercased() ?? ""
        return allDevelopmentApps().filter { ($0["name"]?.stringValue?.lowercased() ?? "").hasPrefix(prefix) }
            .map(Self.publicApplication)
    }

    /// The `app_metadata` of the database an id names. - Throws: 404 when the app does
    /// not exist, or the production app is not published.
    func metadata(_ id: AppID) throws(AppError) -> JSONObject {
        try served(id).metadata
    }

    /// The database an id names and its metadata, opened once.
    func served(_ id: AppID) throws(AppError) -> (database: DocumentDatabase, metadata: JSONObject) {
        guard let database = try? store.database(id.database), let metadata = readIfPresent(database, Self.metadataID) else {
            throw AppError.notFound("Application \(id.database)")
        }
        if id.isProduction, metadata["status"]?.stringValue != "published" {
            throw AppError.notFound("Application \(id.database)")
        }
        return (database, metadata)
    }

    /// Every development app's metadata (apps are few: one database each).
    private func allDevelopmentApps() -> [JSONObject] {
        let names = store.allDatabases(startKey: AppID.developmentPrefix, endKey: AppID.developmentPrefix + "\u{fff0}")
        return names.compactMap { name in
            guard let database = try? store.database(name) else { return nil }
            return readIfPresent(database, Self.metadataID)
        }
    }

    private func checkUnique(name: String, url: String, except hex: String?) throws(AppError) {
        for app in allDevelopmentApps() where app["appId"]?.stringValue != hex.map({ AppID.developmentPrefix + $0 }) {
            if app["name"]?.stringValue?.lowercased() == name.lowercased() {
                throw AppError.badRequest("App name is already in use.")
            }
            if app["url"]?.stringValue?.lowercased() == url.lowercased() {
                throw AppError.badRequest("App URL is already in use.")
            }
        }
    }

    private static func applicationName(_ body: JSONObject) throws(AppError) -> String {
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw AppError(.badRequest, "Invalid request", validationErrors: ["name": ["name is required"]])
        }
        guard name.count <= 200 else { throw AppError.badRequest("App name must be 200 characters or fewer.") }
        return name
    }

    /// The URL given, or one made from the name (`My App` → `/my-app`), always starting with `/`.
    private static func applicationURL(_ given: JSON?, name: String) throws(AppError) -> String {
        var url: String
        switch given {
        case .string(let text)? where !text.isEmpty: url = text.lowercased()
        case nil, .null?, .string?: url = name.lowercased().split(whereSeparator: { $0 == " " }).joined(separator: "-")
        default: throw AppError.badRequest("url must be a string")
        }
        if !url.hasPrefix("/") { url = "/" + url }
        guard url.count > 1, url.allSatisfy({ $0.isLetter || $0.isNumber || "-_/".contains($0) }) else {
            throw AppError.badRequest("App URL may contain only letters, digits, '-', '_' and '/'.")
        }
        return url
    }

    /// The metadata as the public API shows it (`_id` is the app id).
    static func publicApplication(_ metadata: JSONObject) -> JSONObject {
        var output = JSONObject()
        output["_id"] = metadata["appId"] ?? .null
        for (key, value) in metadata where !key.hasPrefix("_") { output[key] = value }
        return output
    }
}
