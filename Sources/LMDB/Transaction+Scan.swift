/// Range scans, the way all-docs and changes feeds read.
extension Transaction {
    /// Visits entries in key order from `start` (inclusive; `nil` = the first or, when
    /// descending, the last key) towards `end` (`nil` = no bound), stopping when `body`
    /// returns false. `end` is inclusive when `inclusiveEnd`. O(log n + visited).
    public func scan(
        _ database: Database,
        from start: [UInt8]? = nil,
        to end: [UInt8]? = nil,
        inclusiveEnd: Bool = true,
        descending: Bool = false,
        _ body: (Cursor.Entry) throws -> Bool
    ) throws {
        try withCursor(database) { cursor in
            var entry: Cursor.Entry?
            if let start {
                entry = try start.withUnsafeBytes { key in
                    descending ? try cursor.seek(atMost: key) : try cursor.seek(atLeast: key)
                }
            } else {
                entry = descending ? try cursor.last() : try cursor.first()
            }
            while let current = entry {
                if let end {
                    let order = end.withUnsafeBytes { compareBytes(current.key, $0) }
                    let pastEnd = descending ? order < 0 : order > 0
                    if pastEnd || (!inclusiveEnd && order == 0) { return }
                }
                guard try body(current) else { return }
                entry = descending ? try cursor.previous() : try cursor.next()
            }
        }
    }
}
