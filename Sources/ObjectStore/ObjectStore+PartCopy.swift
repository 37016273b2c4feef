import LMDB

extension ObjectStore {
    /// Makes a part from a range of an existing object (UploadPartCopy).
    ///
    /// Chunks the range covers whole are shared with the source (their reference counts
    /// grow); the partial chunks at its ends are copied into new chunks. The bytes are
    /// still read once, because the part's ETag is the MD5 of its bytes, except when the
    /// whole of a single-part object is copied (its ETag is that MD5 already, and with
    /// its checksums the part needs nothing else).
    ///
    /// The source is read from a pinned snapshot; if it is deleted before the part
    /// commits, the copy starts over from a new snapshot (and fails with `NoSuchKey` if
    /// the source is gone).
    ///
    /// - Parameters:
    ///   - range: `x-amz-copy-source-range`, or `nil` for the whole object.
    ///   - precondition: checks the source (`x-amz-copy-source-if-*`); rethrows.
    /// - Throws: `NoSuchBucket`, `NoSuchKey`, `NoSuchUpload`, `InvalidArgument` (part
    ///   number), `InvalidRange`, `InvalidRequest` (range larger than `maximumPartSize`).
    @discardableResult
    public func uploadPartCopy(
        bucket: String, key: String, uploadID: UploadID, partNumber: Int,
        sourceBucket: String, sourceKey: String, range: ByteRange? = nil,
        precondition: (@Sendable (ObjectInfo) throws -> Void)? = nil
    ) async throws -> PartResult {
        try Self.validatePartNumber(partNumber)
        try ObjectIndex.validate(key)
        try ObjectIndex.validate(sourceKey)
        let upload = try environment.read { txn in try requireUpload(txn, bucket: bucket, key: key, uploadID: uploadID) }
        let algorithms: Set<ChecksumAlgorithm> = upload.checksumAlgorithm.map { [$0] } ?? []
        while true {
            let ((source, resolved, slices), lease) = try pins.snapshot(environment) { txn in
                let record = try readObject(txn, bucket: sourceBucket, key: Array(sourceKey.utf8))
                let resolved = try range?.resolved(size: record.size)
                let whole = record.size == 0 ? nil : 0...(record.size - 1)
                let slices = (resolved ?? whole).map { ChunkSlice.covering($0, of: record.chunks) } ?? []
                return ((record, resolved, slices), slices.map(\.chunk.id))
            }
            defer { lease.release() }
            try precondition?(source.info)
            let size = slices.reduce(0) { $0 + $1.upper - $1.lower }
            guard size <= configuration.maximumPartSize else {
                throw ObjectStoreError(
                    .invalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: \(configuration.maximumPartSize)")
            }
            let (part, newChunks, sharedChunks) = try await copy(
                slices, of: source, wholeObject: resolved == nil || (source.size > 0 && resolved == 0...(source.size - 1)),
                algorithms: algorithms)
            do {
                try await commitPart(
                    part, newChunks: newChunks, sharedChunks: sharedChunks,
                    bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber)
                return part.result
            } catch is StaleSnapshot {
                await chunkWriter.discard(newChunks)  // the source changed under us: start over
            } catch {
                await chunkWriter.discard(newChunks)
                throw error
            }
        }
    }

    /// Builds the part's record: shares whole slices, writes partial ones as new chunks.
    private func copy(
        _ slices: [ChunkSlice], of source: ObjectRecord, wholeObject: Bool, algorithms: Set<ChecksumAlgorithm>
    ) async throws -> (part: PartRecord, newChunks: [ChunkReference], sharedChunks: [ChunkReference]) {
        let now = Milliseconds.now
        let size = slices.reduce(0) { $0 + $1.upper - $1.lower }
        let knownMD5 = source.partSizes.isEmpty ? Hex.decode(source.etag) : nil
        if wholeObject, let knownMD5, source.checksums.type == .fullObject,
            algorithms.allSatisfy({ source.checksums[$0] != nil })
        {
            var checksums = Checksums()
            for algorithm in algorithms { checksums[algorithm] = source.checksums[algorithm] }
            let chunks = slices.map(\.chunk)
            return (PartRecord(size: size, md5: knownMD5, lastModified: now, checksums: checksums, chunks: chunks), [], chunks)
        }
        var digest = BodyDigest(checksums: algorithms)
        var chunks: [ChunkReference] = []
        var newChunks: [ChunkReference] = []
        do {
            for slice in slices {
                let files = files
                let bytes = try await Blocking.run { try slice.read(files) }
                bytes.withUnsafeBytes { digest.update($0) }
                if slice.isWhole {
                    chunks.append(slice.chunk)
                } else {
                    let chunk = try await chunkWriter.write(bytes)
                    newChunks.append(chunk)
                    chunks.append(chunk)
                }
            }
        } catch {
            await chunkWriter.discard(newChunks)
            throw error
        }
        let result = digest.finalize()
        let part = PartRecord(size: size, md5: result.md5, lastModified: now, checksums: result.stored(algorithms), chunks: chunks)
        return (part, newChunks, chunks.filter { chunk in !newChunks.contains(chunk) })
    }
}
