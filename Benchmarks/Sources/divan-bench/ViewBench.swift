import DocStore
import Foundation

/// `divan-bench views [build] [query]`: JavaScript views, each next to the engine's own
/// equivalent measured in the same run. `DIVAN_BENCH_VIEW_DOCS` sets N (default 100,000).
enum ViewBench {
    static let documentCount = ProcessInfo.processInfo.environment["DIVAN_BENCH_VIEW_DOCS"].flatMap(Int.init) ?? 100_000
    static let design: JSONObject = [
        "views": ["by_customer": ["map": "function (doc) { if (doc.type === 'order') emit(doc.customer, doc.total); }"]],
    ]

    static func run(_ parts: Set<String>) async throws {
        let wanted: (String) -> Bool = { parts.isEmpty || parts.contains($0) }
        print("== views (\(documentCount) documents of ~1 KB, one-emit map) ==")
        let (db, directory) = try MangoBench.database("views")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for start in stride(from: 0, to: documentCount, by: 1_000) {
            _ = try await db.update((start..<min(start + 1_000, documentCount)).map {
                DocumentUpdate(id: DocStoreBench.id($0), body: DocStoreBench.body($0))
            })
        }
        _ = try await db.put(DocumentUpdate(id: "_design/bench", body: design))
        if wanted("build") { try await build(db) }
        if wanted("query") { try await query(db) }
    }

    /// The first query builds the index over every document; the baseline reads every
    /// change with its document, which any index build must do at least.
    static func build(_ db: DocumentDatabase) async throws {
        var options = ChangesOptions()
        options.includeDocuments = true
        let scan = try await measure { _ = try db.changes(options) { _ in true } }
        var first = ViewQuery()
        first.limit = 1
        let building = try await measure { _ = try await db.queryView(designDocument: "_design/bench", view: "by_customer", first) }
        report("view build, docs/s", Double(documentCount) / building, unit: "/s",
               baseline: Double(documentCount) / scan, baselineName: "_changes include_docs")
        print("goal: ratio >= 0.25")
    }

    /// `key=` and a 100-row range from 16 tasks, next to `_all_docs` with the same shapes.
    static func query(_ db: DocumentDatabase) async throws {
        var warm = ViewQuery()
        warm.limit = 1
        _ = try await db.queryView(designDocument: "_design/bench", view: "by_customer", warm)
        let customers = 977
        let byKey = try await MangoBench.rate(seconds: 2) { k in
            var query = ViewQuery()
            query.startKey = .string("customer-\(k % customers)")
            query.endKey = query.startKey
            query.singleKey = true
            query.update = .never
            _ = try await db.queryView(designDocument: "_design/bench", view: "by_customer", query)
        }
        let allDocsKey = try await MangoBench.rate(seconds: 2) { k in
            var options = AllDocumentsOptions()
            options.keys = [DocStoreBench.id(k % documentCount)]
            _ = try db.allDocuments(options)
        }
        report("view key=, q/s", byKey, unit: "/s", baseline: allDocsKey, baselineName: "_all_docs key=")
        let range = try await MangoBench.rate(seconds: 2) { k in
            var query = ViewQuery()
            query.startKey = .string("customer-\(k % customers)")
            query.limit = 100
            query.update = .never
            _ = try await db.queryView(designDocument: "_design/bench", view: "by_customer", query)
        }
        let allDocsRange = try await MangoBench.rate(seconds: 2) { k in
            var options = AllDocumentsOptions()
            options.startKey = DocStoreBench.id(k % documentCount)
            options.limit = 100
            _ = try db.allDocuments(options)
        }
        report("view 100-row range, q/s", range, unit: "/s", baseline: allDocsRange, baselineName: "_all_docs 100 rows")
        print("goal: ratios >= 0.7")
    }
}
