import CLMDB

/// A read or write transaction, valid only inside the `Environment.read` or
/// `Environment.write` closure that received it. Buffers it hands out point into the
/// memory map and are valid only until the transaction ends or the entry is written.
/// It is not `Sendable` and must not escape its closure (it is a copyable value only
/// because the compiler cannot yet capture non-copyable values in nested functions).
public struct Transaction {
    let pointer: OpaquePointer
    /// Holds the environment alive for as long as the transaction runs (release builds
    /// may otherwise free it after its last visible use).
    let environment: Environment

    init(pointer: OpaquePointer, environment: Environment) {
        self.pointer = pointer
        self.environment = environment
    }

    /// Opens or creates a named database (`nil` names the main database).
    public func openDatabase(_ name: String?, create: Bool = true) throws(LMDBError) -> Database {
        var dbi: MDB_dbi = 0
        let flags = create ? UInt32(MDB_CREATE) : 0
        let result: Int32
        if let name {
            result = mdb_dbi_open(pointer, name, flags, &dbi)
        } else {
            result = mdb_dbi_open(pointer, nil, flags, &dbi)
        }
        try LMDBError.check(result)
        return Database(dbi: dbi)
    }

    /// Calls `body` with the value stored under `key`, or `nil` if there is none (as for
    /// an empty key, which LMDB cannot store). The buffer is valid only inside `body`.
    public func withValue<T>(
        _ database: Database, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> T
    ) throws -> T {
        if key.isEmpty { return try body(nil) }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let result = mdb_get(pointer, database.dbi, &k, &v)
        if result == MDB_NOTFOUND { return try body(nil) }
        try LMDBError.check(result)
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Calls `body` with the value stored under `key`, or `nil`.
    public func withValue<T>(
        _ database: Database, key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> T
    ) throws -> T {
        try key.withUnsafeBytes { k in try withValue(database, key: k, body) }
    }

    /// A copy of the value stored under `key`, or `nil`.
    public func get(_ database: Database, key: [UInt8]) throws -> [UInt8]? {
        try withValue(database, key: key) { value in value.map { Array($0) } }
    }

    /// Stores `value` under `key`, replacing any earlier value.
    /// - Throws: `.keyExists` when `noOverwrite` is set and the key exists; `.badValueSize`
    ///   for an empty key or one longer than `maximumKeySize`.
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, noOverwrite: Bool = false
    ) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBError.check(mdb_put(pointer, database.dbi, &k, &v, noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0))
    }

    /// Stores `value` under `key`, replacing any earlier value.
    public func put(_ database: Database, key: [UInt8], value: [UInt8], noOverwrite: Bool = false) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                try put(database, key: k, value: v, noOverwrite: noOverwrite)
            }
        }
    }

    /// Reserves `count` bytes under `key` and lets `body` fill them in place, saving a
    /// copy for large values.
    public func put(
        _ database: Database, key: [UInt8], reserving count: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        try key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var v = MDB_val(mv_size: count, mv_data: nil)
            try LMDBError.check(mdb_put(pointer, database.dbi, &k, &v, UInt32(MDB_RESERVE)))
            try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
        }
    }

    /// Removes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ database: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { keyBytes -> Bool in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            let result = mdb_del(pointer, database.dbi, &k, nil)
            if result == MDB_NOTFOUND { return false }
            try LMDBError.check(result)
            return true
        }
    }

    /// Removes every entry of `database`, keeping the database itself.
    public func removeAll(_ database: Database) throws(LMDBError) {
        try LMDBError.check(mdb_drop(pointer, database.dbi, 0))
    }

    /// The number of entries in `database`.
    public func count(_ database: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(pointer, database.dbi, &stat))
        return stat.ms_entries
    }

    /// Runs `body` with a cursor over `database`; the cursor closes when `body` returns.
    public func withCursor<T>(_ database: Database, _ body: (Cursor) throws -> T) throws -> T {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(pointer, database.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        return try body(Cursor(pointer: cursor!))
    }
}
