/// The byte-level JSON parser behind `JSON.parse` (RFC 8259, as strict as CouchDB's jiffy).
///
/// Iterative rather than recursive, so nesting depth is bounded by `maxDepth` and never by the
/// thread's stack. Values under construction live on flat scratch stacks and are moved (not
/// copied) into exactly-sized arrays when their container closes. O(n) in the input size, plus
/// duplicate-key detection that is O(k) per key for small objects and hashed for large ones.
@usableFromInline
struct JSONParser: ~Copyable {
    /// An open array or object.
    struct Frame {
        var isObject: Bool
        /// Where this container's values start on `values`.
        var valueBase: Int
        /// Where this object's keys (and their fingerprints) start on `keys` / `fingerprints`.
        var keyBase: Int
        /// Relative slot of an earlier duplicate of the pending key, or -1 for a new key.
        var duplicate: Int
        /// One bit per key fingerprint seen: a clear bit proves a key is new without a scan.
        var seen: UInt64
        /// Key → relative slot, built only once an object grows large.
        var index: [ExactString: Int]?
    }

    /// Objects with at least this many keys switch from linear to hashed duplicate detection.
    static let hashedKeyThreshold = 32

    let p: UnsafeRawPointer
    let end: Int
    let maxDepth: Int
    var i = 0
    var frames = JSONStack<Frame>(capacity: 16)
    var values = JSONStack<JSON>(capacity: 64)
    var keys = JSONStack<String>(capacity: 32)
    var fingerprints = JSONStack<UInt64>(capacity: 32)
    /// Reused buffer for strings containing escapes.
    var scratch: [UInt8] = []
    /// Fingerprint of the last key parsed by `parseString(fingerprint: true)`.
    var keyFingerprint: UInt64 = 0
    /// Recently seen short keys, so repeated keys do not re-create their String.
    var keyCache = JSONStringCache()

    init(_ p: UnsafeRawPointer, count: Int, maxDepth: Int) {
        self.p = p
        self.end = count
        self.maxDepth = maxDepth
    }

    @inline(__always)
    func byte(_ k: Int) -> UInt8 {
        p.load(fromByteOffset: k, as: UInt8.self)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            let c = byte(i)
            if c > 0x20 || (c != 0x20 && c != 0x0A && c != 0x0D && c != 0x09) { return }
            i &+= 1
        }
    }

    /// "unexpected character 'x'" (or end of input / a non-printable byte) at `offset`.
    func unexpected(at offset: Int) -> JSONError {
        guard offset < end else { return JSONError(message: "unexpected end of input", offset: offset) }
        let c = byte(offset)
        if c >= 0x21 && c < 0x7F {
            return JSONError(message: "unexpected character '\(Character(Unicode.Scalar(c)))'", offset: offset)
        }
        let hex = String(c, radix: 16, uppercase: true)
        return JSONError(message: "unexpected byte 0x\(c < 16 ? "0" : "")\(hex)", offset: offset)
    }

    /// Parses one complete document: a value, optional trailing whitespace, then end of input.
    mutating func parseDocument() throws(JSONError) -> JSON {
        skipWhitespace()
        while true {
            guard i < end else { throw unexpected(at: i) }
            var value: JSON
            switch byte(i) {
            case 0x22:
                i &+= 1
                value = .string(try parseString(fingerprint: false))
            case 0x7B:
                guard frames.count < maxDepth else { throw JSONError(message: "nesting too deep", offset: i) }
                i &+= 1
                skipWhitespace()
                if i < end && byte(i) == 0x7D {
                    i &+= 1
                    value = .object(JSONObject())
                } else {
                    frames.push(Frame(isObject: true, valueBase: values.count, keyBase: keys.count,
                                      duplicate: -1, seen: 0, index: nil))
                    try parseKey()
                    continue
                }
            case 0x5B:
                guard frames.count < maxDepth else { throw JSONError(message: "nesting too deep", offset: i) }
                i &+= 1
                skipWhitespace()
                if i < end && byte(i) == 0x5D {
                    i &+= 1
                    value = .array([])
                } else {
                    frames.push(Frame(isObject: false, valueBase: values.count, keyBase: keys.count,
                                      duplicate: -1, seen: 0, index: nil))
                    continue
                }
            case 0x74:
                try parseLiteral("true")
                value = .bool(true)
            case 0x66:
                try parseLiteral("false")
                value = .bool(false)
            case 0x6E:
                try parseLiteral("null")
                value = .null
            case 0x2D, 0x30...0x39:
                value = .number(try parseNumber())
            default:
                throw unexpected(at: i)
            }
            // Attach the finished value to its container; close containers as long as we can.
            while true {
                guard frames.count > 0 else {
                    skipWhitespace()
                    guard i == end else { throw JSONError(message: "trailing characters", offset: i) }
                    return value
                }
                let top = frames.base + (frames.count &- 1)
                let isObject = top.pointee.isObject
                if isObject && top.pointee.duplicate >= 0 {
                    (values.base + top.pointee.valueBase + top.pointee.duplicate).pointee = consume value
                } else {
                    values.push(consume value)
                }
                skipWhitespace()
                guard i < end else { throw unexpected(at: i) }
                let c = byte(i)
                if c == 0x2C {
                    i &+= 1
                    skipWhitespace()
                    if isObject { try parseKey() }
                    break
                }
                guard c == (isObject ? 0x7D : 0x5D) else { throw unexpected(at: i) }
                i &+= 1
                let frame = frames.pop()
                value = isObject ? .object(closeObject(frame)) : .array(values.popArray(from: frame.valueBase))
            }
        }
    }

    /// Moves the keys and values of a closing object into one exactly-sized member array. O(k).
    mutating func closeObject(_ frame: Frame) -> JSONObject {
        let n = keys.count &- frame.keyBase
        let kp = keys.base + frame.keyBase
        let vp = values.base + frame.valueBase
        // reserveCapacity + append is specialized in this module; Array(unsafeUninitializedCapacity:)
        // goes through an unspecialized runtime path that costs more than the moves themselves.
        var members: [JSONObject.Member] = []
        members.reserveCapacity(n)
        for k in 0..<n {
            members.append(JSONObject.Member(key: (kp + k).move(), value: (vp + k).move()))
        }
        keys.count = frame.keyBase
        fingerprints.count = frame.keyBase
        values.count = frame.valueBase
        return JSONObject(uniqueMembers: members)
    }

    /// Parses `"key"` `:` for the innermost object and records whether the key is a duplicate
    /// (last value wins, at the first occurrence's position).
    mutating func parseKey() throws(JSONError) {
        guard i < end, byte(i) == 0x22 else { throw unexpected(at: i) }
        i &+= 1
        let key = try parseString(fingerprint: true)
        let fp = keyFingerprint
        let top = frames.base + (frames.count &- 1)
        let base = top.pointee.keyBase
        let n = keys.count &- base
        var duplicate = -1
        let bit: UInt64 = 1 &<< ((fp &* 0xBF58_476D_1CE4_E5B9) &>> 58)
        if top.pointee.seen & bit == 0 && top.pointee.index == nil {
            top.pointee.seen |= bit  // certainly a new key
        } else if n < JSONParser.hashedKeyThreshold && top.pointee.index == nil {
            let fps = fingerprints.base + base
            let ks = keys.base + base
            for j in 0..<n where fps[j] == fp && ks[j].hasSameBytes(as: key) {
                duplicate = j
                break
            }
        } else {
            if top.pointee.index == nil {
                var index = [ExactString: Int](minimumCapacity: n * 2)
                for j in 0..<n { index[ExactString(keys.base[base + j])] = j }
                top.pointee.index = index
            }
            if let j = top.pointee.index![ExactString(key)] {
                duplicate = j
            } else {
                top.pointee.index![ExactString(key)] = n
            }
        }
        top.pointee.duplicate = duplicate
        if duplicate < 0 {
            keys.push(key)
            fingerprints.push(fp)
        }
        skipWhitespace()
        guard i < end, byte(i) == 0x3A else { throw unexpected(at: i) }
        i &+= 1
        skipWhitespace()
    }
}
