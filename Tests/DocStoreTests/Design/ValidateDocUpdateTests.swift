import Foundation
import Testing
@testable import DocStore

/// `validate_doc_update`: refusals per document, replicated writes, deletions, the
/// arguments the function sees, and a runaway function.
@Suite struct ValidateDocUpdateTests {
    static let validate = """
        function(newDoc, oldDoc, userCtx, secObj) {
          if (newDoc.forbid) throw({forbidden: "no " + newDoc._id});
          if (newDoc.unauth) throw({unauthorized: "who?"});
          if (newDoc._deleted && oldDoc && oldDoc.keep) throw({forbidden: "keep " + oldDoc._rev});
          if (newDoc.owner && newDoc.owner !== userCtx.name) throw({forbidden: "not yours, " + userCtx.name + " of " + userCtx.db});
          if (newDoc.secret && secObj.members && secObj.members.names) throw({forbidden: "members " + secObj.members.names.join()});
        }
        """

    func seeded() async throws -> (TemporaryStore, DocumentDatabase) {
        let temporary = try TemporaryStore()
        let db = try temporary.database()
        try await db.put(doc("_design/v", ["validate_doc_update": .string(Self.validate)]))
        return (temporary, db)
    }

    @Test func refusalsFailOnlyTheirDocumentOfABatch() async throws {
        let (_, db) = try await seeded()
        let results = try await db.update([doc("ok"), doc("f", ["forbid": true]), doc("u", ["unauth": true])])
        #expect(results[0].isSuccess)
        #expect(results[1].error == DocStoreError(.forbidden, "no f"))
        #expect(results[2].error == DocStoreError(.unauthorized, "who?"))
        #expect(db.winner("f") == nil)
        #expect(db.winner("ok") != nil)
    }

    @Test func replicatedWritesAreValidatedToo() async throws {
        let (_, db) = try await seeded()
        var good = doc("r1", [:])
        good.revision = Revision("1-abc")
        var bad = doc("r2", ["forbid": true])
        bad.revision = Revision("1-abc")
        let results = try await db.update([good, bad], newEdits: false)
        #expect(results[0].isSuccess)
        #expect(results[1].error?.code == .forbidden)
        #expect(db.winner("r2") == nil)
    }

    @Test func aDeletionSeesDeletedNewDocumentAndTheOldOne() async throws {
        let (_, db) = try await seeded()
        let rev = try await db.put(doc("k", ["keep": true]))
        await #expect(throws: DocStoreError(.forbidden, "keep " + rev)) {
            try await db.put(doc("k", rev: rev, deleted: true))
        }
        let other = try await db.put(doc("plain"))
        _ = try await db.put(doc("plain", rev: other, deleted: true))
    }

    @Test func theFunctionSeesWhoWritesAndTheSecurityObject() async throws {
        let (_, db) = try await seeded()
        let alice: JSONObject = ["name": "alice", "roles": []]
        _ = try await db.put(doc("a", ["owner": "alice"]), userContext: alice)
        await #expect(throws: DocStoreError(.forbidden, "not yours, bob of db")) {
            try await db.put(doc("b", ["owner": "alice"]), userContext: ["name": "bob", "roles": []])
        }
        try await db.setSecurity(["members": ["names": ["alice", "carol"]]])
        await #expect(throws: DocStoreError(.forbidden, "members alice,carol")) {
            try await db.put(doc("s", ["secret": true]))
        }
    }

    @Test func designAndLocalDocumentsAreNotValidated() async throws {
        let (_, db) = try await seeded()
        _ = try await db.put(doc("_design/other", ["forbid": true]))
        _ = try await db.put(doc("_local/l", ["forbid": true]))
    }

    @Test func everyDesignDocumentsFunctionRunsAndAnEditTakesEffect() async throws {
        let (_, db) = try await seeded()
        let rev = try await db.put(doc("_design/w", ["validate_doc_update": "function(d){ if (d.two) throw({forbidden: 'two'}); }"]))
        await #expect(throws: DocStoreError(.forbidden, "two")) { try await db.put(doc("x", ["two": true])) }
        _ = try await db.put(doc("_design/w", ["validate_doc_update": "function(d){}"], rev: rev))
        _ = try await db.put(doc("x", ["two": true]))
    }

    @Test func otherThrownValuesAndBrokenFunctionsAreServerErrors() async throws {
        let (_, db) = try await seeded()
        _ = try await db.put(doc("_design/t", ["validate_doc_update": "function(d){ if (d.s) throw 'plain'; if (d.e) null.x; }"]))
        await #expect(throws: DocStoreError(.unknownError, "plain")) { try await db.put(doc("x", ["s": true])) }
        let error = await #expect(throws: DocStoreError.self) { try await db.put(doc("x", ["e": true])) }
        #expect(error?.code == .javaScriptFailure)
        #expect(error?.reason.hasPrefix("TypeError") == true)
        _ = try await db.put(doc("_design/broken", ["validate_doc_update": "function(d{"]))
        let broken = await #expect(throws: DocStoreError.self) { try await db.put(doc("y")) }
        #expect(broken?.code == .functionCompilationError)
    }

    @Test func aRunawayFunctionHitsTheTimeLimitAndTheDatabaseStaysUsable() async throws {
        let temporary = try TemporaryStore { $0.javaScriptTimeLimit = 0.2 }
        let db = try temporary.database()
        let rev = try await db.put(doc("_design/loop", ["validate_doc_update": "function(d){ if (d.spin) while (true) {} }"]))
        let error = await #expect(throws: DocStoreError.self) { try await db.put(doc("x", ["spin": true])) }
        #expect(error?.code == .javaScriptFailure)
        #expect(error?.reason.hasPrefix("timeout") == true)
        _ = try await db.put(doc("y"))
        _ = try await db.put(doc("_design/loop", rev: rev, deleted: true))
        _ = try await db.put(doc("x", ["spin": true]))
    }
}
