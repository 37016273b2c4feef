import DocStore
import ObjectStore

/// Files of `attachment` and `attachment_single` columns: objects in the object store
/// (bucket `app-assets`, key `<app hex>/attachments/<hex>.<extension>`), which rows name
/// by key. Development and production share them; deleting the app deletes them.
extension AppService {
    public static let assetsBucket = "app-assets"

    /// Stores one uploaded file. - Returns: what a row's attachment column holds:
    /// `{key, name, size, extension, url}`.
    public func uploadAttachment<Body: AsyncSequence>(
        _ app: AppID, name: String, contentType: String?, body: Body
    ) async throws -> JSONObject where Body.Element: Collection<UInt8> {
        _ = try appDatabase(app)
        let fileName = name.split(separator: "/").last.map(String.init) ?? ""
        guard !fileName.isEmpty, fileName.utf8.count <= 255 else { throw AppError.badRequest("An attachment needs a file name (at most 255 bytes)") }
        let dot = fileName.lastIndex(of: ".")
        let fileExtension = dot.map { String(fileName[fileName.index(after: $0)...]).lowercased() } ?? ""
        guard fileExtension.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), fileExtension.count <= 16 else {
            throw AppError.badRequest("An attachment's extension may hold letters and digits only")
        }
        let file = UUIDs.random() + (fileExtension.isEmpty ? "" : "." + fileExtension)
        let key = "\(app.hex)/attachments/\(file)"
        try await ensureAssetsBucket()
        var metadata = ObjectMetadata()
        if let contentType { metadata.contentType = contentType }
        let stored: PutObjectResult
        do {
            stored = try await objects.putObject(bucket: Self.assetsBucket, key: key, body: body, metadata: metadata)
        } catch let error as ObjectStoreError where error.code == .entityTooLarge {
            throw AppError(.tooLarge, "The attachment is too large")
        }
        return [
            "key": .string(key), "name": .string(fileName), "size": .number(JSONNumber(stored.size)),
            "extension": .string(fileExtension), "url": .string("/api/assets/\(app.database)/attachments/\(file)"),
        ]
    }

    /// An attachment's bytes, streamed from the store. - Throws: 404 for a file the app lacks.
    public func attachment(_ app: AppID, file: String) throws(AppError) -> ObjectContent {
        _ = try appDatabase(app)
        guard !file.contains("/") else { throw AppError.notFound("Attachment \(file)") }
        do {
            return try objects.getObject(bucket: Self.assetsBucket, key: "\(app.hex)/attachments/\(file)")
        } catch {
            throw AppError.notFound("Attachment \(file)")
        }
    }

    /// Checks that attachment columns name files of this app that exist.
    func checkAttachments(_ app: AppID, _ row: JSONObject, _ schema: TableSchema) throws(AppError) {
        var errors: [String: [String]] = [:]
        for column in schema.columns where column.type == .attachment || column.type == .attachmentSingle {
            let files: [JSON]
            switch row[column.name] {
            case .array(let items)?: files = items
            case .object(let file)?: files = [.object(file)]
            default: continue
            }
            for file in files {
                guard let key = file["key"]?.stringValue, key.hasPrefix("\(app.hex)/attachments/"),
                    (try? objects.headObject(bucket: Self.assetsBucket, key: key)) != nil
                else {
                    errors[column.name] = ["names an attachment that was not uploaded to this app"]
                    break
                }
            }
        }
        if !errors.isEmpty { throw AppError(.badRequest, "Invalid row", validationErrors: errors) }
    }

    /// Deletes every file of an app, a page at a time.
    func deleteAttachments(_ app: AppID) async throws {
        guard try objects.bucketExists(Self.assetsBucket) else { return }
        while true {
            let page = try objects.listObjects(bucket: Self.assetsBucket, prefix: "\(app.hex)/", maxKeys: 1000)
            if page.objects.isEmpty { return }
            _ = try await objects.deleteObjects(bucket: Self.assetsBucket, keys: page.objects.map(\.key))
            if !page.isTruncated { return }
        }
    }

    private func ensureAssetsBucket() async throws {
        guard try !objects.bucketExists(Self.assetsBucket) else { return }
        do {
            _ = try await objects.createBucket(Self.assetsBucket)
        } catch let error as ObjectStoreError where error.code == .bucketAlreadyOwnedByYou {
            // Created meanwhile by another upload.
        }
    }
}
