import Foundation
import LMDB
import Synchronization

/// All databases of one server: creates, opens, lists and deletes them.
///
/// Each database is its own LMDB environment (one file, like CouchDB's one file per
/// database), opened on first use. At most `maxOpenDatabases` stay open: beyond that
/// the least recently used is dropped from the cache; it closes when the last request
/// using it ends. A database is never open twice in one process (LMDB forbids it):
/// handles still in use are found again through a weak table.
///
/// Thread safety: all methods may be called from any thread or task.
public final class DocumentStore: Sendable {
    public struct Configuration: Sendable {
        public static let defaultRevsLimit = 1000

        /// Where database files live (`<dataDirectory>/databases`).
        public var dataDirectory: String
        /// Open environments kept in the cache (CouchDB's `max_dbs_open`).
        public var maxOpenDatabases = 500
        /// The largest document body in bytes (CouchDB's `max_document_size`, 8 MB).
        public var maxDocumentSize = 8_000_000
        /// The initial LMDB map size of each database; it grows on demand.
        public var initialMapSize = 64 << 20
        /// Size of the chunks attachments are stored and streamed in.
        public var attachmentChunkSize = 256 << 10
        /// Content types whose attachments are stored gzip-encoded, as CouchDB's
        /// `[attachments] compressible_types` (`*` matches anything).
        public var compressibleTypes = ["text/*", "application/javascript", "application/json", "application/xml"]
        /// gzip level for those (CouchDB's `[attachments] compression_level`); 0 stores
        /// everything as given.
        public var attachmentCompressionLevel: Int32 = 8
        /// CPU seconds a view function may run per call before it is stopped (CouchDB's
        /// `[couchdb] os_process_timeout`, 5000 ms).
        public var javaScriptTimeLimit: Double = 5
        /// Receives view functions' `log()` lines and the exceptions map functions raise.
        public var viewLog: @Sendable (String) -> Void = { _ in }

        /// Whether attachments of `contentType` are stored gzip-encoded: CouchDB's
        /// rule, a case-insensitive match of a pattern, parameters (`; charset=…`) allowed.
        public func isCompressible(_ contentType: String) -> Bool {
            guard attachmentCompressionLevel > 0 else { return false }
            let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            return compressibleTypes.contains { pattern in
                let pattern = pattern.trimmingCharacters(in: .whitespaces).lowercased()
                guard let star = pattern.firstIndex(of: "*") else { return type == pattern }
                let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)...]
                return type.count >= prefix.count + suffix.count && type.hasPrefix(prefix) && type.hasSuffix(suffix)
            }
        }

        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
    }

    public let configuration: Configuration
    /// The Mango index builds running in this store's databases (`_active_tasks`).
    public let mangoBuildTasks = MangoBuildTasks()
    /// The JavaScript view builds running in this store's databases (`_active_tasks`).
    public let viewBuildTasks = ViewBuildTasks()
    /// Each database's `before_doc_update`, if any.
    let beforeUpdateHooks = BeforeUpdateHooks()
    /// The largest document body now (starts at `configuration.maxDocumentSize`; may be
    /// changed while running, as CouchDB's `_config` allows).
    let maxDocumentSizeSetting: Atomic<Int>
    let maxPartitionSizeSetting = Atomic<Int>(DocumentStore.defaultMaxPartitionSize)
    public static let defaultMaxPartitionSize = 10 << 30
    let databasesDirectory: String
    private let cache: Mutex<DatabaseCache>
    private let events = Broadcaster<DatabaseEvent>(bufferingPolicy: .bufferingNewest(1024))

    /// Opens the store, creating its directories.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        maxDocumentSizeSetting = Atomic(configuration.maxDocumentSize)
        databasesDirectory = configuration.dataDirectory + "/databases"
        try FileManager.default.createDirectory(atPath: databasesDirectory, withIntermediateDirectories: true)
        cache = Mutex(DatabaseCache(limit: configuration.maxOpenDatabases))
    }

    func path(of name: String) -> String { databasesDirectory + "/" + DatabaseName.fileName(for: name) }

    /// Creates a database. - Throws: `illegal_database_name`, `file_exists`.
    @discardableResult
    public func createDatabase(_ name: String, partitioned: Bool = false) throws(DocStoreError) -> DocumentDatabase {
        try DatabaseName.validate(name)
        if partitioned && !Partition.allowed(databaseName: name) {
            throw DocStoreError(.badRequest, "Cannot partition a system database")
        }
        let database = try cache.withLock { cache throws(DocStoreError) -> DocumentDatabase in
            if cache.lookup(name) != nil || FileManager.default.fileExists(atPath: path(of: name)) {
                throw DocStoreError(.databaseExists, "The database could not be created, the file already exists.")
            }
            let database = try DocumentDatabase(name: name, path: path(of: name), store: self, create: true, partitioned: partitioned)
            cache.insert(database)
            return database
        }
        events.publish(DatabaseEvent(database: name, kind: .created, sequence: 0))
        return database
    }

    /// Deletes a database and its file. Requests still using it fail with `not_found`.
    public func deleteDatabase(_ name: String) throws(DocStoreError) {
        try cache.withLock { cache throws(DocStoreError) in
            let file = path(of: name)
            guard cache.lookup(name) != nil || FileManager.default.fileExists(atPath: file) else {
                throw DocStoreError.databaseMissing
            }
            cache.remove(name)?.markDeleted()
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: file + "-lock")
        }
        events.publish(DatabaseEvent(database: name, kind: .deleted, sequence: 0))
    }

    /// Whether a database exists.
    public func databaseExists(_ name: String) -> Bool {
        cache.withLock { $0.lookup(name) != nil } || FileManager.default.fileExists(atPath: path(of: name))
    }

    /// The database called `name`, opened if needed. - Throws: `not_found`.
    public func database(_ name: String) throws(DocStoreError) -> DocumentDatabase {
        try cache.withLock { cache throws(DocStoreError) -> DocumentDatabase in
            if let open = cache.lookup(name) { return open }
            let file = path(of: name)
            guard FileManager.default.fileExists(atPath: file) else { throw DocStoreError.databaseMissing }
            let database = try DocumentDatabase(name: name, path: file, store: self, create: false)
            cache.insert(database)
            return database
        }
    }

    /// Database names in byte order, with CouchDB's `_all_dbs` options. O(number of databases).
    public func allDatabases(
        startKey: String? = nil, endKey: String? = nil, inclusiveEnd: Bool = true,
        descending: Bool = false, limit: Int? = nil, skip: Int = 0
    ) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: databasesDirectory)) ?? []
        var names = files.compactMap(DatabaseName.name(fromFileName:)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if descending { names.reverse() }
        let before: (String, String) -> Bool = { a, b in
            descending ? b.utf8.lexicographicallyPrecedes(a.utf8) : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        names = names.filter { name in
            if let startKey, before(name, startKey) { return false }
            if let endKey {
                if before(endKey, name) { return false }
                if !inclusiveEnd && name == endKey { return false }
            }
            return true
        }
        let skipped = names.dropFirst(skip)
        return Array(limit.map { skipped.prefix($0) } ?? skipped)
    }

    /// Server-wide events (created, updated, deleted) for `_db_updates`. A subscriber
    /// sees events published after it subscribed.
    public func databaseEvents() -> AsyncStream<DatabaseEvent> { events.subscribe() }

    func publish(_ event: DatabaseEvent) { events.publish(event) }

    /// The largest document body accepted, in bytes.
    /// CouchDB's `max_partition_size` (bytes of bodies; 0 or less: no limit; CouchDB's
    /// default is 10 GiB).
    public var maxPartitionSize: Int {
        get { maxPartitionSizeSetting.load(ordering: .relaxed) }
        set { maxPartitionSizeSetting.store(newValue, ordering: .relaxed) }
    }

    public var maxDocumentSize: Int {
        get { maxDocumentSizeSetting.load(ordering: .relaxed) }
        set { maxDocumentSizeSetting.store(newValue, ordering: .relaxed) }
    }

    /// The number of environments currently cached open (for tests and stats).
    public var openDatabaseCount: Int { cache.withLock { $0.openCount } }
}

/// The LRU of open databases plus a weak table of evicted ones still in use.
struct DatabaseCache: ~Copyable {
    private final class WeakBox { weak var database: DocumentDatabase? ; init(_ d: DocumentDatabase) { database = d } }

    let limit: Int
    private var open: [String: DocumentDatabase] = [:]
    private var lastUse: [String: UInt64] = [:]
    private var clock: UInt64 = 0
    private var evicted: [String: WeakBox] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    var openCount: Int { open.count }

    mutating func lookup(_ name: String) -> DocumentDatabase? {
        clock += 1
        if let database = open[name] {
            lastUse[name] = clock
            return database
        }
        if let database = evicted[name]?.database {
            evicted[name] = nil
            insert(database)
            return database
        }
        evicted[name] = nil
        return nil
    }

    mutating func insert(_ database: DocumentDatabase) {
        clock += 1
        open[database.name] = database
        lastUse[database.name] = clock
        if open.count > limit, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
            if let dropped = open.removeValue(forKey: oldest) { evicted[oldest] = WeakBox(dropped) }
            lastUse[oldest] = nil
        }
        if evicted.count > 4 * limit { evicted = evicted.filter { $0.value.database != nil } }
    }

    mutating func remove(_ name: String) -> DocumentDatabase? {
        lastUse[name] = nil
        let weak = evicted.removeValue(forKey: name)?.database
        return open.removeValue(forKey: name) ?? weak
    }
}
