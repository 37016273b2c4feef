import Testing
@testable import DocStore

@Suite struct KeyCacheInternalsTests {
    /// Two different keys that land in the same slot must not be confused.
    @Test func slotCollisionsCompareExactBytes() {
        let a: (UInt64, UInt64) = (0x6867_6665_6463_6261, 0x3179_7878_7878_7878)
        var b: (UInt64, UInt64) = (a.0, a.1 &+ 1)
        while JSONStringCache.slot(b.0, b.1, 16) != JSONStringCache.slot(a.0, a.1, 16) { b.1 &+= 1 }
        var cache = JSONStringCache()
        for _ in 0..<JSONStringCache.warmUp { _ = cache.lookup(0, 0, 99) }
        cache.store("first", a.0, a.1, 16)
        #expect(cache.lookup(a.0, a.1, 16) == "first")
        #expect(cache.lookup(b.0, b.1, 16) == nil)
        #expect(cache.lookup(a.0, a.1, 15) == nil)
        #expect(cache.lookup(a.0 ^ 1, a.1, 16) == nil)
    }

    @Test func wordsIdentifyShortStrings() {
        let bytes = Array("abcdefghijklmnop-trailing".utf8)
        bytes.withUnsafeBytes { raw in
            for n in 0...16 {
                let exact = JSONStringCache.words(raw.baseAddress!, count: n)
                let fast = JSONStringCache.wordsOverreading(raw.baseAddress!, count: n)
                #expect(exact == fast, "n = \(n)")
            }
        }
    }
}
