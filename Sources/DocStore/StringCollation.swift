import CICU

/// String order of CouchDB's view and Mango keys: ICU's root collator, as CouchDB's
/// `couch_ejson_compare.c` opens it (`ucol_open("")`, no attribute changed). That is the
/// Unicode Collation Algorithm at tertiary strength with punctuation non-ignorable: for ASCII
/// `"" < " " < "_" < "-" < "," < "!" < "." < "0" < "9" < "a" < "A" < "aa" < "b"`, accents
/// after the base letter (`"e" < "é" < "f"`), lowercase before uppercase.
///
/// Distinct strings can compare equal, exactly as in CouchDB: canonically equivalent ones
/// (`"é"` precomposed and `"e\u{301}"`) and ones differing only by completely ignorable code
/// points (most control characters). CouchDB then orders view rows by document id.
///
/// Rejected: a Swift approximation of the UCA tables (it was one, and differed from CouchDB
/// beyond Latin-1); a byte-order fast path for ASCII (ICU's order for ASCII is not byte order,
/// and ICU's own Latin fast path already avoids the general algorithm for such strings).
enum StringCollation {
    /// Negative, zero or positive as `a` sorts before, equal to or after `b`. Thread-safe (one
    /// ICU collator per thread, opened on the thread's first comparison). O(n), no allocation
    /// for native Swift strings.
    static func compare(_ a: String, _ b: String) -> Int {
        var a = a
        var b = b
        let result = a.withUTF8 { x in
            b.withUTF8 { y in
                x.withMemoryRebound(to: CChar.self) { x in
                    y.withMemoryRebound(to: CChar.self) { y in
                        divan_collate_utf8(x.baseAddress, Int32(x.count), y.baseAddress, Int32(y.count))
                    }
                }
            }
        }
        guard result != DIVAN_COLLATE_ERROR else {
            // Only a broken installation gets here (ICU's data library missing); comparing
            // by another order instead would silently corrupt every view and index.
            fatalError("ICU's root collator could not be opened; is libicu installed?")
        }
        return Int(result)
    }
}
