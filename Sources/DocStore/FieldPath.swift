/// Field-name parsing and document traversal (CouchDB's `mango_util:parse_field/1` and
/// `mango_doc:get_field/2`).
///
/// A field name is split at every `.` not preceded by a backslash, then every backslash is
/// dropped from each segment, so `"a\\.b"` names the single key `a.b`. Traversal walks objects by
/// key and arrays by decimal index (`"tags.0"`); there is no implicit fan-out over array elements.
enum FieldPath {
    /// The outcome of looking a path up in a document.
    enum Lookup {
        /// The value at the path.
        case found(JSON)
        /// An object along the path lacks the key (the only case `$exists: false` matches).
        case notFound
        /// The path runs into a scalar, a non-index segment on an array, or an index out of range.
        case badPath
    }

    /// Splits a field name into unescaped segments. Throws `invalid_field_name` when a segment is
    /// empty (`""`, `"a..b"`, `"a."`). O(n).
    static func parse(_ field: String) throws(SelectorError) -> [String] {
        var segments: [String] = []
        var current: [UInt8] = []
        var hasBackslash = false
        var previous: UInt8 = 0
        for byte in field.utf8 {
            if byte == UInt8(ascii: ".") && previous != UInt8(ascii: "\\") {
                guard !current.isEmpty else { throw .invalidFieldName(field) }
                segments.append(finish(current, hasBackslash))
                current.removeAll(keepingCapacity: true)
                hasBackslash = false
            } else {
                current.append(byte)
                if byte == UInt8(ascii: "\\") { hasBackslash = true }
            }
            previous = byte
        }
        guard !current.isEmpty else { throw .invalidFieldName(field) }
        segments.append(finish(current, hasBackslash))
        return segments
    }

    /// Decodes one raw segment, dropping backslashes as CouchDB does (so a key containing a
    /// literal backslash cannot be addressed, exactly as in CouchDB).
    private static func finish(_ bytes: [UInt8], _ hasBackslash: Bool) -> String {
        let kept = hasBackslash ? bytes.filter { $0 != UInt8(ascii: "\\") } : bytes
        return String(decoding: kept, as: UTF8.self)
    }

    /// Joins segments back into one field name, escaping dots inside segments so `parse` gives
    /// the same segments back.
    static func join(_ segments: [String]) -> String {
        var out = ""
        for (i, segment) in segments.enumerated() {
            if i > 0 { out += "." }
            if segment.utf8.contains(UInt8(ascii: ".")) {
                for ch in segment.unicodeScalars {
                    if ch == "." { out += "\\." } else { out.unicodeScalars.append(ch) }
                }
            } else {
                out += segment
            }
        }
        return out
    }

    /// Follows `path` from `value`. O(total keys scanned along the path).
    static func lookup(_ path: [String], in value: JSON) -> Lookup {
        var current = value
        for segment in path {
            switch current {
            case .object(let object):
                guard let next = object[segment] else { return .notFound }
                current = next
            case .array(let elements):
                guard let index = arrayIndex(segment), index < elements.count else { return .badPath }
                current = elements[index]
            default:
                return .badPath
            }
        }
        return .found(current)
    }

    /// The segment as a non-negative array index, read like Erlang's `list_to_integer/1`
    /// (optional sign, decimal digits, leading zeros allowed); nil otherwise or when negative.
    static func arrayIndex(_ segment: String) -> Int? {
        var value = 0
        var negative = false
        var digits = 0
        for (i, byte) in segment.utf8.enumerated() {
            if i == 0 && (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) {
                negative = byte == UInt8(ascii: "-")
                continue
            }
            let d = byte &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            digits += 1
            // Saturate: any index this large is out of range anyway.
            value = value > Int.max / 20 ? Int.max / 2 : value * 10 + Int(d)
        }
        guard digits > 0 else { return nil }
        if negative { return value == 0 ? 0 : nil }
        return value
    }
}
