import LMDB

/// The named databases of `<root>/meta.mdb` and their keys. Keys are built so that LMDB's
/// byte order is the order S3 lists in.
///
/// | table | key | value |
/// |---|---|---|
/// | buckets | bucket name | `BucketRecord` |
/// | lifecycle | bucket name | `LifecycleConfiguration` |
/// | objects | `ObjectIndex.storageKey` (bucket, NUL, key) | `ObjectRecord` |
/// | uploads | bucket, NUL, 16-byte upload id | `UploadRecord` |
/// | parts | 16-byte upload id, 4-byte big-endian part number | `PartRecord` |
/// | completed | 16-byte upload id | `CompletedUploadRecord` |
/// | chunks | 16-byte chunk id | reference count, stored size |
/// | statistics | "totals" | `StorageTotals` |
///
/// Handles are plain numbers, valid while the environment is open; `Sendable`.
struct Tables: Sendable {
    let buckets: Database
    let lifecycle: Database
    let objects: Database
    let uploads: Database
    let parts: Database
    let completed: Database
    let chunks: Database
    let statistics: Database

    init(_ environment: Environment) throws {
        (buckets, lifecycle, objects, uploads, parts, completed, chunks, statistics) = try environment.write { txn in
            (
                try txn.openDatabase("buckets"), try txn.openDatabase("lifecycle"), try txn.openDatabase("objects"),
                try txn.openDatabase("uploads"), try txn.openDatabase("parts"), try txn.openDatabase("completed"),
                try txn.openDatabase("chunks"), try txn.openDatabase("statistics")
            )
        }
    }

    /// `bucket` then NUL: the start of every key of the bucket's objects and uploads.
    /// Bucket names never contain NUL, so no bucket's range overlaps another's.
    static func bucketPrefix(_ bucket: String) -> [UInt8] { Array(bucket.utf8) + [0] }

    static func uploadKey(bucket: String, upload: UploadID) -> [UInt8] { bucketPrefix(bucket) + upload.bytes }

    static func partKey(upload: UploadID, partNumber: Int) -> [UInt8] {
        var key = upload.bytes
        withUnsafeBytes(of: UInt32(partNumber).bigEndian) { key.append(contentsOf: $0) }
        return key
    }
}

extension [UInt8] {
    /// Whether the bytes begin with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool { count >= prefix.count && self[..<prefix.count].elementsEqual(prefix) }

    /// The smallest byte string greater than every string that starts with `self`, or
    /// `nil` if there is none (all bytes 0xFF; never the case for UTF-8 text).
    var prefixSuccessor: [UInt8]? {
        var bytes = self
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}

extension UnsafeRawBufferPointer {
    func hasPrefix(_ prefix: [UInt8]) -> Bool { count >= prefix.count && self[..<prefix.count].elementsEqual(prefix) }
}
