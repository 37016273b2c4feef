import Foundation

/// The S3 root key pair kept in `<data>/s3-credentials.json` when none is configured:
/// generated at first start (a 20-character access key of uppercase letters and digits,
/// a 40-character secret, as AWS shapes them), written atomically with mode 0600, and
/// reused on later starts. The secret is stored as is: SigV4 needs it to compute
/// signatures, so it cannot be kept hashed.
enum S3CredentialFile {
    private struct Stored: Codable {
        var accessKey: String
        var secretKey: String
    }

    /// The root pair: the configured one, else the stored one, else a new one
    /// (`generated` tells the caller to show it once).
    /// - Throws: when the file exists but cannot be read, or cannot be written.
    static func root(configuration: ServerConfiguration) throws
        -> (credentials: ServerConfiguration.S3Credentials, generated: Bool)
    {
        if let configured = configuration.s3Root { return (configured, false) }
        let path = configuration.dataDirectory + "/s3-credentials.json"
        if let data = FileManager.default.contents(atPath: path) {
            let stored = try JSONDecoder().decode(Stored.self, from: data)
            return (.init(accessKey: stored.accessKey, secretKey: stored.secretKey), false)
        }
        let credentials = ServerConfiguration.S3Credentials(
            accessKey: random(20, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            secretKey: random(40, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
        try save(Stored(accessKey: credentials.accessKey, secretKey: credentials.secretKey), to: path)
        return (credentials, true)
    }

    private static func random(_ count: Int, from alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
    }

    private static func save(_ stored: Stored, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.save(Array(try encoder.encode(stored)), to: path)
    }
}
