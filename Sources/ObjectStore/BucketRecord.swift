import LMDB

/// A bucket in the `buckets` table.
struct BucketRecord: Sendable {
    var created: Int64

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.signed(created)
        return writer.bytes
    }

    static func read(_ txn: Transaction, _ tables: Tables, _ name: String) throws -> BucketRecord? {
        try txn.withValue(tables.buckets, key: Array(name.utf8)) { value in
            try value.map { buffer throws(ObjectStoreError) in try BucketRecord(decoding: buffer) }
        }
    }
}

extension BucketRecord {
    init(decoding buffer: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        var reader = ByteReader(buffer)
        created = try reader.signed()
    }
}
