import DocStore
import Foundation

/// What the server keeps about itself in `<data>/server.json`: its uuid, the secret that
/// signs session cookies, and the server admins' password hashes (never passwords).
struct ServerIdentity: Sendable {
    var uuid: String
    var secret: [UInt8]
    var admins: [String: PasswordHash]

    /// A password generated at first start when no admin was configured; the caller
    /// prints it once. It is not stored.
    var generatedPassword: (user: String, password: String)?

    /// Loads the identity, creating it on first start, and applies the configured admin.
    static func load(configuration: ServerConfiguration) throws -> ServerIdentity {
        let path = configuration.dataDirectory + "/server.json"
        var identity: ServerIdentity
        if let data = FileManager.default.contents(atPath: path), let json = try? JSON.parse(Array(data)) {
            identity = ServerIdentity(
                uuid: json["uuid"]?.stringValue ?? UUIDs.random(),
                secret: json["secret"]?.stringValue.flatMap { Base64.decode($0) } ?? randomBytes(32),
                admins: [:])
            for (name, value) in json["admins"]?.objectValue ?? [:] {
                if let hash = value.stringValue.flatMap(PasswordHash.init(adminString:)) { identity.admins[name] = hash }
            }
        } else {
            identity = ServerIdentity(uuid: UUIDs.random(), secret: randomBytes(32), admins: [:])
        }
        var changed = false
        if configuration.adminUser != nil || configuration.adminPassword != nil {
            let user = configuration.adminUser ?? "admin"
            if let password = configuration.adminPassword {
                // Only this admin's entry: admins added through `_config` stay.
                if identity.admins[user]?.verify(password) != true {
                    identity.admins[user] = PasswordHash.make(password: password, iterations: configuration.passwordIterations)
                    changed = true
                }
            } else if identity.admins[user] == nil {
                identity.generateAdmin(user, configuration)
                changed = true
            }
        } else if identity.admins.isEmpty {
            identity.generateAdmin("admin", configuration)
            changed = true
        }
        if changed || !FileManager.default.fileExists(atPath: path) { try identity.save(to: path) }
        return identity
    }

    private mutating func generateAdmin(_ user: String, _ configuration: ServerConfiguration) {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let password = String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        admins = [user: PasswordHash.make(password: password, iterations: configuration.passwordIterations)]
        generatedPassword = (user, password)
    }

    /// Writes `server.json` durably (`DurableFile`).
    func save(to path: String) throws {
        var admins = JSONObject()
        for (name, hash) in self.admins.sorted(by: { $0.key < $1.key }) { admins[name] = .string(hash.adminString) }
        let json: JSON = ["uuid": .string(uuid), "secret": .string(Base64.encode(secret)), "admins": .object(admins)]
        try DurableFile.save(json.serialized(), to: path)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
