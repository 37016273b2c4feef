import LMDB

/// Which metadata a copy gets (`x-amz-metadata-directive`).
public enum MetadataDirective: Sendable, Hashable {
    /// The source's metadata (COPY, the default).
    case copy
    /// New metadata (REPLACE).
    case replace(ObjectMetadata)
}

extension ObjectStore {
    /// Copies an object (CopyObject) without copying bytes: the copy shares the source's
    /// chunks, whose reference counts grow, so it costs one metadata commit whatever
    /// the size. Reading the source and writing the copy happen in one transaction, so
    /// the copy is exactly some committed version of the source.
    ///
    /// - Parameter precondition: checks the source before anything is written
    ///   (`x-amz-copy-source-if-*`); what it throws is rethrown. It runs on the writer's
    ///   queue inside the transaction: keep it quick, pure and repeatable.
    /// - Throws: `NoSuchBucket`, `NoSuchKey`, `KeyTooLongError`, `InvalidRequest`
    ///   (source larger than `maximumPartSize`, as S3's 5 GiB copy limit; or a copy onto
    ///   itself that changes nothing).
    @discardableResult
    public func copyObject(
        sourceBucket: String, sourceKey: String, bucket: String, key: String,
        metadataDirective: MetadataDirective = .copy,
        precondition: (@Sendable (ObjectInfo) throws -> Void)? = nil
    ) async throws -> PutObjectResult {
        try ObjectIndex.validate(sourceKey)
        try ObjectIndex.validate(key)
        let limit = configuration.maximumPartSize
        let lastModified = Milliseconds.now
        let tables = tables
        let record = try await writer.submit { txn, effects -> ObjectRecord in
            _ = try self.requireBucket(txn, bucket)
            let source = try self.readObject(txn, bucket: sourceBucket, key: Array(sourceKey.utf8))
            try precondition?(source.info)
            guard source.size <= limit else {
                throw ObjectStoreError(
                    .invalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: \(limit)")
            }
            if sourceBucket == bucket, sourceKey.utf8.elementsEqual(key.utf8), metadataDirective == .copy {
                throw ObjectStoreError(
                    .invalidRequest,
                    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
            }
            var copy = source
            copy.key = Array(key.utf8)
            copy.lastModified = lastModified
            if case .replace(let metadata) = metadataDirective { copy.metadata = metadata }
            // Retain before the replaced object releases: a copy onto itself shares its own chunks.
            try ChunkLedger.retain(txn, tables, copy.chunks)
            try self.replaceObject(txn, bucket: bucket, with: copy, &effects)
            return copy
        }
        return PutObjectResult(
            etag: record.etag.quoted, size: record.size, lastModified: Milliseconds.date(record.lastModified),
            checksums: record.checksums)
    }
}
