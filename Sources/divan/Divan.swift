import ArgumentParser
import DocStore
import Foundation
import Logging
import Server

@main
struct Divan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divan",
        abstract: "A CouchDB-compatible document database (and, later, S3-compatible object store) in one binary.",
        version: DivanVersion.string,
        subcommands: [Serve.self, Replicate.self, Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("divan \(DivanVersion.string)") }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (CouchDB API on 127.0.0.1:5984 by default).")

    @Option(help: "Data directory (default ./divan-data, or DIVAN_DATA).") var data: String?
    @Option(help: "Address to listen on.") var bind: String?
    @Option(name: .customLong("couch-port"), help: "CouchDB API port (0 disables it).") var couchPort: Int?
    @Option(name: .customLong("s3-port"), help: "S3 API port (0 disables it).") var s3Port: Int?
    @Option(name: .customLong("app-port"), help: "App API port (0 disables it).") var appPort: Int?
    @Option(help: "Configuration file (JSON).") var config: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel: String?
    @Option(name: .customLong("max-document-size"), help: "Largest document body in bytes.") var maxDocumentSize: Int?
    @Option(name: .customLong("max-http-request-size"), help: "Largest request body read whole, in bytes.") var maxHTTPRequestSize: Int?
    @Option(name: .customLong("password-iterations"), help: "PBKDF2 iterations for new password hashes.") var passwordIterations: Int?
    @Option(name: .customLong("app-session-lifetime"), help: "Seconds an app-port login lasts after its last use (default 7 days).")
    var appSessionLifetime: Double?

    func run() async throws {
        Self.returnLargeBlocksToTheSystem()
        let environment = ProcessInfo.processInfo.environment
        var configuration = try ConfigurationFile.load(config)
        if let value = environment["DIVAN_DATA"] { configuration.dataDirectory = value }
        if let value = environment["DIVAN_ADMIN_USER"] { configuration.adminUser = value }
        if let value = environment["DIVAN_ADMIN_PASSWORD"] { configuration.adminPassword = value }
        if let data { configuration.dataDirectory = data }
        if let bind { configuration.bindAddress = bind }
        if let couchPort { configuration.couchPort = couchPort }
        if let s3Port { configuration.s3Port = s3Port }
        if let appPort { configuration.appPort = appPort }
        if let appSessionLifetime { configuration.appSessionLifetime = appSessionLifetime }
        if let key = environment["DIVAN_S3_ACCESS_KEY"], let secret = environment["DIVAN_S3_SECRET_KEY"] {
            configuration.s3Root = .init(accessKey: key, secretKey: secret)
        }
        if let logLevel {
            configuration.logLevel = logLevel
            configuration.startOverrides.insert("log/level")
        }
        if let maxDocumentSize {
            configuration.limits.maxDocumentSize = maxDocumentSize
            configuration.startOverrides.insert("couchdb/max_document_size")
        }
        if let maxHTTPRequestSize {
            configuration.limits.maxHTTPRequestSize = maxHTTPRequestSize
            configuration.startOverrides.insert("chttpd/max_http_request_size")
        }
        if let passwordIterations {
            configuration.passwordIterations = passwordIterations
            configuration.startOverrides.insert("chttpd_auth/iterations")
        }
        // Every logger follows one level, which `log/level` changes at run time.
        LoggingSystem.bootstrap { SwitchedLogHandler(label: $0) }
        var logger = Logger(label: "divan")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        guard configuration.couchPort != 0 || configuration.s3Port != 0 || configuration.appPort != 0 else {
            logger.notice("every listener is disabled; nothing to do")
            return
        }
        try await DivanServer.run(configuration: configuration, logger: logger)
    }
}

/// The optional JSON configuration file: the lowest-precedence source of settings.
enum ConfigurationFile {
    static func load(_ path: String?) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        guard let path else { return configuration }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read configuration file \(path)")
        }
        let json: JSON
        do { json = try JSON.parse(Array(data)) } catch { throw ValidationError("configuration file \(path): \(error)") }
        if let value = json["data"]?.stringValue { configuration.dataDirectory = value }
        if let value = json["bind"]?.stringValue { configuration.bindAddress = value }
        if let value = json["couch_port"]?.int64Value { configuration.couchPort = Int(value) }
        if let value = json["s3_port"]?.int64Value { configuration.s3Port = Int(value) }
        if let value = json["app_port"]?.int64Value { configuration.appPort = Int(value) }
        if let value = json["s3_region"]?.stringValue { configuration.s3Region = value }
        if let value = json["s3_virtual_host_domain"]?.stringValue { configuration.s3VirtualHostDomain = value }
        for pair in json["s3_credentials"]?.arrayValue ?? [] {
            if let key = pair["access_key"]?.stringValue, let secret = pair["secret_key"]?.stringValue {
                configuration.s3ExtraCredentials.append(.init(accessKey: key, secretKey: secret))
            }
        }
        if let value = json["admin_user"]?.stringValue { configuration.adminUser = value }
        if let value = json["log_level"]?.stringValue { configuration.logLevel = value }
        if let value = json["max_document_size"]?.int64Value { configuration.limits.maxDocumentSize = Int(value) }
        if let value = json["max_http_request_size"]?.int64Value { configuration.limits.maxHTTPRequestSize = Int(value) }
        if let value = json["session_timeout"]?.int64Value { configuration.sessionTimeout = Int(value) }
        if let value = json["app_session_lifetime"]?.doubleValue { configuration.appSessionLifetime = value }
        if let value = json["password_iterations"]?.int64Value { configuration.passwordIterations = Int(value) }
        if let value = json["max_dbs_open"]?.int64Value { configuration.maxOpenDatabases = Int(value) }
        if let value = json["os_process_timeout"]?.int64Value { configuration.osProcessTimeout = Int(value) }
        if let cors = json["cors"]?.objectValue {
            configuration.cors.enabled = true
            configuration.cors.origins = cors["origins"]?.arrayValue?.compactMap(\.stringValue) ?? ["*"]
            configuration.cors.credentials = cors["credentials"]?.boolValue ?? false
        }
        if let keys = json["jwt_keys"]?.objectValue {
            for (kid, secret) in keys {
                if let text = secret.stringValue { configuration.jwtKeys[kid] = Array(text.utf8) }
            }
        }
        return configuration
    }
}

extension Serve {
    /// Large blocks (4 MiB object chunks, their compressed copies, request bodies) come
    /// from mmap and go back to the system when freed. By default glibc raises its mmap
    /// threshold to the largest block freed so far; blocks that size then come from the
    /// per-thread arenas, which keep them: with four 64 MiB multipart uploads at once the
    /// heap peaked at 150 MB instead of 80 MB. `mallopt` is not in Swift's Glibc module
    /// (no malloc.h), so it is looked up by name; without glibc nothing changes.
    static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: MallOpt.self)(mmapThreshold, 256 << 10)
        #endif
    }
}
