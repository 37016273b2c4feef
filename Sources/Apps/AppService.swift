import DocStore
import Foundation
import ObjectStore
import Replication

/// Budibase's app service over the engine: apps, tables, rows, row search and publish.
/// Every app's data are ordinary documents in ordinary databases (`app_dev_<hex>` for
/// development, `app_<hex>` for production), reachable through the CouchDB API and
/// replication as well; nothing here stores anything of its own.
///
/// Thread safety: immutable; every method may be called from any task.
public final class AppService: Sendable {
    public static let globalDatabase = "global-db"
    /// The id of each app database's metadata document.
    static let metadataID = "app_metadata"
    /// The id of the publish history document (in the development database).
    static let deploymentsID = "deployments"
    /// Most rows one search answers (Budibase's limit for internal tables).
    public static let maxSearchLimit = 1000
    /// Rows rewritten per write when a schema change touches every row of a table.
    static let schemaBatchSize = 500

    let store: DocumentStore
    let replications: ReplicationScheduler
    /// Where attachment columns' files live (bucket `app-assets`, keys `<app hex>/attachments/…`).
    let objects: ObjectStore

    public init(store: DocumentStore, replications: ReplicationScheduler, objects: ObjectStore) {
        self.store = store
        self.replications = replications
        self.objects = objects
    }

    // MARK: Documents

    /// The database of an app id that exists.
    func database(_ name: String) throws(AppError) -> DocumentDatabase {
        do {
            return try store.database(name)
        } catch {
            throw AppError(error, what: "Application")
        }
    }

    /// A live document with `_id` and `_rev`. - Throws: 404 naming `what`.
    func read(_ database: DocumentDatabase, _ id: String, what: String) throws(AppError) -> JSONObject {
        do {
            return try database.document(id).json()
        } catch {
            throw AppError(error, what: what)
        }
    }

    /// A live document, or nil when there is none.
    func readIfPresent(_ database: DocumentDatabase, _ id: String) -> JSONObject? {
        try? database.document(id).json()
    }

    /// Writes `document` (with `_rev` when it updates one). - Returns: it with its new `_rev`.
    @discardableResult
    func write(_ database: DocumentDatabase, _ document: JSONObject, what: String) async throws(AppError) -> JSONObject {
        var document = document
        do {
            let revision = try await database.put(try DocumentUpdate(json: document))
            document["_rev"] = .string(revision)
            return document
        } catch {
            throw AppError(error, what: what)
        }
    }

    /// Read, change and write a document until no concurrent update intervenes: a caller
    /// that names no revision never loses another's update. - Returns: the written document.
    func modify(
        _ database: DocumentDatabase, _ id: String, what: String, attempts: Int = 20,
        _ change: (inout JSONObject) async throws(AppError) -> Void
    ) async throws(AppError) -> JSONObject {
        for attempt in 1...attempts {
            var document = try read(database, id, what: what)
            try await change(&document)
            do {
                return try await write(database, document, what: what)
            } catch let error where error.kind == .conflict && attempt < attempts {
                continue
            }
        }
        throw AppError(.conflict, "\(what) is being changed too often to update")
    }

    /// Every live document whose id starts with `prefix` (all of them for ""), in id
    /// order, a page of `batch` rows at a time; with `documents`, the rows carry them.
    func forEachPage(
        _ database: DocumentDatabase, prefix: String, documents: Bool, batch: Int = schemaBatchSize,
        _ body: ([AllDocumentsRow]) async throws(AppError) -> Void
    ) async throws(AppError) {
        var options = AllDocumentsOptions()
        options.prefix = prefix
        options.includeDocuments = documents
        options.limit = batch
        while true {
            let page: AllDocumentsResult
            do {
                page = try database.allDocuments(options)
            } catch {
                throw AppError(error, what: "Documents")
            }
            if !page.rows.isEmpty { try await body(page.rows) }
            guard page.rows.count == batch, let last = page.rows.last else { return }
            options.startKey = last.id
            options.skip = 1
        }
    }

    /// Every live document whose id starts with `prefix`, in id order, `batch` at a time.
    func forEachDocument(
        _ database: DocumentDatabase, prefix: String, batch: Int = schemaBatchSize,
        _ body: ([JSONObject]) async throws(AppError) -> Void
    ) async throws(AppError) {
        try await forEachPage(database, prefix: prefix, documents: true, batch: batch) { rows throws(AppError) in
            try await body(rows.compactMap { $0.document?.json() })
        }
    }

    // MARK: Identifiers and values

    /// A new id: `prefix` and 32 random hex digits, as Budibase makes them.
    static func newID(_ prefix: String) -> String { prefix + UUIDs.random() }

    /// A time in ISO 8601 with milliseconds, as Budibase stamps `createdAt`/`updatedAt`.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A `timestamp` read back.
    static func parseTimestamp(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// True for 32 lowercase hex digits.
    static func isHex32(_ text: Substring) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
