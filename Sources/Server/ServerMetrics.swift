import DocStore
import Metrics
import Prometheus
import Synchronization

/// Request metrics through swift-metrics, exported in Prometheus' text format
/// (`/_node/_local/_prometheus`) and as CouchDB's `_stats` JSON.
///
/// Each server has its own registry (tests run several servers in one process); the
/// counts `_stats` shows are kept alongside, since a Prometheus registry cannot be
/// read back as numbers.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let counts = Mutex<(methods: [String: Int], statuses: [Int: Int], requests: Int)>(([:], [:], 0))
    private let requestTime: Metrics.Timer

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
        requestTime = Metrics.Timer(label: "couchdb_request_time_seconds", factory: factory)
    }

    /// Records one answered request.
    func record(method: String, status: Int, duration: Duration) {
        counts.withLock { counts in
            counts.methods[method, default: 0] += 1
            counts.statuses[status, default: 0] += 1
            counts.requests += 1
        }
        Counter(label: "couchdb_httpd_request_methods", dimensions: [("method", method)], factory: factory).increment()
        Counter(label: "couchdb_httpd_status_codes", dimensions: [("code", String(status))], factory: factory).increment()
        requestTime.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition, with gauges read now.
    func prometheus(openDatabases: Int) -> [UInt8] {
        Gauge(label: "couchdb_open_databases", factory: factory).record(openDatabases)
        return registry.emitToBuffer()
    }

    /// CouchDB's `_stats` shape: `{"couchdb": {"httpd_request_methods": {...}, ...}}`.
    func stats(openDatabases: Int) -> JSON {
        let (methods, statuses, requests) = counts.withLock { ($0.methods, $0.statuses, $0.requests) }
        func counter(_ value: Int, _ description: String) -> JSON {
            ["value": .number(JSONNumber(value)), "type": "counter", "desc": .string(description)]
        }
        var methodStats = JSONObject()
        for (method, count) in methods.sorted(by: { $0.key < $1.key }) { methodStats[method] = counter(count, "number of HTTP \(method) requests") }
        var statusStats = JSONObject()
        for (status, count) in statuses.sorted(by: { $0.key < $1.key }) { statusStats[String(status)] = counter(count, "number of HTTP \(status) responses") }
        return [
            "couchdb": [
                "httpd": ["requests": counter(requests, "number of HTTP requests")],
                "httpd_request_methods": .object(methodStats),
                "httpd_status_codes": .object(statusStats),
                "open_databases": ["value": .number(JSONNumber(openDatabases)), "type": "gauge", "desc": "number of open databases"],
            ]
        ]
    }
}
