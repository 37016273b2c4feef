import DocStore
import Hummingbird
import NIOCore

/// `/_db_updates`: database created/updated/deleted events, normal, longpoll or continuous.
extension CouchService {
    func databaseUpdates(_ request: CouchRequest) async throws -> Response {
        try Self.methodCheck(request, .get, .post)
        let feed = request.query["feed"] ?? "normal"
        let timeout = try milliseconds(request.query, "timeout", default: 60_000)
        let heartbeat = try heartbeatMilliseconds(request.query)
        // Divan keeps no history of events: a normal feed is answered empty, the
        // waiting feeds report events from now on.
        guard feed == "longpoll" || feed == "continuous" || feed == "eventsource" else {
            return .json(["results": [], "last_seq": "0-divan"])
        }
        let events = store.databaseEvents()
        let tick = Duration.milliseconds(max(50, min(heartbeat ?? timeout, timeout)))
        let body = ResponseBody { writer in
            var counter: UInt64 = 0
            let deadline = ContinuousClock.now + .milliseconds(timeout)
            let (merged, continuation) = AsyncStream<DatabaseEvent?>.makeStream(bufferingPolicy: .bufferingNewest(1024))
            let forwarder = Task {
                for await event in events { continuation.yield(event) }
                continuation.finish()
            }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    continuation.yield(nil)
                }
            }
            defer {
                forwarder.cancel()
                ticker.cancel()
            }
            var results: [JSON] = []
            for await event in merged {
                if let event {
                    counter += 1
                    let row: JSON = ["db_name": .string(event.database), "type": .string(event.kind.rawValue), "seq": .string("\(counter)-divan")]
                    if feed == "longpoll" {
                        results.append(row)
                        break
                    }
                    try await writer.write(ByteBuffer(bytes: feed == "eventsource" ? Array("data: ".utf8) + row.serialized() + Array("\n\n".utf8) : row.serialized() + [10]))
                } else if ContinuousClock.now >= deadline {
                    break
                } else if heartbeat != nil, feed != "longpoll" {
                    try await writer.write(ByteBuffer(bytes: [10]))
                }
            }
            if feed == "longpoll" {
                let answer: JSON = ["results": .array(results), "last_seq": .string("\(counter)-divan")]
                try await writer.write(ByteBuffer(bytes: answer.serialized() + [10]))
            }
            try await writer.finish(nil)
        }
        let type = feed == "eventsource" ? "text/event-stream" : "application/json"
        return Response(status: .ok, headers: [.contentType: type], body: body)
    }
}
