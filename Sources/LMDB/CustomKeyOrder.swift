import CLMDB

/// A key order other than LMDB's byte order, for a named database whose keys encode
/// values (Mango index keys in CouchDB's view collation, say).
///
/// LMDB's comparison callback is a C function without a context pointer, so a comparator
/// is registered once per process in one of a few fixed slots, each with its own C
/// trampoline. Register at start-up (a `static let`), before any database uses it: the
/// slots are written once and then only read, which is why they need no lock.
///
/// Rejected: one comparator per DBI looked up by the callback (the callback is not told
/// the DBI); a byte-comparable encoding (CouchDB's order of strings is ICU's, whose sort
/// keys would tie the stored bytes to one ICU version's weights and still need a decode
/// for `_explain`).
public struct KeyOrder: Sendable {
    let slot: Int

    /// Compares two stored keys: negative, zero or positive. Must be a total order, the
    /// same for the life of every file that uses it, and must not throw or allocate much
    /// (it runs inside every B-tree step).
    public typealias Comparator = @Sendable (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int

    /// Registers `comparator`. - Precondition: fewer than four orders registered.
    public static func register(_ comparator: @escaping Comparator) -> KeyOrder {
        let slot = keyOrderCount
        precondition(slot < keyOrderComparators.count, "too many key orders")
        keyOrderComparators[slot] = comparator
        keyOrderCount += 1
        return KeyOrder(slot: slot)
    }

    /// Compares two keys in this order (what LMDB calls).
    public func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        keyOrderComparators[slot]!(a, b)
    }
}

nonisolated(unsafe) private var keyOrderComparators: [KeyOrder.Comparator?] = [nil, nil, nil, nil]
nonisolated(unsafe) private var keyOrderCount = 0

@inline(__always)
private func callComparator(_ slot: Int, _ a: UnsafePointer<MDB_val>?, _ b: UnsafePointer<MDB_val>?) -> Int32 {
    let x = UnsafeRawBufferPointer(start: a!.pointee.mv_data, count: a!.pointee.mv_size)
    let y = UnsafeRawBufferPointer(start: b!.pointee.mv_data, count: b!.pointee.mv_size)
    let result = keyOrderComparators[slot]!(x, y)
    return result < 0 ? -1 : (result > 0 ? 1 : 0)
}

extension Transaction {
    /// Makes `database` order its keys by `order`. Call right after opening the database,
    /// in every process and every time the environment is opened, before any read or
    /// write of it (LMDB keeps the comparator per environment, not in the file).
    public func setKeyOrder(_ database: Database, _ order: KeyOrder) throws(LMDBError) {
        let result: Int32
        switch order.slot {
        case 0: result = mdb_set_compare(pointer, database.dbi) { callComparator(0, $0, $1) }
        case 1: result = mdb_set_compare(pointer, database.dbi) { callComparator(1, $0, $1) }
        case 2: result = mdb_set_compare(pointer, database.dbi) { callComparator(2, $0, $1) }
        default: result = mdb_set_compare(pointer, database.dbi) { callComparator(3, $0, $1) }
        }
        try LMDBError.check(result)
    }
}

extension Cursor {
    /// The first entry whose key is ≥ `key` in the database's own order (custom or not).
    public func seek(orderedAtLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try seek(atLeast: key)
    }

    /// The last entry whose key is ≤ `key` in `order` (the database's custom order).
    public func seek(atMost key: UnsafeRawBufferPointer, order: KeyOrder) throws(LMDBError) -> Entry? {
        guard !key.isEmpty else { return nil }
        guard let entry = try seek(atLeast: key) else { return try last() }
        if order.compare(entry.key, key) == 0 { return entry }
        return try previous()
    }
}
