import Crypto
import Foundation
import LMDB

/// A part as CompleteMultipartUpload names it.
public struct CompletedPart: Sendable, Hashable {
    public var partNumber: Int
    /// With or without quotes.
    public var etag: String
    /// Checksums the client lists for the part (`ChecksumCRC32`, ...); checked when given.
    public var checksums: Checksums

    public init(partNumber: Int, etag: String, checksums: Checksums = Checksums()) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksums = checksums
    }
}

/// The object a completed multipart upload made.
public struct CompleteMultipartUploadResult: Sendable, Hashable {
    public let bucket: String
    public let key: String
    /// Quoted: `"<hex MD5 of the concatenated binary part MD5s>-<part count>"`.
    public let etag: String
    public let size: Int
    public let checksums: Checksums
}

extension ObjectStore {
    /// Completes a multipart upload: the listed parts become one object, atomically (it
    /// appears whole or not at all, replacing any object at the key), and their chunks
    /// become the object's without copying a byte. Parts not listed are discarded.
    /// Returns once durable.
    ///
    /// Completing an upload again (a client retrying after a lost response) returns
    /// the first completion's result for `completedUploadRetention`, as AWS does.
    ///
    /// One transaction, O(parts · chunks): the object record lists every chunk.
    /// - Throws: `NoSuchBucket`, `NoSuchUpload`, `MalformedXML` (no parts),
    ///   `InvalidPartOrder` (numbers not ascending), `InvalidPart` (unknown part, ETag or
    ///   checksum mismatch), `EntityTooSmall` (a part but the last below
    ///   `minimumPartSize`), `EntityTooLarge` (beyond `maximumObjectSize`).
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: UploadID, parts: [CompletedPart]
    ) async throws -> CompleteMultipartUploadResult {
        try ObjectIndex.validate(key)
        let minimumPartSize = configuration.minimumPartSize
        let maximumObjectSize = configuration.maximumObjectSize
        let now = Milliseconds.now
        let tables = tables
        return try await writer.submit { txn, effects in
            let upload: UploadRecord
            do {
                upload = try self.requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID)
            } catch let error as ObjectStoreError where error.code == .noSuchUpload {
                let done = try txn.withValue(tables.completed, key: uploadID.bytes) { value in
                    try value.map { buffer throws(ObjectStoreError) in try CompletedUploadRecord(decoding: buffer) }
                }
                guard let done, done.bucket == bucket, key.utf8.elementsEqual(done.key) else { throw error }
                return done.result
            }
            let record = try Self.assemble(
                txn, tables, upload: upload, uploadID: uploadID, parts: parts, minimumPartSize: minimumPartSize,
                maximumObjectSize: maximumObjectSize, now: now)
            try self.removeUpload(txn, bucket: bucket, uploadID: uploadID, keeping: Set(parts.map(\.partNumber)), &effects)
            try self.replaceObject(txn, bucket: bucket, with: record, &effects)
            let done = CompletedUploadRecord(
                bucket: bucket, key: record.key, etag: record.etag, size: record.size, checksums: record.checksums, completed: now)
            try txn.put(tables.completed, key: uploadID.bytes, value: done.encoded())
            return done.result
        }
    }

    /// Checks the client's part list against the stored parts and builds the object.
    private static func assemble(
        _ txn: Transaction, _ tables: Tables, upload: UploadRecord, uploadID: UploadID, parts: [CompletedPart],
        minimumPartSize: Int, maximumObjectSize: Int, now: Int64
    ) throws -> ObjectRecord {
        guard !parts.isEmpty else {
            throw ObjectStoreError(
                .malformedXML, "The XML you provided was not well-formed or did not validate against our published schema.")
        }
        for (previous, next) in zip(parts, parts.dropFirst()) where next.partNumber <= previous.partNumber {
            throw ObjectStoreError(.invalidPartOrder, "The list of parts was not in ascending order. Parts must be ordered by part number.")
        }
        let invalidPart = ObjectStoreError(
            .invalidPart,
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
        var stored: [PartRecord] = []
        for part in parts {
            let record = try txn.withValue(tables.parts, key: Tables.partKey(upload: uploadID, partNumber: part.partNumber)) { value in
                try value.map { buffer throws(ObjectStoreError) in try PartRecord(decoding: buffer) }
            }
            guard let record, part.etag.unquoted.lowercased() == record.etag else { throw invalidPart }
            for algorithm in ChecksumAlgorithm.allCases {
                if let claimed = part.checksums[algorithm], claimed != record.checksums[algorithm] { throw invalidPart }
            }
            stored.append(record)
        }
        for (part, record) in zip(parts, stored).dropLast() where record.size < minimumPartSize {
            throw ObjectStoreError(
                .entityTooSmall, "Your proposed upload is smaller than the minimum allowed size (part \(part.partNumber)).")
        }
        let size = stored.reduce(0) { $0 + $1.size }
        guard size <= maximumObjectSize else {
            throw ObjectStoreError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed object size.")
        }
        var md5 = Insecure.MD5()
        for record in stored { md5.update(data: record.md5) }
        let etag = Hex.encode(md5.finalize()) + "-\(stored.count)"
        var checksums = Checksums()
        if let algorithm = upload.checksumAlgorithm {
            checksums.type = .composite
            checksums[algorithm] = try composite(algorithm, of: stored.map { $0.checksums[algorithm] })
        }
        return ObjectRecord(
            key: upload.key, size: size, etag: etag, lastModified: now, metadata: upload.metadata, checksums: checksums,
            partSizes: stored.map(\.size), chunks: stored.flatMap(\.chunks))
    }

    /// S3's composite checksum: the algorithm over the concatenated binary part
    /// checksums, base64, then `-<parts>`; `nil` if a part lacks the checksum.
    static func composite(_ algorithm: ChecksumAlgorithm, of parts: [String?]) throws -> String? {
        var digest = BodyDigest(checksums: [algorithm])
        for part in parts {
            guard let part, let binary = Data(base64Encoded: part) else { return nil }
            binary.withUnsafeBytes { digest.update($0) }
        }
        guard let value = digest.finalize().checksums[algorithm] else { return nil }
        return value.base64 + "-\(parts.count)"
    }
}

extension CompletedUploadRecord {
    var result: CompleteMultipartUploadResult {
        CompleteMultipartUploadResult(
            bucket: bucket, key: String(decoding: key, as: UTF8.self), etag: etag.quoted, size: size, checksums: checksums)
    }
}
