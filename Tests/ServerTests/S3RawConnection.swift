import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client connection over a plain socket, for tests that must see
/// exactly what the server writes (interim responses, connection close). Use it from a
/// thread of its own (`onThread`), never from the concurrency pool.
final class RawConnection: @unchecked Sendable {
    // Unchecked: one test thread uses an instance at a time.
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `body` on a new thread (blocking socket calls stay off the concurrency pool).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    init(port: Int, timeoutSeconds: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw Failure(description: "connect")
        }
    }

    func close() { Glibc.close(descriptor) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send") }
            offset += sent
        }
    }

    /// Reads more bytes; `false` at end of stream. Throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw Failure(description: "recv timed out or failed (errno \(errno))") }
        buffer += chunk[0..<count]
        return count > 0
    }

    /// One response: head, then a body framed by Content-Length or chunked encoding.
    func readResponse() throws -> Reply {
        var end: Int?
        while true {
            if let index = buffer.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound {
                end = index
                break
            }
            guard try fill() else { throw Failure(description: "closed before a response") }
        }
        let head = String(decoding: buffer[..<end!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end! + 4)
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if status == 100 { return Reply(status: status, headers: headers, body: []) }
        if headers["transfer-encoding"] == "chunked" {
            var body: [UInt8] = []
            while true {
                let line = try readLine()
                guard let size = Int(line, radix: 16) else { throw Failure(description: "bad chunk size \(line)") }
                if size == 0 {
                    _ = try readLine()
                    return Reply(status: status, headers: headers, body: body)
                }
                body += try read(size)
                _ = try readLine()
            }
        }
        return Reply(status: status, headers: headers, body: try read(Int(headers["content-length"] ?? "0") ?? 0))
    }

    private func read(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw Failure(description: "closed inside a body") }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstRange(of: Array("\r\n".utf8))?.lowerBound {
                defer { buffer.removeFirst(index + 2) }
                return String(decoding: buffer[..<index], as: UTF8.self)
            }
            guard try fill() else { throw Failure(description: "closed inside a line") }
        }
    }

    /// Everything until the server closes the connection (throws if it does not).
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }
}
