import Crypto
import DocStore

extension WorkerService {
    /// Longest API key read from a request; ours are 67 characters.
    static let maxAPIKeyLength = 256

    /// `GET|POST /api/global/self/api_key`: a new key for the caller, replacing any
    /// previous one. Only its SHA-256 is stored (a key is 32 random bytes, so a fast hash
    /// is enough: there is nothing to guess), as `apikey_<hash>`; the key itself is in
    /// this answer only.
    /// - Throws: 403 unless a builder or admin; 400 for the server admin, who has no user
    ///   document to hold a key and authenticates with Basic credentials.
    public func newAPIKey(for principal: Principal) async throws(AppError) -> String {
        guard principal.isBuilder else { throw AppError(.forbidden, "Forbidden: only builders and admins have API keys") }
        guard !principal.isServerAdmin else {
            throw AppError.badRequest("The server admin has no API key: create a user with POST /api/global/users and use theirs")
        }
        let database = try globalDatabase()
        let key = "bb_" + Self.randomHex(32)
        let hash = Self.apiKeyHash(key)
        try await apps.write(
            database, ["_id": .string(Self.apiKeyPrefix + hash), "userId": .string(principal.id), "createdAt": .string(AppService.timestamp(now))],
            what: "API key")
        let infoID = Self.developerInfoPrefix + principal.id
        var previous: String?
        if apps.readIfPresent(database, infoID) == nil {
            _ = try? await apps.write(database, ["_id": .string(infoID), "userId": .string(principal.id)], what: "API key")
        }
        _ = try await apps.modify(database, infoID, what: "API key") { info throws(AppError) in
            previous = info["apiKeyHash"]?.stringValue
            info["apiKeyHash"] = .string(hash)
            info["updatedAt"] = .string(AppService.timestamp(now))
        }
        if let previous, previous != hash { try await delete(database, Self.apiKeyPrefix + previous) }
        return key
    }

    /// The user an API key belongs to. The key must be the user's current one (their
    /// `devinfo` names its hash), so a key replaced just before a crash stays dead. The
    /// hash is already the lookup key, so comparing it needs no constant time.
    /// - Throws: 401, alike for an unknown key, a replaced one and a deleted or inactive user.
    public func authenticate(apiKey: String) throws(AppError) -> Principal {
        guard !apiKey.isEmpty, apiKey.utf8.count <= Self.maxAPIKeyLength else { throw Self.unauthorized }
        let database = try globalDatabase()
        let hash = Self.apiKeyHash(apiKey)
        guard let record = apps.readIfPresent(database, Self.apiKeyPrefix + hash), let userID = record["userId"]?.stringValue,
            let current = apps.readIfPresent(database, Self.developerInfoPrefix + userID)?["apiKeyHash"]?.stringValue,
            current == hash, let user = activeUser(userID, database)
        else { throw Self.unauthorized }
        return Principal(user: user)
    }

    static func apiKeyHash(_ key: String) -> String { PasswordHash.hex(Array(SHA256.hash(data: Array(key.utf8)))) }
}
