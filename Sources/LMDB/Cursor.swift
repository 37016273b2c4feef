import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// A position in a named database, valid only inside `Transaction.withCursor`.
/// Entries it returns point into the map and are valid until the cursor moves.
public struct Cursor {
    let pointer: OpaquePointer

    /// A key and its value; both buffers are valid until the cursor moves.
    public struct Entry {
        public let key: UnsafeRawBufferPointer
        public let value: UnsafeRawBufferPointer
    }

    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let result = mdb_cursor_get(pointer, &k, &v, op)
        if result == MDB_NOTFOUND { return nil }
        try LMDBError.check(result)
        return Entry(
            key: UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
            value: UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry, or `nil` when the database is empty.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry, or `nil` when the database is empty.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The entry after the current one, or `nil` at the end.
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The entry before the current one, or `nil` at the start.
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first entry whose key is ≥ `key` (byte order), or `nil`. An empty `key`
    /// (which LMDB refuses as a key) comes before every key.
    public func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        key.isEmpty ? try first() : try move(MDB_SET_RANGE, key: key)
    }

    /// The last entry whose key is ≤ `key`, or `nil`: where a descending scan starts.
    public func seek(atMost key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        guard !key.isEmpty else { return nil }
        guard let entry = try move(MDB_SET_RANGE, key: key) else { return try last() }
        if compareBytes(entry.key, key) == 0 { return entry }
        return try previous()
    }

    /// Removes the entry at the cursor.
    public func deleteCurrent() throws(LMDBError) {
        try LMDBError.check(mdb_cursor_del(pointer, 0))
    }
}

/// Byte-wise comparison as LMDB orders keys: negative, zero or positive.
public func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = min(a.count, b.count)
    if common > 0 {
        let result = memcmp(a.baseAddress!, b.baseAddress!, common)
        if result != 0 { return Int(result) }
    }
    return a.count - b.count
}
