/// A small direct-mapped cache of recently parsed short strings (≤ 16 UTF-8 bytes), keyed by
/// their exact bytes, used by the parser for object keys.
///
/// Documents repeat the same keys over and over (`_id`, `type`, …), and creating a `String`
/// (validation plus copy) costs far more than comparing two words. A hit returns the cached
/// string; a miss creates it and replaces the slot. Allocated only once a parse has seen
/// `warmUp` keys, so small documents never pay for it. Every operation is O(1).
struct JSONStringCache: ~Copyable {
    struct Entry {
        var w0: UInt64
        var w1: UInt64
        var length: Int
        var string: String
    }

    static let slotCount = 256
    /// Keys looked up before the table is allocated.
    static let warmUp = 48
    /// Longest string (in UTF-8 bytes) the cache handles: exactly two words identify it.
    static let maxLength = 16

    private var entries: UnsafeMutablePointer<Entry>?
    private var lookups = 0

    init() {}

    deinit {
        if let entries {
            entries.deinitialize(count: JSONStringCache.slotCount)
            entries.deallocate()
        }
    }

    /// The words that identify a string of `n ≤ 16` bytes: the first (up to) 8 bytes zero-padded,
    /// and the last 8 bytes when `n ≥ 8`. Reads only inside `[p, p + n)`.
    @inline(__always)
    static func words(_ p: UnsafeRawPointer, count n: Int) -> (UInt64, UInt64) {
        if n >= 8 {
            return (UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)),
                    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)))
        }
        var w0: UInt64 = 0
        for k in 0..<n {
            w0 |= UInt64(p.load(fromByteOffset: k, as: UInt8.self)) << UInt64(k &* 8)
        }
        return (w0, 0)
    }

    /// Like `words`, but for `n < 8` may read up to 8 bytes from `p` (caller guarantees they are
    /// readable), masking off the excess: one load instead of a byte loop.
    @inline(__always)
    static func wordsOverreading(_ p: UnsafeRawPointer, count n: Int) -> (UInt64, UInt64) {
        if n >= 8 { return words(p, count: n) }
        let mask: UInt64 = n == 0 ? 0 : ~0 >> UInt64(64 &- n &* 8)
        return (UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) & mask, 0)
    }

    @inline(__always)
    static func slot(_ w0: UInt64, _ w1: UInt64, _ n: Int) -> Int {
        let h = (w0 ^ (w1 &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: n)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 56)
    }

    /// The cached string with exactly these bytes, if present.
    @inline(__always)
    mutating func lookup(_ w0: UInt64, _ w1: UInt64, _ n: Int) -> String? {
        guard let entries else {
            lookups &+= 1
            if lookups == JSONStringCache.warmUp { allocate() }
            return nil
        }
        let e = entries + JSONStringCache.slot(w0, w1, n)
        if e.pointee.length == n && e.pointee.w0 == w0 && e.pointee.w1 == w1 { return e.pointee.string }
        return nil
    }

    /// Remembers `string` (whose bytes produced these words), evicting the slot's previous entry.
    @inline(__always)
    mutating func store(_ string: String, _ w0: UInt64, _ w1: UInt64, _ n: Int) {
        guard let entries else { return }
        let e = entries + JSONStringCache.slot(w0, w1, n)
        e.pointee = Entry(w0: w0, w1: w1, length: n, string: string)
    }

    @inline(never)
    private mutating func allocate() {
        let e = UnsafeMutablePointer<Entry>.allocate(capacity: JSONStringCache.slotCount)
        e.initialize(repeating: Entry(w0: 0, w1: 0, length: -1, string: ""), count: JSONStringCache.slotCount)
        entries = e
    }
}
