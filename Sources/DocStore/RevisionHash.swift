import Crypto

/// Deterministic revision ids: the same edit (same parent, deleted flag, body and
/// attachments) made on two nodes yields the same revision, so replicating it back
/// and forth creates no spurious conflict.
public enum RevisionHash {
    /// MD5 over the parent revision, the deleted flag, the serialized body and the
    /// attachments' names and digests (sorted by name), as 32 lowercase hex digits.
    static func compute(parent: Revision?, deleted: Bool, body: [UInt8], attachments: [AttachmentInfo]) -> String {
        var md5 = Insecure.MD5()
        md5.update(data: [deleted ? 1 : 0])
        md5.update(data: Array((parent?.description ?? "").utf8) + [0])
        md5.update(data: body)
        for attachment in attachments.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            md5.update(data: [0] + Array(attachment.name.utf8) + [0] + Array(attachment.digest.utf8))
        }
        return hex(md5.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(32)
        for byte in digest {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// CouchDB's attachment digest: `md5-` and the base64 of the MD5 of the bytes.
    public static func attachmentDigest(_ bytes: some Collection<UInt8>) -> String {
        var md5 = Insecure.MD5()
        bytes.withContiguousStorageIfAvailable { md5.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            ?? md5.update(data: Array(bytes))
        return "md5-" + Base64.encode(Array(md5.finalize()))
    }
}
