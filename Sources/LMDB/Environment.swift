import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// An LMDB environment: one memory-mapped file holding named databases.
///
/// Thread safety: an environment may be used from any thread (it is opened with
/// `MDB_NOTLS`, because Swift tasks hop threads). Transactions are scoped to closures
/// that run synchronously on the caller's thread: never `await` inside one.
///
/// The map grows by itself: a write that fails with `MDB_MAP_FULL` is rolled back, the
/// map is doubled while no transaction of this process is active, and the closure runs
/// again. Write closures must therefore be repeatable (LMDB has undone their effects).
public final class Environment: @unchecked Sendable {
    /// How to open an environment.
    public struct Options: Sendable {
        /// The initial map size in bytes; it doubles on demand. The file only grows as
        /// pages are used, so a large value costs address space, not disk.
        public var mapSize: Int = 64 << 20
        /// The largest number of named databases (`mdb_env_set_maxdbs`).
        public var maxDatabases: Int = 16
        /// The largest number of concurrent read transactions (`mdb_env_set_maxreaders`).
        public var maxReaders: Int = 510
        /// Store the environment as one file at `path` (plus `path-lock`) instead of a directory.
        public var singleFile: Bool = true
        /// Open read-only.
        public var readOnly: Bool = false
        /// Skip the fsync at commit. Durability is lost; for throw-away data only.
        public var unsafeNoSync: Bool = false

        public init() {}
    }

    let pointer: OpaquePointer
    /// The path the environment was opened at.
    public let path: String
    /// Held shared by every transaction and exclusively while the map is resized:
    /// `mdb_env_set_mapsize` requires that no transaction of this process is active.
    private let resizeLock: UnsafeMutablePointer<pthread_rwlock_t>

    /// Opens (creating if needed) the environment at `path`.
    /// - Throws: `LMDBError` (e.g. `.invalid` for a file that is not LMDB's, or errno codes).
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env))
        guard let env else { throw LMDBError(code: ENOMEM) }
        var flags = UInt32(MDB_NOTLS | MDB_NORDAHEAD)
        if options.singleFile { flags |= UInt32(MDB_NOSUBDIR) }
        if options.readOnly { flags |= UInt32(MDB_RDONLY) }
        if options.unsafeNoSync { flags |= UInt32(MDB_NOSYNC) }
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)))
            try LMDBError.check(mdb_env_set_maxreaders(env, UInt32(options.maxReaders)))
            try LMDBError.check(mdb_env_set_mapsize(env, options.mapSize))
            try LMDBError.check(mdb_env_open(env, path, flags, 0o644))
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.pointer = env
        self.path = path
        self.resizeLock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        // Writer preference: a pending resize must not starve behind a stream of readers.
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(resizeLock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        // A file grown by an earlier run may be larger than `mapSize`: adopt its size.
        mdb_env_set_mapsize(env, 0)
    }

    deinit {
        mdb_env_close(pointer)
        pthread_rwlock_destroy(resizeLock)
        resizeLock.deallocate()
    }

    /// Runs `body` in a read-only transaction: a consistent snapshot that never blocks
    /// writers. Values it reads are valid only inside `body`: copy them out.
    /// Do not nest `read` or `write` calls on one thread.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &txn))
        defer { mdb_txn_abort(txn) }
        return try body(Transaction(pointer: txn!, environment: self))
    }

    /// Runs `body` in a write transaction: commits (and, unless opened with
    /// `unsafeNoSync`, fsyncs) when it returns, aborts when it throws. Blocks while
    /// another write transaction is open. `body` may run more than once (see the type's
    /// notes on map growth). Do not nest `read` or `write` calls on one thread.
    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        while true {
            do {
                return try attemptWrite(body)
            } catch let error as LMDBError where error == .mapFull {
                try grow()
            }
        }
    }

    private func attemptWrite<T>(_ body: (Transaction) throws -> T) throws -> T {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        var txn: OpaquePointer?
        var result = mdb_txn_begin(pointer, nil, 0, &txn)
        if result == MDB_MAP_RESIZED {
            mdb_env_set_mapsize(pointer, 0)
            result = mdb_txn_begin(pointer, nil, 0, &txn)
        }
        try LMDBError.check(result)
        let value: T
        do {
            value = try body(Transaction(pointer: txn!, environment: self))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try LMDBError.check(mdb_txn_commit(txn))
        return value
    }

    /// Doubles the map size; waits until no transaction of this process is active.
    private func grow() throws(LMDBError) {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        try LMDBError.check(mdb_env_set_mapsize(pointer, mapSize * 2))
    }

    /// Opens (or with `create`, creates) a named database. Call once per name after
    /// opening the environment; the handle is valid until the environment closes.
    public func openDatabase(_ name: String?, create: Bool = true) throws -> Database {
        try write { txn in try txn.openDatabase(name, create: create) }
    }

    /// The current map size in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        return info.me_mapsize
    }

    /// Bytes of the file in use (last used page × page size): CouchDB's `sizes.file`.
    public var usedSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        var stat = MDB_stat()
        mdb_env_stat(pointer, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Flushes buffers to disk (for environments opened with `unsafeNoSync`).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(pointer, 1))
    }

    /// Writes a consistent copy to `path` (a file), leaving out free pages when
    /// `compact` is set: a backup that is as small as the live data. Runs alongside
    /// readers and writers (it is a read transaction).
    public func copy(to path: String, compact: Bool = true) throws(LMDBError) {
        try LMDBError.check(mdb_env_copy2(pointer, path, compact ? UInt32(MDB_CP_COMPACT) : 0))
    }
}
