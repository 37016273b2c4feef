extension JSON {
    /// Appends the compact serialization (no whitespace, object keys in stored order) to `buffer`.
    ///
    /// Appending to a caller-owned buffer lets hot paths build whole HTTP bodies without
    /// intermediate strings. Strings are escaped per RFC 8259 (`"`, `\`, control characters only;
    /// `/` and non-ASCII are written raw); numbers print their literal text. O(size of output).
    public func serialize(into buffer: inout [UInt8]) {
        var writer = JSONWriter(capacity: 1024)
        withUnsafePointer(to: self) { JSON.write($0, to: &writer) }
        buffer.append(contentsOf: UnsafeBufferPointer(start: writer.base, count: writer.count))
    }

    /// The compact serialization as bytes. O(size of output).
    public func serialized() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        withUnsafePointer(to: self) { JSON.write($0, to: &writer) }
        return Array(UnsafeBufferPointer(start: writer.base, count: writer.count))
    }

    /// The compact serialization as a `String`. O(size of output).
    public var serializedString: String {
        var writer = JSONWriter(capacity: 1024)
        withUnsafePointer(to: self) { JSON.write($0, to: &writer) }
        return String(decoding: UnsafeBufferPointer(start: writer.base, count: writer.count), as: UTF8.self)
    }

    /// Recursive writer behind the public entry points. Takes the value by address so array
    /// elements and member values are read in place, without a copy (retain/release) per node.
    static func write(_ value: UnsafePointer<JSON>, to writer: inout JSONWriter) {
        switch value.pointee {
        case .null:
            writer.append("null")
        case .bool(let b):
            writer.append(b ? "true" : "false")
        case .number(let n):
            writer.appendRaw(n.text)
        case .string(let s):
            writer.appendQuoted(s)
        case .array(let a):
            writer.append(0x5B)  // [
            // Iterating through the buffer borrows elements in place: no retain/release per element.
            a.withUnsafeBufferPointer { elements in
                for k in 0..<elements.count {
                    if k > 0 { writer.append(0x2C) }
                    JSON.write(elements.baseAddress! + k, to: &writer)
                }
            }
            writer.append(0x5D)  // ]
        case .object(let o):
            writer.append(0x7B)  // {
            o.storage.withUnsafeBufferPointer { members in
                for k in 0..<members.count {
                    if k > 0 { writer.append(0x2C) }
                    writer.appendQuoted(members.baseAddress! + k)
                    writer.append(0x3A)  // :
                    JSON.write(JSONObject.valuePointer(members.baseAddress! + k), to: &writer)
                }
            }
            writer.append(0x7D)  // }
        }
    }
}

/// Appends `s` as a quoted, escaped JSON string literal to `buffer`.
///
/// Public because hot paths (e.g. `_all_docs` rows) write JSON by hand around pre-serialized
/// fragments. Clean runs are copied in bulk, found by scanning 8 bytes at a time; only `"`, `\`
/// and control characters are escaped (short forms `\n \r \t \b \f`, `\u00XX` otherwise).
/// O(UTF-8 length of `s`).
public func serializedStringLiteral(_ s: String, into buffer: inout [UInt8]) {
    var s = s
    s.withUTF8 { u in
        guard let p = u.baseAddress else {
            buffer.append(0x22)
            buffer.append(0x22)
            return
        }
        // Common case: nothing to escape, so the bytes go in with one bulk copy.
        var i = 0
        let n = u.count
        while i &+ 8 <= n && JSONBytes.needsAttention(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) == 0 {
            i &+= 8
        }
        while i < n && p[i] >= 0x20 && p[i] != 0x22 && p[i] != 0x5C { i &+= 1 }
        if i == n {
            buffer.reserveCapacity(buffer.count &+ n &+ 2)
            buffer.append(0x22)
            buffer.append(contentsOf: u)
            buffer.append(0x22)
            return
        }
        var writer = JSONWriter(capacity: n &+ 16)
        writer.appendQuoted(utf8: u)
        buffer.append(contentsOf: UnsafeBufferPointer(start: writer.base, count: writer.count))
    }
}
