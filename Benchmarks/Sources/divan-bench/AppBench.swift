import DocStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Server

/// The app port (Budibase's public API) against the engine under it, in the same run:
/// row creates against a plain POST of the same document into the app's database on the
/// CouchDB port; row searches against the Mango query they compile to; publish against
/// an unfiltered `_replicate` of the same database.
enum AppBench {
    static let rows = Int(ProcessInfo.processInfo.environment["DIVAN_BENCH_APP_ROWS"] ?? "") ?? 100_000

    static func run(_ parts: Set<String>) async throws {
        print("== App API (Budibase public API on the app port; wrk on the same 2 cores) ==")
        let directory = temporaryDirectory("apps")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.adminUser = HTTPBench.admin.0
        configuration.adminPassword = HTTPBench.admin.1
        configuration.passwordIterations = HTTPBench.passwordIterations
        configuration.couchPort = Int.random(in: 20000..<30000)
        configuration.appPort = configuration.couchPort + 10000
        configuration.s3Port = 0
        var logger = Logger(label: "bench-apps")
        logger.logLevel = .warning
        let services = try await DivanServer.makeServices(configuration: configuration, logger: logger)
        let tasks = services.map { service in Task { try await service.run() } }
        defer { tasks.forEach { $0.cancel() } }
        let couch = "http://127.0.0.1:\(configuration.couchPort)"
        let api = "http://127.0.0.1:\(configuration.appPort)/api/public/v1"
        try await HTTPBench.waitUntilUp(couch)

        let app = try await post("\(api)/applications", ["name": "Bench"])["_id"]!.stringValue!
        let schema: JSON = [
            "name": ["type": "string"], "status": ["type": "options", "constraints": ["inclusion": ["open", "closed", "held"]]],
            "amount": ["type": "number"], "notes": ["type": "longform"],
        ]
        let table = try await post("\(api)/tables", ["name": "Orders", "schema": schema], app: app)["_id"]!.stringValue!

        if parts.isEmpty || parts.contains("create") {
            let created = try HTTPBench.wrk(
                script: "rows.lua", url: "\(api)/tables/\(table)/rows", connections: 16, seconds: 10,
                environment: ["DIVAN_BENCH_APP_ID": app])
            let plain = try HTTPBench.wrk(
                script: "rows.lua", url: "\(couch)/\(app)", connections: 16, seconds: 10, environment: ["DIVAN_BENCH_TABLE_ID": table])
            report("row create, 16 connections", created, unit: "rows/s", baseline: plain, baselineName: "POST same doc, CouchDB port")
            print("  goal: ≥ 0.70 of the baseline")
        }

        if parts.isEmpty || parts.contains("auth") {
            try await authenticated(api: api, couch: couch, app: app, table: table)
        }

        // A table of `rows` rows, written through the CouchDB port (they are ordinary documents).
        let prefix = "ro_\(table)_"
        var (info, _) = try await HTTPBench.call("GET", "\(couch)/\(app)")
        let before = (try JSON.parse(Array(info)))["doc_count"]?.int64Value ?? 0
        for batch in stride(from: 0, to: rows, by: 1000) {
            var docs: [JSON] = []
            for i in batch..<min(batch + 1000, rows) {
                docs.append([
                    "_id": .string(prefix + String(format: "%032x", i)), "tableId": .string(table), "type": "row",
                    "name": .string("customer \(i % 5000)"), "status": .string(["open", "closed", "held"][i % 3]),
                    "amount": .number(JSONNumber((i * 7919) % 100_000)), "notes": "lorem ipsum",
                ])
            }
            let (_, status) = try await HTTPBench.call("POST", "\(couch)/\(app)/_bulk_docs", body: JSON.object(["docs": .array(docs)]).serialized())
            guard status == 201 else { throw BenchError("row preload failed with \(status)") }
        }
        (info, _) = try await HTTPBench.call("GET", "\(couch)/\(app)")
        let total = (try JSON.parse(Array(info)))["doc_count"]?.int64Value ?? 0
        guard total - before == Int64(rows) else { throw BenchError("preload stored \(total - before) rows") }

        if parts.isEmpty || parts.contains("search") {
            let search: JSON = [
                "query": ["equal": ["status": "open"]], "sort": ["column": "amount", "order": "descending", "type": "number"], "limit": 50,
            ]
            let searches = try HTTPBench.wrk(
                script: "post.lua", url: "\(api)/tables/\(table)/rows/search", connections: 16, seconds: 10,
                environment: ["DIVAN_BENCH_APP_ID": app, "DIVAN_BENCH_BODY": search.serializedString])
            let mango: JSON = [
                "selector": [
                    "tableId": .string(table), "_id": ["$gt": .string(prefix), "$lt": .string(prefix + "\u{fff0}")],
                    "$and": [["status": ["$eq": "open"]]],
                ],
                "sort": [["tableId": "desc"], ["amount": "desc"]], "use_index": [.string("_design/bb-\(table)-amount"), "amount"], "limit": 50,
            ]
            let finds = try HTTPBench.wrk(
                script: "post.lua", url: "\(couch)/\(app)/_find", connections: 16, seconds: 10,
                environment: ["DIVAN_BENCH_BODY": mango.serializedString])
            report("row search (equal + sort + limit 50), \(rows / 1000)k rows", searches, unit: "q/s", baseline: finds, baselineName: "_find it compiles to")
            print(String(format: "  goal: ≥ 2,000 q/s: %@", (searches >= 2000 ? "met" : "NOT met") as NSString))
        }

        if parts.isEmpty || parts.contains("publish") {
            let documents = Double(total)
            let publish = try await measure { _ = try await post("\(api)/applications/\(app)/publish", [:]) }
            let replicate = try await measure {
                let body: JSON = ["source": .string(app), "target": "bench-copy", "create_target": true]
                let (_, status) = try await HTTPBench.call("POST", "\(couch)/_replicate", body: body.serialized())
                guard status == 200 else { throw BenchError("_replicate answered \(status)") }
            }
            report("publish, \(Int(documents / 1000))k documents", documents / publish, unit: "docs/s", baseline: documents / replicate, baselineName: "_replicate")
            print(String(format: "  goal: ≥ 20,000 docs/s: %@", (documents / publish >= 20_000 ? "met" : "NOT met") as NSString))
        }
    }

    /// Issue 13's figures: a row read with an API key against the same document read on
    /// the CouchDB port with a `_users` user's Basic credentials (verified once, then
    /// remembered), and the login rate (one PBKDF2 derivation each, at the configured
    /// iterations).
    static func authenticated(api: String, couch: String, app: String, table: String) async throws {
        let base = api.replacingOccurrences(of: "/api/public/v1", with: "")
        let password = "bench-user-password"
        let email = "bench@example.com"
        let initialised: JSON = ["email": .string(email), "password": .string(password)]
        _ = try await raw("POST", "\(base)/api/global/users/init", initialised)
        let (_, headers) = try await raw("POST", "\(base)/api/global/auth/default/login", ["username": .string(email), "password": .string(password)])
        guard let token = headers["x-budibase-token"] else { throw BenchError("login gave no token") }
        let (key, _) = try await raw("POST", "\(base)/api/global/self/api_key", [:], headers: ["x-budibase-token": token])
        guard let apiKey = key["apiKey"]?.stringValue else { throw BenchError("no API key") }
        let row = try await post("\(api)/tables/\(table)/rows", ["name": "read me", "status": "open", "amount": 1], app: app)
        let rowID = row["_id"]!.stringValue!
        let user: JSON = ["name": "reader", "password": .string(password), "roles": [], "type": "user"]
        _ = try await HTTPBench.call("PUT", "\(couch)/_users/org.couchdb.user:reader", body: user.serialized())
        let security: JSON = ["members": ["names": ["reader"]], "admins": ["roles": ["_admin"]]]
        _ = try await HTTPBench.call("PUT", "\(couch)/\(app)/_security", body: security.serialized())
        let byKey = try HTTPBench.wrk(
            script: "get.lua", url: "\(api)/tables/\(table)/rows/\(rowID)", connections: 64, seconds: 10, authorization: nil,
            environment: ["DIVAN_BENCH_HEADER": "x-budibase-api-key: \(apiKey)", "DIVAN_BENCH_APP_ID": app])
        let basic = "Basic " + Base64.encode(Array("reader:\(password)".utf8))
        let plain = try HTTPBench.wrk(script: "get.lua", url: "\(couch)/\(app)/\(rowID)", connections: 64, seconds: 10, authorization: basic)
        report("row GET by API key, 64 connections", byKey, unit: "req/s", baseline: plain, baselineName: "GET doc, Basic _users user")
        print("  goal: ≥ 0.80 of the baseline")
        let logins = 20
        let seconds = try await measure {
            for _ in 0..<logins {
                _ = try await raw("POST", "\(base)/api/global/auth/default/login", ["username": .string(email), "password": .string(password)])
            }
        }
        print(String(format: "login (PBKDF2-SHA256, %d iterations), one client: %.1f logins/s", HTTPBench.passwordIterations, Double(logins) / seconds))
    }

    /// A client that keeps no cookies: the login's would make later requests
    /// cookie-authenticated (which need the CSRF token).
    static let cookieless: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration)
    }()

    /// A JSON request to the app port. - Returns: the answer and its headers (lower-cased names).
    static func raw(_ method: String, _ url: String, _ body: JSON, headers: [String: String] = [:]) async throws -> (JSONObject, [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

        request.httpBody = Data(body.serialized())
        let (data, response) = try await cookieless.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw BenchError("\(url) answered \(String(decoding: data, as: UTF8.self))")
        }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return ((try JSON.parse(Array(data))).objectValue ?? [:], fields)
    }

    /// POSTs JSON to the app port and returns the answer's `data`.
    static func post(_ url: String, _ body: JSON, app: String? = nil) async throws -> JSONObject {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue(HTTPBench.authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let app { request.setValue(app, forHTTPHeaderField: "x-budibase-app-id") }
        request.timeoutInterval = 600
        request.httpBody = Data(body.serialized())
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200, let answer = (try JSON.parse(Array(data)))["data"]?.objectValue else {
            throw BenchError("\(url) answered \(String(decoding: data, as: UTF8.self))")
        }
        return answer
    }
}
