import Foundation

/// What HEAD returns about an object, and what listings return in part.
public struct ObjectInfo: Sendable, Hashable {
    public let key: String
    /// Bytes of data.
    public let size: Int
    /// The ETag in quotes, as S3 sends it: `"<md5 hex>"`, or `"<hex>-<parts>"` for an
    /// object made by a multipart upload.
    public let etag: String
    /// When the write that made this object committed (millisecond precision).
    public let lastModified: Date
    public let metadata: ObjectMetadata
    public let checksums: Checksums
    /// Number of parts for an object made by a multipart upload, else `nil`.
    public let partCount: Int?
}

/// An entry of a listing: an object without its metadata.
public struct ObjectSummary: Sendable, Hashable {
    public let key: String
    public let size: Int
    /// Quoted, as in `ObjectInfo`.
    public let etag: String
    public let lastModified: Date
}

/// Milliseconds since 1970, the resolution metadata stores times in.
enum Milliseconds {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
    static var now: Int64 { from(Date()) }
}

extension String {
    /// The ETag with its quotes, as S3 sends it.
    var quoted: String { "\"" + self + "\"" }

    /// An ETag as a client may send it: with or without quotes (and W/ never applies).
    var unquoted: String {
        var text = Substring(self)
        if text.hasPrefix("\"") { text = text.dropFirst() }
        if text.hasSuffix("\"") { text = text.dropLast() }
        return String(text)
    }
}
