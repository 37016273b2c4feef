import Crypto
import Gzip
import LMDB

extension DocumentDatabase {
    /// Streams bytes into the database as a staged attachment, a chunk at a time, so
    /// memory stays bounded whatever the size. Name the result in an update's
    /// `AttachmentInput.staged`; bytes that no committed update takes are removed.
    ///
    /// Chunks are buffered up to `flushSize` and written in their own group commits.
    ///
    /// - Parameters:
    ///   - contentType: identity bytes of a compressible type (`Configuration.isCompressible`)
    ///     are stored gzip-encoded, as CouchDB stores them.
    ///   - encoding: the encoding `bytes` arrive in. gzip bytes are stored as they are.
    ///   - identityLength: the decoded length of gzip bytes, when the sender declared it
    ///     (a replicated attachment's `length`); otherwise the stored length stands in,
    ///     as in CouchDB.
    public func stageAttachment<Bytes: AsyncSequence>(
        _ bytes: Bytes, contentType: String? = nil, encoding: AttachmentEncoding = .identity, identityLength: Int? = nil,
        flushSize: Int = 8 << 20
    ) async throws -> StagedAttachment where Bytes.Element == [UInt8] {
        let compress = encoding == .identity && contentType.map(configuration.isCompressible) == true
        let encoder = compress ? GzipEncoder(level: configuration.attachmentCompressionLevel) : nil
        let chunkSize = configuration.attachmentChunkSize
        let blob = try await write { _, batch in
            let blob = batch.nextBlob
            batch.nextBlob += 1
            return blob
        }
        var md5 = Insecure.MD5()
        var length = 0
        var storedLength = 0
        var pending: [UInt8] = []
        var nextChunk = 0
        var created = false
        func flush(final: Bool) async throws(DocStoreError) {
            let cut = final ? pending.count : pending.count - pending.count % chunkSize
            guard cut > 0 || (final && !created) else { return }
            let toWrite = Array(pending[..<cut])
            pending.removeFirst(cut)
            let first = nextChunk
            let isNew = !created
            nextChunk += (cut + chunkSize - 1) / chunkSize
            created = true
            try await write { txn, _ in
                let store = BlobStore(tables: self.tables)
                if isNew { try store.create(txn, blob, chunkSize: chunkSize) }
                guard try store.header(txn, blob) != nil else { throw DocStoreError(.storage, "staged attachment vanished") }
                try toWrite.withUnsafeBytes { all in
                    var offset = 0
                    var index = first
                    while offset < all.count {
                        let end = min(offset + chunkSize, all.count)
                        try store.appendChunk(txn, blob, index: index, bytes: UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                        offset = end
                        index += 1
                    }
                }
            }
        }
        func store(_ piece: [UInt8]) {
            md5.update(data: piece)
            storedLength += piece.count
            pending.append(contentsOf: piece)
        }
        for try await piece in bytes {
            length += piece.count
            store(encoder?.update(piece) ?? piece)
            if pending.count >= flushSize { try await flush(final: false) }
        }
        if let encoder { store(encoder.finish()) }
        try await flush(final: true)
        let stored: AttachmentEncoding = compress ? .gzip : encoding
        return StagedAttachment(
            blob: blob, digest: "md5-" + Base64.encode(Array(md5.finalize())),
            length: encoding == .gzip ? identityLength ?? storedLength : length, encoding: stored, encodedLength: storedLength)
    }

    /// The stored information of attachment `name` of the winning revision (or
    /// `revision`). - Throws: `not_found` for a missing document, revision or attachment.
    public func attachment(_ id: String, name: String, revision: Revision? = nil) throws(DocStoreError) -> AttachmentInfo {
        var options = DocumentReadOptions()
        options.revision = revision
        let document = try document(id, options: options)
        guard let attachment = document.attachments.first(where: { $0.name.hasSameBytes(as: name) }) else {
            throw DocStoreError(.notFound, "Document is missing attachment")
        }
        return attachment
    }

    /// Reads an attachment decoded (gunzipped when stored gzip-encoded), calling `body`
    /// a piece at a time; memory stays at about one piece.
    /// - Throws: `storage` when stored gzip bytes do not decode.
    public func readDecodedAttachment(_ attachment: AttachmentInfo, _ body: ([UInt8]) async throws -> Void) async throws {
        guard attachment.encoding == .gzip else { return try await readAttachment(attachment, body) }
        let decoder = GzipDecoder()
        do {
            try await readAttachment(attachment) { piece in
                let decoded = try decoder.update(piece)
                if !decoded.isEmpty { try await body(decoded) }
            }
            try decoder.finish()
        } catch let error as GzipError {
            throw DocStoreError(.storage, "attachment \(attachment.name) does not decode: \(error.message)")
        }
    }

    /// An attachment's bytes decoded, whole. O(length): for inline `data` only.
    func decodedAttachmentBytes(_ attachment: AttachmentInfo, stored: [UInt8]) throws(DocStoreError) -> [UInt8] {
        guard attachment.encoding == .gzip else { return stored }
        do {
            return try GzipDecoder.decompress(stored)
        } catch {
            throw DocStoreError(.storage, "attachment \(attachment.name) does not decode: \(error.message)")
        }
    }

    /// Reads `range` of an attachment's stored bytes, calling `body` a piece at a time (each
    /// a fresh array: nothing points into the map once `body` returns). Each piece is
    /// read in its own short snapshot, so a slow consumer holds no read transaction open.
    /// - Throws: `not_found` when the attachment's bytes are gone (its revision was
    ///   replaced and no revision keeps them).
    public func readAttachment(
        _ attachment: AttachmentInfo, range: Range<Int>? = nil, chunksPerRead: Int = 4,
        _ body: ([UInt8]) async throws -> Void
    ) async throws {
        let wanted = range ?? 0..<attachment.encodedLength
        let step = configuration.attachmentChunkSize * chunksPerRead
        var offset = wanted.lowerBound
        while offset < wanted.upperBound {
            let end = min(offset + step, wanted.upperBound)
            try await body(try attachmentBytes(attachment, range: offset..<end))
            offset = end
        }
    }

    /// The stored bytes of `range` of an attachment, read in one snapshot. O(range length).
    public func attachmentBytes(_ attachment: AttachmentInfo, range: Range<Int>) throws(DocStoreError) -> [UInt8] {
        try read { txn in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.count)
            try BlobStore(tables: tables).read(txn, attachment.blob, range: range) { bytes.append(contentsOf: $0) }
            return bytes
        }
    }

    /// The size of the pieces `AttachmentByteStream`-style readers should ask for.
    public var attachmentReadSize: Int { configuration.attachmentChunkSize * 4 }
}
