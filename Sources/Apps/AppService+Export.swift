import DocStore
import Foundation
import Gzip

/// `POST /applications/{appId}/export` and `/import`: an app's documents as a tar.gz.
///
/// The archive holds `manifest.json`, then the development database as
/// `development/NNNNNN.ndjson` (one document per line, `_attachments` inline, a batch
/// per entry) and, when the app was ever published, the production one as
/// `production/…`. It is produced and read a batch at a time, so memory stays bounded
/// whatever the app's size.
extension AppService {
    static let exportFormat = "divan-app-export"
    static let exportBatch = 500
    /// The largest archive entry an import accepts.
    static let maxImportEntry = 256 << 20

    /// The archive's bytes, gzip-compressed, as they are produced.
    public func exportApplication(_ app: AppID, excludeRows: Bool) throws(AppError) -> AsyncThrowingStream<[UInt8], any Error> {
        let metadata = try self.metadata(AppID(hex: app.hex, isProduction: false))
        let databases = [("development", app.development), ("production", app.production)].filter { store.databaseExists($0.1) }
        let manifest: JSON = [
            "format": .string(Self.exportFormat), "version": 1, "appId": .string(app.development),
            "name": metadata["name"] ?? .null, "exportedAt": .string(Self.timestamp()), "excludeRows": .bool(excludeRows),
        ]
        return AsyncThrowingStream { continuation in
            let task = Task {
                let encoder = GzipEncoder(level: 6)
                continuation.yield(encoder.update(TarArchive.entry(name: "manifest.json", bytes: manifest.serialized())))
                do {
                    for (part, name) in databases {
                        let database = try self.database(name)
                        var options = AllDocumentsOptions()
                        options.includeDocuments = true
                        options.documentOptions.attachments = true
                        options.limit = Self.exportBatch
                        var number = 0
                        while true {
                            try Task.checkCancellation()
                            let page = try database.allDocuments(options)
                            var lines: [UInt8] = []
                            for row in page.rows {
                                guard let document = row.document else { continue }
                                if excludeRows && row.id.hasPrefix("ro_") { continue }
                                lines += JSON.object(document.json()).serialized()
                                lines.append(UInt8(ascii: "\n"))
                            }
                            if !lines.isEmpty {
                                number += 1
                                let entry = TarArchive.entry(name: "\(part)/\(String(format: "%06d", number)).ndjson", bytes: lines)
                                continuation.yield(encoder.update(entry))
                            }
                            guard page.rows.count == Self.exportBatch, let last = page.rows.last else { break }
                            options.startKey = last.id
                            options.skip = 1
                        }
                    }
                    continuation.yield(encoder.update(TarArchive.end))
                    continuation.yield(encoder.finish())
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Replaces the development database's documents with an export's (its
    /// `app_metadata` and publish history stay; documents the export lacks are deleted).
    /// Publish to carry them to production. - Returns: `{documents, deleted}` counts.
    public func importApplication(_ app: AppID, from chunks: some AsyncSequence<[UInt8], any Error>) async throws(AppError) -> JSONObject {
        guard !app.isProduction else { throw AppError.badRequest("Import into the development app (\(app.development))") }
        let database = try appDatabase(app)
        let decoder = GzipDecoder()
        var reader = TarArchive.Reader(maxEntrySize: Self.maxImportEntry)
        var sawManifest = false
        var imported = Set<String>()
        do {
            for try await chunk in chunks {
                let bytes: [UInt8]
                do {
                    bytes = try decoder.update(chunk)
                } catch {
                    throw AppError.badRequest("The export is not gzip-compressed: \(error)")
                }
                let entries: [(name: String, bytes: [UInt8])]
                do {
                    entries = try reader.feed(bytes)
                } catch {
                    throw AppError.badRequest("The export is not a valid archive: \(error.description)")
                }
                for entry in entries {
                    if entry.name == "manifest.json" {
                        guard (try? JSON.parse(entry.bytes))?["format"]?.stringValue == Self.exportFormat else {
                            throw AppError.badRequest("The archive is not a Divan app export")
                        }
                        sawManifest = true
                    } else if entry.name.hasPrefix("development/") {
                        guard sawManifest else { throw AppError.badRequest("The archive is not a Divan app export") }
                        imported.formUnion(try await importBatch(database, entry.bytes))
                    }
                }
            }
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError.badRequest("Could not read the export: \(error)")
        }
        guard sawManifest, reader.isFinished else { throw AppError.badRequest("The export is incomplete") }
        var deleted = 0
        try await forEachDocument(database, prefix: "") { documents throws(AppError) in
            let stale = documents.filter { document in
                let id = document["_id"]?.stringValue ?? ""
                return !imported.contains(id) && !Self.keptOnImport(id)
            }
            if !stale.isEmpty {
                try await writeAll(database, stale.map { ["_id": $0["_id"]!, "_rev": $0["_rev"]!, "_deleted": true] })
                deleted += stale.count
            }
        }
        return ["documents": .number(JSONNumber(imported.count)), "deleted": .number(JSONNumber(deleted))]
    }

    /// What an import never overwrites or deletes: the app's own identity and history.
    private static func keptOnImport(_ id: String) -> Bool {
        id == metadataID || id == deploymentsID
    }

    /// Writes one entry's documents over the current ones. - Returns: their ids.
    private func importBatch(_ database: DocumentDatabase, _ lines: [UInt8]) async throws(AppError) -> [String] {
        var documents: [JSONObject] = []
        for line in lines.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard var document = (try? JSON.parse(Array(line)))?.objectValue, let id = document["_id"]?.stringValue else {
                throw AppError.badRequest("The export holds a line that is not a document")
            }
            if Self.keptOnImport(id) || id.hasPrefix("_local/") { continue }
            document.removeValue(forKey: "_rev")
            if let current = readIfPresent(database, id) { document["_rev"] = current["_rev"] }
            documents.append(document)
        }
        do {
            try await writeAll(database, documents)
        } catch let error where error.kind == .conflict {
            // Written meanwhile: take each such document again over its newest revision.
            for document in documents {
                let id = document["_id"]!.stringValue!
                _ = try await modify(database, id, what: "Document") { current throws(AppError) in
                    let revision = current["_rev"]
                    current = document
                    current["_rev"] = revision
                }
            }
        }
        return documents.compactMap { $0["_id"]?.stringValue }
    }
}
