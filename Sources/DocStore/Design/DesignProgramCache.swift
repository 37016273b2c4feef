import Synchronization

/// The loaded design documents of one database, by id, each valid for one revision: a
/// new revision loads a new program (a new context), so functions compile once per
/// design-document revision.
///
/// Threading: any task; the map is behind a lock, programs are used outside it.
final class DesignProgramCache: Sendable {
    private let programs = Mutex<[String: DesignProgram]>([:])

    /// The program of `id` at `revision`, loading `body()` when the cached one is older.
    func program(
        id: String, revision: Revision, timeLimit: Double, body: () throws(DocStoreError) -> JSONObject
    ) throws(DocStoreError) -> DesignProgram {
        if let cached = programs.withLock({ $0[id] }), cached.revision == revision { return cached }
        let program = try DesignProgram(id: id, revision: revision, body: try body(), timeLimit: timeLimit)
        programs.withLock { $0[id] = program }
        return program
    }

    /// Forgets design documents that are gone.
    func retain(_ ids: Set<String>) {
        programs.withLock { programs in programs = programs.filter { ids.contains($0.key) } }
    }
}
