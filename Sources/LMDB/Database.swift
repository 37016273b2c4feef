import CLMDB

/// A named database (LMDB's DBI) inside an `Environment`.
///
/// A handle stays valid for the life of the environment that opened it; it is a plain
/// number and may be shared between threads.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
    init(dbi: MDB_dbi) { self.dbi = dbi }
}
