import Crypto
import CryptoExtras
import Foundation

/// PBKDF2-SHA256 password hashes, in CouchDB's two forms: the admin string
/// `-pbkdf2:sha256-<derived key hex>,<salt hex>,<iterations>` and the `_users` fields
/// `password_scheme`, `pbkdf2_prf`, `derived_key`, `salt`, `iterations`. The app layer's
/// users (`global-db`) store the same fields.
///
/// It lives in DocStore, below both Server (CouchDB's `_users`, server admins) and Apps
/// (the worker's users), so the two share one implementation.
package struct PasswordHash: Sendable, Equatable {
    package var derivedKey: String
    package var salt: String
    package var iterations: Int

    /// Derives a hash with a fresh random salt. Costs `iterations` HMAC rounds.
    package static func make(password: String, iterations: Int) -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let saltHex = hex(salt)
        return PasswordHash(derivedKey: derive(password, salt: saltHex, iterations: iterations), salt: saltHex, iterations: iterations)
    }

    /// Whether `password` matches, compared in constant time.
    package func verify(_ password: String) -> Bool {
        ConstantTime.equal(Array(Self.derive(password, salt: salt, iterations: iterations).utf8), Array(derivedKey.utf8))
    }

    /// CouchDB uses the salt's text (hex) as the PBKDF2 salt.
    static func derive(_ password: String, salt: String, iterations: Int) -> String {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: max(1, iterations))
        return key.withUnsafeBytes { hex(Array($0)) }
    }

    package static func hex(_ bytes: [UInt8]) -> String { RevisionHash.hex(bytes) }

    /// The admin form. - Note: never log it.
    package var adminString: String { "-pbkdf2:sha256-\(derivedKey),\(salt),\(iterations)" }

    package init(derivedKey: String, salt: String, iterations: Int) {
        self.derivedKey = derivedKey
        self.salt = salt
        self.iterations = iterations
    }

    package init?(adminString: String) {
        guard adminString.hasPrefix("-pbkdf2:sha256-") else { return nil }
        let parts = adminString.dropFirst("-pbkdf2:sha256-".count).split(separator: ",")
        guard parts.count == 3, let iterations = Int(parts[2]) else { return nil }
        self.init(derivedKey: String(parts[0]), salt: String(parts[1]), iterations: iterations)
    }

    /// Reads the fields of a `_users` document.
    package init?(userDocument: JSONObject) {
        guard userDocument["password_scheme"]?.stringValue == "pbkdf2",
            let key = userDocument["derived_key"]?.stringValue, let salt = userDocument["salt"]?.stringValue,
            let iterations = userDocument["iterations"]?.int64Value
        else { return nil }
        if let prf = userDocument["pbkdf2_prf"]?.stringValue, prf != "sha256" { return nil }
        self.init(derivedKey: key, salt: salt, iterations: Int(iterations))
    }

    package func apply(to document: inout JSONObject) {
        document.removeValue(forKey: "password")
        document["password_scheme"] = "pbkdf2"
        document["pbkdf2_prf"] = "sha256"
        document["derived_key"] = .string(derivedKey)
        document["salt"] = .string(salt)
        document["iterations"] = .number(JSONNumber(iterations))
    }
}
