import DocStore
import Foundation
import Logging
import ObjectStore
import Replication
import Synchronization
import Testing

@testable import Apps

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let date = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: Double) { date.withLock { $0 += seconds } }
}

/// A worker over a store in its own temporary directory.
struct WorkerFixture {
    let directory = NSTemporaryDirectory() + "apps-test-" + UUID().uuidString
    let store: DocumentStore
    let worker: WorkerService
    let clock = TestClock()

    init(lifetime: Double = 3600, refresh: Double = 60, maxFailedLogins: Int = 3) throws {
        store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
        let apps = AppService(
            store: store, replications: ReplicationScheduler(store: store, nodeUUID: "test", logger: Logger(label: "apps-test")),
            objects: try ObjectStore(root: directory + "/objects"))
        var configuration = WorkerService.Configuration()
        configuration.sessionLifetime = lifetime
        configuration.sessionRefreshInterval = refresh
        configuration.passwordIterations = 10
        configuration.maxFailedLogins = maxFailedLogins
        let clock = self.clock
        worker = WorkerService(apps: apps, secret: Array(repeating: 7, count: 32), configuration: configuration, clock: { clock.now })
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    func session(_ id: String) throws -> JSONObject? {
        let database = try store.database(WorkerService.globalDatabase)
        return try? database.document(id).json()
    }
}

@Suite struct WorkerServiceTests {
    @Test func aSessionLivesUntilLifetimePassesWithoutUse() async throws {
        let fixture = try WorkerFixture(lifetime: 600)
        defer { fixture.remove() }
        _ = try await fixture.worker.createUser(["email": "a@x.io", "password": "pw"])
        let (token, _, _) = try await fixture.worker.login(username: "A@X.io", password: "pw")
        fixture.clock.advance(599)
        _ = try await fixture.worker.authenticate(token: token)  // refreshes lastAccessedAt
        fixture.clock.advance(599)
        _ = try await fixture.worker.authenticate(token: token)
        fixture.clock.advance(600)
        await #expect(throws: AppError(.unauthorized, "Unauthorized")) { try await fixture.worker.authenticate(token: token) }
    }

    @Test func lastAccessedAtIsWrittenAtMostOncePerRefreshInterval() async throws {
        let fixture = try WorkerFixture(refresh: 60)
        defer { fixture.remove() }
        _ = try await fixture.worker.createUser(["email": "a@x.io", "password": "pw"])
        let (token, session, _) = try await fixture.worker.login(username: "a@x.io", password: "pw")
        let id = Session.documentID(userID: session.userID, sessionID: session.sessionID)
        let first = try #require(try fixture.session(id)?["_rev"])
        fixture.clock.advance(59)
        _ = try await fixture.worker.authenticate(token: token)
        #expect(try fixture.session(id)?["_rev"] == first)
        fixture.clock.advance(2)
        _ = try await fixture.worker.authenticate(token: token)
        let second = try #require(try fixture.session(id)?["_rev"])
        #expect(second != first)
        fixture.clock.advance(30)
        _ = try await fixture.worker.authenticate(token: token)
        #expect(try fixture.session(id)?["_rev"] == second)
    }

    @Test func logoutDeactivationAndDeletionEndSessions() async throws {
        let fixture = try WorkerFixture()
        defer { fixture.remove() }
        let user = try await fixture.worker.createUser(["email": "a@x.io", "password": "pw"])
        let id = try #require(user["_id"]?.stringValue)
        let (first, session, _) = try await fixture.worker.login(username: "a@x.io", password: "pw")
        try await fixture.worker.logout(session)
        await #expect(throws: AppError.self) { try await fixture.worker.authenticate(token: first) }
        let (second, _, _) = try await fixture.worker.login(username: "a@x.io", password: "pw")
        _ = try await fixture.worker.updateUser(id, ["status": "inactive"])
        await #expect(throws: AppError.self) { try await fixture.worker.authenticate(token: second) }
        _ = try await fixture.worker.updateUser(id, ["status": "active"])
        _ = try await fixture.worker.authenticate(token: second)
        _ = try await fixture.worker.deleteUser(id)
        await #expect(throws: AppError.self) { try await fixture.worker.authenticate(token: second) }
    }

    @Test func aForgedTokenIsRefused() async throws {
        let fixture = try WorkerFixture()
        defer { fixture.remove() }
        _ = try await fixture.worker.createUser(["email": "a@x.io", "password": "pw"])
        let (token, _, _) = try await fixture.worker.login(username: "a@x.io", password: "pw")
        let parts = token.split(separator: ".")
        let claims = Base64.encodeURL(Array(#"{"userId":"us_0","sessionId":"x","tenantId":"default"}"#.utf8))
        for forged in ["\(parts[0]).\(claims).\(parts[2])", token + "x", "garbage", ""] {
            await #expect(throws: AppError(.unauthorized, "Unauthorized")) { try await fixture.worker.authenticate(token: forged) }
        }
    }

    @Test func failedLoginsAreLimitedPerAccountAndASuccessClearsThem() async throws {
        let fixture = try WorkerFixture(maxFailedLogins: 3)
        defer { fixture.remove() }
        _ = try await fixture.worker.createUser(["email": "a@x.io", "password": "pw"])
        for _ in 0..<2 {
            await #expect(throws: WorkerService.invalidCredentials) { try await fixture.worker.login(username: "a@x.io", password: "no") }
        }
        _ = try await fixture.worker.login(username: "a@x.io", password: "pw")
        for _ in 0..<3 {
            await #expect(throws: WorkerService.invalidCredentials) { try await fixture.worker.login(username: "a@x.io", password: "no") }
        }
        await #expect { try await fixture.worker.login(username: "a@x.io", password: "pw") } throws: { ($0 as? AppError)?.kind == .tooManyRequests }
        fixture.clock.advance(fixture.worker.configuration.failedLoginWindow)
        _ = try await fixture.worker.login(username: "a@x.io", password: "pw")
    }

    @Test func concurrentCreatesOfOneEmailMakeOneUser() async throws {
        let fixture = try WorkerFixture()
        defer { fixture.remove() }
        let worker = fixture.worker
        let created = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask { (try? await worker.createUser(["email": index % 2 == 0 ? "Same@x.io" : "same@X.IO"])) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 1)
        #expect(try worker.searchUsers(prefix: "same", bookmark: nil, limit: 10).users.count == 1)
    }

    @Test func aNewAPIKeyReplacesTheOldAndOnlyItsHashIsStored() async throws {
        let fixture = try WorkerFixture()
        defer { fixture.remove() }
        let user = try await fixture.worker.createUser(["email": "b@x.io", "builder": ["global": true]])
        let principal = Principal(user: user)
        let old = try await fixture.worker.newAPIKey(for: principal)
        let new = try await fixture.worker.newAPIKey(for: principal)
        #expect(try fixture.worker.authenticate(apiKey: new).id == principal.id)
        #expect(throws: AppError.self) { try fixture.worker.authenticate(apiKey: old) }
        let database = try fixture.store.database(WorkerService.globalDatabase)
        var options = AllDocumentsOptions()
        options.includeDocuments = true
        for row in try database.allDocuments(options).rows {
            let text = String(decoding: row.document!.serialized(), as: UTF8.self)
            #expect(!text.contains(new) && !text.contains(old))
        }
        let basic = Principal(user: try await fixture.worker.createUser(["email": "c@x.io"]))
        await #expect(throws: AppError.self) { try await fixture.worker.newAPIKey(for: basic) }
    }

    @Test func searchPagesThroughEmailsInOrderWithABookmark() async throws {
        let fixture = try WorkerFixture()
        defer { fixture.remove() }
        for index in 0..<7 { _ = try await fixture.worker.createUser(["email": .string("p\(index)@x.io")]) }
        _ = try await fixture.worker.createUser(["email": "q@x.io"])
        var emails: [String] = []
        var bookmark: String?
        repeat {
            let page = try fixture.worker.searchUsers(prefix: "P", bookmark: bookmark, limit: 3)
            #expect(page.users.count <= 3)
            emails += page.users.compactMap { $0["email"]?.stringValue }
            bookmark = page.nextPage
        } while bookmark != nil
        #expect(emails == (0..<7).map { "p\($0)@x.io" })
    }
}
