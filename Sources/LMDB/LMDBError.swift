import CLMDB

/// An error returned by LMDB, carrying its result code.
///
/// Match a specific condition with the static codes, e.g.
/// `catch let error as LMDBError where error == .mapFull`.
public struct LMDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// LMDB's (or the system's errno) result code.
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// LMDB's own text for the code.
    public var description: String { "LMDB error \(code): \(String(cString: mdb_strerror(code)))" }

    /// The key/data pair was not found (MDB_NOTFOUND).
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    /// The key/data pair already exists (MDB_KEYEXIST), with `noOverwrite`.
    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    /// The environment's map size is exhausted (MDB_MAP_FULL); `Environment.write` grows it.
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    /// Another process grew the map (MDB_MAP_RESIZED).
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    /// The environment has no room for another named database (MDB_DBS_FULL).
    public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
    /// Key or value is too large (MDB_BAD_VALSIZE).
    public static let badValueSize = LMDBError(code: MDB_BAD_VALSIZE)
    /// The file is not an LMDB file (MDB_INVALID).
    public static let invalid = LMDBError(code: MDB_INVALID)
    /// A transaction has too many dirty pages (MDB_TXN_FULL).
    public static let transactionFull = LMDBError(code: MDB_TXN_FULL)

    /// Throws for any non-zero LMDB result.
    @inline(__always)
    static func check(_ result: Int32) throws(LMDBError) {
        if result != 0 { throw LMDBError(code: result) }
    }
}

/// The largest key LMDB accepts with the library's default build (MDB_MAXKEYSIZE).
public let maximumKeySize = 511
