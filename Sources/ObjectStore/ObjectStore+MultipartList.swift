import Foundation
import LMDB

/// A stored part as ListParts returns it.
public struct PartInfo: Sendable, Hashable {
    public let partNumber: Int
    /// Quoted hex MD5.
    public let etag: String
    public let size: Int
    public let lastModified: Date
    public let checksums: Checksums
}

/// One page of ListParts.
public struct PartListing: Sendable, Hashable {
    public var upload: UploadInfo
    public var parts: [PartInfo]
    public var isTruncated: Bool
    /// When truncated: the last part number of this page (`NextPartNumberMarker`).
    public var nextPartNumberMarker: Int?
}

/// One page of ListMultipartUploads.
public struct UploadListing: Sendable, Hashable {
    /// Sorted by key, then by upload id (which is creation order for one key).
    public var uploads: [UploadInfo] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    /// When truncated: continue with these as `keyMarker` and `uploadIDMarker`.
    public var nextKeyMarker: String?
    public var nextUploadIDMarker: String?
}

extension ObjectStore {
    /// The parts of an upload after `partNumberMarker`, in part-number order.
    /// O(log n + maxParts).
    /// - Throws: `NoSuchBucket`, `NoSuchUpload`, `InvalidArgument` (negative numbers).
    public func listParts(
        bucket: String, key: String, uploadID: UploadID, partNumberMarker: Int = 0, maxParts: Int = 1000
    ) throws -> PartListing {
        guard partNumberMarker >= 0, maxParts >= 0 else {
            throw ObjectStoreError(.invalidArgument, "part-number-marker and max-parts must be non-negative integers.")
        }
        return try environment.read { txn in
            let upload = try requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID)
            var listing = PartListing(upload: upload.info(uploadID), parts: [], isTruncated: false)
            guard partNumberMarker < Self.partNumbers.upperBound else { return listing }
            try txn.scan(tables.parts, from: Tables.partKey(upload: uploadID, partNumber: partNumberMarker + 1)) { entry in
                guard entry.key.hasPrefix(uploadID.bytes), entry.key.count == 20 else { return false }
                guard listing.parts.count < maxParts else {
                    listing.isTruncated = true
                    return false
                }
                let number = entry.key[16..<20].reduce(0) { $0 << 8 | Int($1) }
                let part = try PartRecord(decoding: entry.value)
                listing.parts.append(PartInfo(
                    partNumber: number, etag: part.etag.quoted, size: part.size,
                    lastModified: Milliseconds.date(part.lastModified), checksums: part.checksums))
                return true
            }
            if listing.isTruncated { listing.nextPartNumberMarker = listing.parts.last?.partNumber }
            return listing
        }
    }

    /// A bucket's uploads in progress whose keys start with `prefix`, sorted by key and
    /// upload id, after (`keyMarker`, `uploadIDMarker`): without an id marker, keys after
    /// `keyMarker`; with one, also the key's later uploads. Keys that contain the
    /// `delimiter` after the prefix roll up into common prefixes, as in `listObjects`.
    ///
    /// O(u log u) in the bucket's uploads in progress: they are read and sorted in
    /// memory (uploads are keyed by id, and a bucket rarely has many in flight).
    /// - Throws: `NoSuchBucket`, `InvalidArgument`.
    public func listMultipartUploads(
        bucket: String, prefix: String = "", delimiter: String? = nil, keyMarker: String? = nil,
        uploadIDMarker: String? = nil, maxUploads: Int = 1000
    ) throws -> UploadListing {
        guard maxUploads >= 0 else { throw ObjectStoreError(.invalidArgument, "max-uploads must be a non-negative integer.") }
        let prefixBytes = Array(prefix.utf8)
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        func rollUp(_ key: [UInt8]) -> [UInt8]? {
            guard let delimiter, let end = key.endOfFirstMatch(of: delimiter, from: prefixBytes.count) else { return nil }
            return Array(key[..<end])
        }
        let marker = keyMarker.map { Array($0.utf8) }
        let idMarker = uploadIDMarker.flatMap { UploadID($0)?.bytes }
        let skipUnder = marker.flatMap { marker in marker.hasPrefix(prefixBytes) && rollUp(marker) == marker ? marker : nil }
        func isAfterMarkers(_ key: [UInt8], _ id: [UInt8]) -> Bool {
            if let skipUnder, key.hasPrefix(skipUnder) { return false }
            guard let marker else { return true }
            if key == marker, let idMarker { return idMarker.lexicographicallyPrecedes(id) }
            return marker.lexicographicallyPrecedes(key)
        }
        return try environment.read { txn in
            _ = try requireBucket(txn, bucket)
            let bucketPrefix = Tables.bucketPrefix(bucket)
            var uploads: [(id: [UInt8], record: UploadRecord)] = []
            try txn.scan(tables.uploads, from: bucketPrefix) { entry in
                guard entry.key.hasPrefix(bucketPrefix) else { return false }
                let record = try UploadRecord(decoding: entry.value)
                let id = Array(entry.key[bucketPrefix.count...])
                if record.key.hasPrefix(prefixBytes), isAfterMarkers(record.key, id) { uploads.append((id, record)) }
                return true
            }
            uploads.sort { a, b in
                a.record.key == b.record.key ? a.id.lexicographicallyPrecedes(b.id) : a.record.key.lexicographicallyPrecedes(b.record.key)
            }
            var listing = UploadListing()
            guard maxUploads > 0 else { return listing }
            var count = 0
            var lastPrefix: [UInt8]?
            for (id, record) in uploads {
                let common = rollUp(record.key)
                if let common, common == lastPrefix { continue }
                if count == maxUploads {
                    listing.isTruncated = true
                    break
                }
                count += 1
                if let common {
                    lastPrefix = common
                    listing.commonPrefixes.append(String(decoding: common, as: UTF8.self))
                    (listing.nextKeyMarker, listing.nextUploadIDMarker) = (String(decoding: common, as: UTF8.self), nil)
                } else {
                    let info = try record.info(id.withUnsafeBytes { buffer throws(ObjectStoreError) in try UploadID(bytes: buffer) })
                    listing.uploads.append(info)
                    (listing.nextKeyMarker, listing.nextUploadIDMarker) = (info.key, info.uploadID.description)
                }
            }
            if !listing.isTruncated { (listing.nextKeyMarker, listing.nextUploadIDMarker) = (nil, nil) }
            return listing
        }
    }
}

extension UploadRecord {
    func info(_ id: UploadID) -> UploadInfo {
        UploadInfo(
            key: String(decoding: key, as: UTF8.self), uploadID: id, initiated: Milliseconds.date(initiated),
            metadata: metadata, checksumAlgorithm: checksumAlgorithm)
    }
}
