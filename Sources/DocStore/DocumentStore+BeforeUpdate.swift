import Synchronization

/// CouchDB's `before_doc_update` (couch_db_plugin:before_doc_update/3): a function every
/// write of one database runs through, interactive or replicated (`new_edits: false`),
/// before the design documents' `validate_doc_update` functions. CouchDB sets one on
/// `_users` (couch_users_db:before_doc_update/3: a password becomes a hash); so does
/// Divan's server. It may change the body (a replicated revision keeps its id, as in
/// CouchDB) or refuse the document with an error that becomes its result.
///
/// Called on the writer's caller, before the write transaction, for each document that
/// is not `_local/`; it may read the database but must not write it.
public typealias BeforeUpdate = @Sendable (_ update: inout DocumentUpdate, _ newEdits: Bool) throws(DocStoreError) -> Void

/// The hooks of a store, by database name.
final class BeforeUpdateHooks: Sendable {
    private let hooks = Mutex<[String: BeforeUpdate]>([:])

    func set(_ hook: BeforeUpdate?, forDatabase name: String) { hooks.withLock { $0[name] = hook } }

    func hook(forDatabase name: String) -> BeforeUpdate? { hooks.withLock { $0[name] } }
}

extension DocumentStore {
    /// Sets (or with nil removes) the `before_doc_update` of the database `name`, whether
    /// or not it exists yet. Thread safety: any thread; writes already past the hook
    /// are not affected.
    public func setBeforeUpdate(_ hook: BeforeUpdate?, forDatabase name: String) {
        beforeUpdateHooks.set(hook, forDatabase: name)
    }
}
