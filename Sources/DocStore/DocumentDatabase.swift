import LMDB
import Synchronization

/// One CouchDB database: an LMDB environment with its tables, its group-commit writer
/// and its change notifications.
///
/// Thread safety: every method may be called from any task. Reads are LMDB snapshots
/// (they never block and never see half a batch); writes go through the one writer.
public final class DocumentDatabase: Sendable {
    public let name: String
    let environment: Environment
    let tables: Tables
    let configuration: DocumentStore.Configuration
    /// The store, for settings that change at run time; weak because the store's cache
    /// holds the database.
    weak let store: DocumentStore?
    let writer: GroupCommitWriter<BatchState>
    private let commits = Broadcaster<UInt64>()
    private let deleted = Atomic<Bool>(false)
    /// The parsed Mango catalog last read.
    let mangoCache = MangoCatalogCache()
    /// Background Mango index builds (at most one task per database).
    let mangoBuilder = MangoIndexBuilder()
    /// The store's list of running builds.
    let mangoBuildTasks: MangoBuildTasks
    /// Builds of the JavaScript views (one at a time per database).
    let viewIndexer = ViewIndexer()
    /// The store's list of running view builds.
    let viewBuildTasks: ViewBuildTasks
    /// Design documents loaded for `validate_doc_update` and filters.
    let designPrograms = DesignProgramCache()
    /// Whether ids are `partition:id` (`PUT /db?partitioned=true`; see `Partition`).
    public let isPartitioned: Bool

    init(name: String, path: String, store: DocumentStore, create: Bool, partitioned: Bool = false) throws(DocStoreError) {
        self.name = name
        self.store = store
        mangoBuildTasks = store.mangoBuildTasks
        viewBuildTasks = store.viewBuildTasks
        configuration = store.configuration
        do {
            var options = Environment.Options()
            options.mapSize = configuration.initialMapSize
            options.maxDatabases = Tables.count + 4
            environment = try Environment(path: path, options: options)
            tables = try Tables(environment: environment)
        } catch {
            throw DocStoreError(.storage, "cannot open database \(name): \(error)")
        }
        let commits = self.commits
        let tables = self.tables
        let mangoCache = self.mangoCache
        let mangoBuilder = self.mangoBuilder
        let viewIndexer = self.viewIndexer
        writer = GroupCommitWriter(
            label: "divan.writer.\(name)", environment: environment,
            begin: { txn in try BatchState(loading: txn, tables: tables, mangoCache: mangoCache) },
            end: { txn, batch in try batch.save(txn, tables: tables) },
            didCommit: { [weak store] batch in
                if batch.mangoBuildsPending { mangoBuilder.wake() }
                viewIndexer.didCommit()
                commits.publish(batch.updateSequence)
                store?.publish(DatabaseEvent(database: name, kind: .updated, sequence: batch.updateSequence))
            },
            commitFailure: { DocStoreError(.storage, "write failed: \($0)") })
        do {
            isPartitioned = try environment.write { txn in
                if try txn.get(tables.meta, key: MetaKey.uuid) == nil {
                    try txn.put(tables.meta, key: MetaKey.uuid, value: Array(UUIDs.random().utf8))
                    if partitioned { try txn.put(tables.meta, key: MetaKey.partitioned, value: [1]) }
                }
                try BlobStore(tables: tables).sweepUnreferenced(txn)
                if try txn.get(tables.meta, key: MetaKey.liveCounts) == nil {
                    try LiveCounts.rebuild(txn, tables)
                    try txn.put(tables.meta, key: MetaKey.liveCounts, value: [1])
                }
                return try txn.get(tables.meta, key: MetaKey.partitioned) != nil
            }
        } catch {
            throw DocStoreError(.storage, "cannot initialise database \(name): \(error)")
        }
        mangoBuilder.attach(self)
        viewIndexer.attach(self)
        // A build interrupted by a crash or a shutdown resumes where its last batch ended.
        let building = (try? environment.read { txn in try MangoCatalog.load(txn, tables, cache: mangoCache) })?.indexes.contains { !$0.isReady }
        if building == true { mangoBuilder.wake() }
    }

    /// The largest document body accepted now.
    var maxDocumentSize: Int { store?.maxDocumentSize ?? configuration.maxDocumentSize }

    func markDeleted() {
        deleted.store(true, ordering: .relaxed)
        commits.finishAll()
    }

    /// Whether the database was deleted while this handle was in use.
    public var isDeleted: Bool { deleted.load(ordering: .relaxed) }

    /// Runs `body` in a read snapshot. - Throws: `not_found` once the database is deleted.
    func read<T>(_ body: (Transaction) throws -> T) throws(DocStoreError) -> T {
        guard !isDeleted else { throw DocStoreError.databaseMissing }
        do {
            return try environment.read(body)
        } catch let error as DocStoreError {
            throw error
        } catch {
            throw DocStoreError(.storage, "read failed: \(error)")
        }
    }

    /// Runs `work` in the next group commit; returns once it is durable.
    func write<T: Sendable>(_ work: @escaping @Sendable (Transaction, inout BatchState) throws -> T)
        async throws(DocStoreError) -> T
    {
        guard !isDeleted else { throw DocStoreError.databaseMissing }
        do {
            return try await writer.submit(work)
        } catch let error as DocStoreError {
            throw error
        } catch {
            throw DocStoreError(.storage, "write failed: \(error)")
        }
    }

    /// A stream of update sequences, one after each commit (only the newest is kept
    /// when the reader is slow). It ends when the database is deleted. Subscribe before
    /// reading the current state to miss nothing.
    public func commitNotifications() -> AsyncStream<UInt64> { commits.subscribe() }

    /// The current update sequence.
    public func updateSequence() throws(DocStoreError) -> UInt64 {
        try read { txn in try txn.readCounter(tables.meta, MetaKey.updateSequence) }
    }

    /// CouchDB's database information (`GET /db`).
    public func info() throws(DocStoreError) -> DatabaseInfo {
        try read { txn in
            let meta = tables.meta
            return DatabaseInfo(
                name: name,
                documentCount: Int(try txn.readCounter(meta, MetaKey.documentCount)),
                deletedCount: Int(try txn.readCounter(meta, MetaKey.deletedCount)),
                updateSequence: try txn.readCounter(meta, MetaKey.updateSequence),
                purgeSequence: try txn.readCounter(meta, MetaKey.purgeSequence),
                fileSize: environment.usedSize,
                activeSize: environment.usedSize,
                externalSize: Int(try txn.readCounter(meta, MetaKey.externalSize)),
                uuid: String(decoding: try txn.get(meta, key: MetaKey.uuid) ?? [], as: UTF8.self),
                isPartitioned: isPartitioned)
        }
    }
}

/// What `GET /db` reports.
public struct DatabaseInfo: Sendable, Equatable {
    public var name: String
    public var documentCount: Int
    public var deletedCount: Int
    public var updateSequence: UInt64
    public var purgeSequence: UInt64
    /// Bytes of the file in use.
    public var fileSize: Int
    /// Bytes of live data (LMDB reuses free pages in place, so this is the file size).
    public var activeSize: Int
    /// Bytes of the documents' JSON bodies, uncompressed.
    public var externalSize: Int
    public var uuid: String
    /// `props.partitioned`.
    public var isPartitioned = false
}

/// Identifiers of 32 lowercase hex digits, as CouchDB's `_uuids` gives them.
public enum UUIDs {
    private static let sequentialState = Mutex<(prefix: String, counter: UInt32)>((randomPrefix(), 0))

    /// CouchDB's default `sequential` algorithm: a random 26-digit prefix and a 6-digit
    /// suffix that grows by a random step, with a new prefix when it overflows. Ids made
    /// in a row sort together, so inserting them touches few B-tree pages.
    public static func sequential() -> String {
        var generator = SystemRandomNumberGenerator()
        let step = UInt32.random(in: 1...0xFFE, using: &generator)
        let (prefix, counter) = sequentialState.withLock { state -> (String, UInt32) in
            state.counter += step
            if state.counter > 0xFFFFFF {
                state.prefix = randomPrefix()
                state.counter = step
            }
            return (state.prefix, state.counter)
        }
        let suffix = String(counter, radix: 16)
        return prefix + String(repeating: "0", count: 6 - suffix.count) + suffix
    }

    private static func randomPrefix() -> String { String(random().prefix(26)) }

    /// 128 random bits.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
