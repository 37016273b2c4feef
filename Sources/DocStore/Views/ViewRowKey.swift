/// Keys of view rows in the `views` table: Mango's `IndexKey` layout with one value (the
/// emitted key), so both sort by the one collation (`IndexKey.order`): view number, then
/// the key in CouchDB's view collation, then the document id byte-wise (couch_mrview's
/// `less_json_ids`), then the emission number, so a document may emit one key twice.
/// In a partitioned group the partition comes before the key (two values), so that each
/// partition's rows are one range, in the order of CouchDB's `{p, Partition, Key}`.
///
///     [view number: 4][1][key][document id][0x00][emission number + 1 as one UTF-8 scalar]
///
/// Range bounds append to `[view number][1][key]` either a document id (rows of that id
/// and after), a document id + 0x01 (past that id's rows) or 0xFF (past every id).
enum ViewRowKey {
    static func encode(view: UInt32, key: JSON, id: String, emission: Int, partition: String? = nil) -> [UInt8] {
        // Scalars skip the surrogate range, so any emission count encodes and sorts.
        let code = UInt32(emission + 1)
        let scalar = Unicode.Scalar(code < 0xD800 ? code : code + 0x800) ?? "\u{10FFFF}"
        let values: [JSON] = partition.map { [.string($0), key] } ?? [key]
        return IndexKey.encode(index: view, values: values, id: id + "\u{0}" + String(Character(scalar)))
    }

    /// The document id of a stored row key.
    static func documentID(_ key: UnsafeRawBufferPointer) -> String {
        guard let decoded = IndexKey.decode(key) else { return "" }
        let id = decoded.id
        guard let zero = id.utf8.lastIndex(of: 0) else { return id }
        return String(id[..<zero])
    }

    /// Where in the rows of `key` a bound lies.
    enum Position {
        /// Before every row of the key.
        case beforeAll
        /// At the first row of this document id.
        case atID(String)
        /// Just past the rows of this document id.
        case pastID(String)
        /// Past every row of the key.
        case pastAll
    }

    static func bound(view: UInt32, key: JSON, _ position: Position, partition: String? = nil) -> [UInt8] {
        let values: [IndexKey.BoundValue] = partition.map { [.value(.string($0)), .value(key)] } ?? [.value(key)]
        var bytes = IndexKey.bound(index: view, values: values, pastIDs: false)
        switch position {
        case .beforeAll: break
        case .atID(let id): bytes.append(contentsOf: id.utf8)
        case .pastID(let id):
            bytes.append(contentsOf: id.utf8)
            bytes.append(0x01)
        case .pastAll: bytes.append(0xFF)
        }
        return bytes
    }

    /// `view_docs` keys: group number, then the document id.
    static func groupPrefix(_ group: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: group >> 24), UInt8(truncatingIfNeeded: group >> 16), UInt8(truncatingIfNeeded: group >> 8), UInt8(truncatingIfNeeded: group)]
    }

    static func documentKey(group: UInt32, id: String) -> [UInt8] { groupPrefix(group) + Array(id.utf8) }

    /// A document's row keys as stored in `view_docs`: each length-prefixed.
    static func encodeList(_ keys: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for key in keys {
            IndexKey.appendVarint(key.count, to: &bytes)
            bytes.append(contentsOf: key)
        }
        return bytes
    }

    static func decodeList(_ buffer: UnsafeRawBufferPointer) -> [[UInt8]] {
        var reader = IndexKey.KeyReader(bytes: buffer, position: 0)
        var keys: [[UInt8]] = []
        while reader.position < buffer.count { keys.append(Array(reader.slice())) }
        return keys
    }
}
