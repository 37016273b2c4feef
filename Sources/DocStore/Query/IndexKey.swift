import LMDB

/// The stored keys of Mango JSON indexes, all in one LMDB database (`mango`) and ordered
/// by `IndexKey.order`: CouchDB's view collation of the indexed values, then the
/// document id byte-wise (as couch_mrview's `less_json_ids` orders view rows).
///
/// Layout: `[index number: UInt32 big-endian][value count: UInt8][values…][document id]`.
/// Each value is a tag byte and its payload; `min`/`max` are sentinels that only range
/// bounds carry (below `null` / above every object), so a bound never equals a row.
///
///     0x00 min  0x01 null  0x02 false  0x03 true  0x04 number (varint length + literal)
///     0x05 string (varint length + UTF-8)  0x06 array (varint count + values)
///     0x07 object (varint count + (varint length + key + value)…)  0xFF max
///
/// LMDB keys are at most 511 bytes: strings are shortened (at a character boundary) until
/// the key fits, so such rows sort by their first bytes (README: differences).
enum IndexKey {
    /// The comparator LMDB calls for the `mango` database.
    static let order = KeyOrder.register { a, b in IndexKey.compare(a, b) }

    /// The largest key LMDB stores (`mdb_env_get_maxkeysize` of a default build).
    static let maximumSize = 511

    enum Tag {
        static let min: UInt8 = 0x00
        static let null: UInt8 = 0x01
        static let falseValue: UInt8 = 0x02
        static let trueValue: UInt8 = 0x03
        static let number: UInt8 = 0x04
        static let string: UInt8 = 0x05
        static let array: UInt8 = 0x06
        static let object: UInt8 = 0x07
        static let max: UInt8 = 0xFF
    }

    /// A value in a range bound: a JSON value or a sentinel.
    enum BoundValue {
        case min, max
        case value(JSON)
    }

    /// The key of one row.
    static func encode(index: UInt32, values: [JSON], id: String) -> [UInt8] {
        var limit = 1 << 30
        while true {
            var bytes = prefix(index, count: values.count)
            for value in values { append(value, to: &bytes, stringLimit: limit) }
            bytes.append(contentsOf: id.utf8)
            if bytes.count <= maximumSize || limit == 0 { return bytes }
            limit = limit > 400 ? 400 : limit / 2
        }
    }

    /// A range bound: CouchDB's view key (a list of values, possibly shorter than the
    /// index's columns, which then sorts before every row it prefixes, as in view
    /// collation). With `pastIDs` it lies after every document id of rows with exactly
    /// these values (an inclusive end key).
    static func bound(index: UInt32, values: [BoundValue], pastIDs: Bool) -> [UInt8] {
        var bytes = prefix(index, count: values.count)
        for value in values {
            switch value {
            case .min: bytes.append(Tag.min)
            case .max: bytes.append(Tag.max)
            case .value(let v): append(v, to: &bytes, stringLimit: 400)
            }
        }
        // Past every document id (ids are UTF-8, which never has a 0xFF byte).
        if pastIDs { bytes.append(0xFF) }
        return bytes
    }

    /// The first and last possible keys of an index (for scans and removal).
    static func first(index: UInt32) -> [UInt8] { prefix(index, count: 0) }
    static func past(index: UInt32) -> [UInt8] { prefix(index &+ 1, count: 0) }

    private static func prefix(_ index: UInt32, count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        bytes.append(UInt8(truncatingIfNeeded: index >> 24))
        bytes.append(UInt8(truncatingIfNeeded: index >> 16))
        bytes.append(UInt8(truncatingIfNeeded: index >> 8))
        bytes.append(UInt8(truncatingIfNeeded: index))
        bytes.append(UInt8(count))
        return bytes
    }

    static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
        var v = UInt(value)
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private static func append(_ value: JSON, to bytes: inout [UInt8], stringLimit: Int) {
        switch value {
        case .null: bytes.append(Tag.null)
        case .bool(let b): bytes.append(b ? Tag.trueValue : Tag.falseValue)
        case .number(let n):
            bytes.append(Tag.number)
            appendVarint(n.text.utf8.count, to: &bytes)
            bytes.append(contentsOf: n.text.utf8)
        case .string(let s):
            bytes.append(Tag.string)
            var utf8 = Array(s.utf8)
            if utf8.count > stringLimit {
                var end = stringLimit
                while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
                utf8 = Array(utf8[..<end])
            }
            appendVarint(utf8.count, to: &bytes)
            bytes.append(contentsOf: utf8)
        case .array(let elements):
            bytes.append(Tag.array)
            appendVarint(elements.count, to: &bytes)
            for element in elements { append(element, to: &bytes, stringLimit: stringLimit) }
        case .object(let object):
            bytes.append(Tag.object)
            appendVarint(object.count, to: &bytes)
            for (key, member) in object {
                let utf8 = Array(key.utf8)
                appendVarint(utf8.count, to: &bytes)
                bytes.append(contentsOf: utf8)
                append(member, to: &bytes, stringLimit: stringLimit)
            }
        }
    }

    // MARK: Decoding

    /// A stored key taken apart.
    struct Decoded {
        var index: UInt32
        var values: [JSON]
        var id: String
    }

    static func decode(_ key: UnsafeRawBufferPointer) -> Decoded? {
        guard key.count >= 5 else { return nil }
        var reader = KeyReader(bytes: key, position: 5)
        let index = UInt32(key[0]) << 24 | UInt32(key[1]) << 16 | UInt32(key[2]) << 8 | UInt32(key[3])
        var values: [JSON] = []
        for _ in 0..<Int(key[4]) {
            guard let value = reader.value() else { return nil }
            values.append(value)
        }
        let id = String(decoding: UnsafeRawBufferPointer(rebasing: key[reader.position...]), as: UTF8.self)
        return Decoded(index: index, values: values, id: id)
    }

    /// The index number of a stored key.
    static func indexNumber(_ key: UnsafeRawBufferPointer) -> UInt32 {
        guard key.count >= 4 else { return 0 }
        return UInt32(key[0]) << 24 | UInt32(key[1]) << 16 | UInt32(key[2]) << 8 | UInt32(key[3])
    }

    struct KeyReader {
        let bytes: UnsafeRawBufferPointer
        var position: Int

        mutating func varint() -> Int {
            var result = 0
            var shift = 0
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                result |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return result
        }

        mutating func slice() -> UnsafeRawBufferPointer {
            let length = varint()
            let end = min(bytes.count, position + length)
            defer { position = end }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<end])
        }

        mutating func tag() -> UInt8 {
            guard position < bytes.count else { return Tag.min }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func value() -> JSON? {
            switch tag() {
            case Tag.null: return .null
            case Tag.falseValue: return .bool(false)
            case Tag.trueValue: return .bool(true)
            case Tag.number: return .number(JSONNumber(uncheckedText: String(decoding: slice(), as: UTF8.self)))
            case Tag.string: return .string(String(decoding: slice(), as: UTF8.self))
            case Tag.array:
                var elements: [JSON] = []
                for _ in 0..<varint() {
                    guard let element = value() else { return nil }
                    elements.append(element)
                }
                return .array(elements)
            case Tag.object:
                var object = JSONObject()
                for _ in 0..<varint() {
                    let key = String(decoding: slice(), as: UTF8.self)
                    guard let member = value() else { return nil }
                    object.appendUnchecked(key: key, value: member)
                }
                return .object(object)
            default: return nil
            }
        }

        /// Moves past one value.
        mutating func skip() {
            switch tag() {
            case Tag.number, Tag.string: _ = slice()
            case Tag.array: for _ in 0..<varint() { skip() }
            case Tag.object:
                for _ in 0..<varint() {
                    _ = slice()
                    skip()
                }
            default: break
            }
        }
    }

    // MARK: Order

    /// Type rank in collation order; sentinels outside every type.
    private static func rank(_ tag: UInt8) -> Int {
        switch tag {
        case Tag.min: 0
        case Tag.null: 1
        case Tag.falseValue, Tag.trueValue: 2
        case Tag.number: 3
        case Tag.string: 4
        case Tag.array: 5
        case Tag.object: 6
        default: 7
        }
    }

    /// The key order: index number, then values by `Collation`, then id bytes.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let headA = Swift.min(4, a.count)
        let headB = Swift.min(4, b.count)
        let head = compareBytes(UnsafeRawBufferPointer(rebasing: a[0..<headA]), UnsafeRawBufferPointer(rebasing: b[0..<headB]))
        if head != 0 || a.count < 5 || b.count < 5 { return head != 0 ? head : a.count - b.count }
        var x = KeyReader(bytes: a, position: 5)
        var y = KeyReader(bytes: b, position: 5)
        let count = Swift.min(Int(a[4]), Int(b[4]))
        for _ in 0..<count {
            let c = compareValue(&x, &y)
            if c != 0 { return c }
        }
        if a[4] != b[4] { return Int(a[4]) - Int(b[4]) }
        return compareBytes(UnsafeRawBufferPointer(rebasing: a[x.position...]), UnsafeRawBufferPointer(rebasing: b[y.position...]))
    }

    private static func compareValue(_ x: inout KeyReader, _ y: inout KeyReader) -> Int {
        let tx = x.tag()
        let ty = y.tag()
        let rx = rank(tx)
        let ry = rank(ty)
        if rx != ry { return rx < ry ? -1 : 1 }
        switch tx {
        case Tag.falseValue, Tag.trueValue: return Int(tx) - Int(ty)
        case Tag.number:
            let sx = x.slice()
            let sy = y.slice()
            if compareBytes(sx, sy) == 0 { return 0 }
            return Collation.compare(
                .number(JSONNumber(uncheckedText: String(decoding: sx, as: UTF8.self))),
                .number(JSONNumber(uncheckedText: String(decoding: sy, as: UTF8.self))))
        case Tag.string:
            let sx = x.slice()
            let sy = y.slice()
            if compareBytes(sx, sy) == 0 { return 0 }
            return Collation.compare(.string(String(decoding: sx, as: UTF8.self)), .string(String(decoding: sy, as: UTF8.self)))
        case Tag.array:
            let cx = x.varint()
            let cy = y.varint()
            for _ in 0..<Swift.min(cx, cy) {
                let c = compareValue(&x, &y)
                if c != 0 { return c }
            }
            return cx == cy ? 0 : (cx < cy ? -1 : 1)
        case Tag.object:
            let cx = x.varint()
            let cy = y.varint()
            for _ in 0..<Swift.min(cx, cy) {
                let kx = x.slice()
                let ky = y.slice()
                if compareBytes(kx, ky) != 0 {
                    let c = Collation.compare(.string(String(decoding: kx, as: UTF8.self)), .string(String(decoding: ky, as: UTF8.self)))
                    if c != 0 { return c }
                }
                let c = compareValue(&x, &y)
                if c != 0 { return c }
            }
            return cx == cy ? 0 : (cx < cy ? -1 : 1)
        default:
            return 0
        }
    }
}
