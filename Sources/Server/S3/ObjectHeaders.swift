import Foundation
import HTTPTypes
import ObjectStore

/// Translation between S3's object headers and `ObjectMetadata` / `ObjectInfo`, and the
/// conditional-request rules of GET, HEAD and copies.
enum ObjectHeaders {
    /// S3's limit on user metadata: names and values of `x-amz-meta-*`, in UTF-8 bytes.
    static let maximumUserMetadata = 2048

    /// The metadata a PUT, copy (REPLACE) or CreateMultipartUpload stores.
    /// - Throws: `MetadataTooLarge` beyond 2 KB of user metadata.
    static func metadata(_ request: S3Request) throws(S3Error) -> ObjectMetadata {
        var metadata = ObjectMetadata()
        metadata.contentType = request.header(.contentType)
        metadata.contentEncoding = request.header(.contentEncoding).flatMap { value in
            // aws-chunked describes the upload, not the object: S3 does not store it.
            let kept = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "aws-chunked" }
            return kept.isEmpty ? nil : kept.joined(separator: ",")
        }
        metadata.contentDisposition = request.header(.contentDisposition)
        metadata.contentLanguage = request.header(.contentLanguage)
        metadata.cacheControl = request.header(.cacheControl)
        metadata.expires = request.header(.expires)
        var size = 0
        for field in request.headers where field.name.canonicalName.hasPrefix("x-amz-meta-") {
            let name = String(field.name.canonicalName.dropFirst("x-amz-meta-".count))
            size += name.utf8.count + field.value.utf8.count
            metadata.userMetadata.append(MetadataEntry(name: name, value: field.value))
        }
        guard size <= maximumUserMetadata else {
            throw S3Error(.badRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")
        }
        return metadata
    }

    /// The headers of a GET or HEAD answer: validators, stored metadata, checksums when
    /// asked for (`x-amz-checksum-mode: ENABLED`, whole object only, as S3), and the
    /// `response-*` overrides of the query.
    static func fields(_ info: ObjectInfo, request: S3Request, wholeObject: Bool) -> HTTPFields {
        var fields: HTTPFields = [:]
        fields[.eTag] = info.etag
        fields[.lastModified] = HTTPDate.format(info.lastModified)
        fields[.acceptRanges] = "bytes"
        let metadata = info.metadata
        fields[.contentType] = metadata.contentType ?? "binary/octet-stream"
        fields[.contentEncoding] = metadata.contentEncoding
        fields[.contentDisposition] = metadata.contentDisposition
        fields[.contentLanguage] = metadata.contentLanguage
        fields[.cacheControl] = metadata.cacheControl
        fields[.expires] = metadata.expires
        for entry in metadata.userMetadata {
            if let name = HTTPField.Name("x-amz-meta-" + entry.name) { fields.append(HTTPField(name: name, value: entry.value)) }
        }
        if let parts = info.partCount, let name = HTTPField.Name("x-amz-mp-parts-count"), request.has("partNumber") {
            fields[name] = String(parts)
        }
        if wholeObject, request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" {
            addChecksums(info.checksums, to: &fields)
        }
        let overrides: [(String, HTTPField.Name)] = [
            ("response-content-type", .contentType), ("response-content-language", .contentLanguage),
            ("response-expires", .expires), ("response-cache-control", .cacheControl),
            ("response-content-disposition", .contentDisposition), ("response-content-encoding", .contentEncoding),
        ]
        for (parameter, name) in overrides {
            if let value = request.parameter(parameter) { fields[name] = value }
        }
        return fields
    }

    /// `x-amz-checksum-<algorithm>` for each stored checksum, and `x-amz-checksum-type`.
    static func addChecksums(_ checksums: Checksums, to fields: inout HTTPFields) {
        guard !checksums.isEmpty else { return }
        for algorithm in ChecksumAlgorithm.allCases {
            if let value = checksums[algorithm], let name = HTTPField.Name("x-amz-checksum-\(algorithm.rawValue.lowercased())") {
                fields[name] = value
            }
        }
        if let name = HTTPField.Name("x-amz-checksum-type") { fields[name] = checksums.type.rawValue }
    }

    /// The XML elements `ChecksumCRC32`, … for stored checksums.
    static func writeChecksums(_ checksums: Checksums, _ xml: inout XMLWriter, type: Bool = true) {
        for algorithm in ChecksumAlgorithm.allCases {
            xml.optional("Checksum\(algorithm.rawValue)", checksums[algorithm])
        }
        if type, !checksums.isEmpty { xml.element("ChecksumType", checksums.type.rawValue) }
    }

    /// GET and HEAD preconditions (RFC 9110 order, as S3 applies them): If-Match, else
    /// If-Unmodified-Since, fail with 412; If-None-Match, else If-Modified-Since, answer 304.
    static func checkConditions(_ request: S3Request, _ info: ObjectInfo) throws(S3Error) {
        let modified = info.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = request.header(.ifMatch) {
            guard matches(ifMatch, info.etag) else { throw .preconditionFailed }
        } else if let text = request.header(.ifUnmodifiedSince), let date = HTTPDate.parse(text),
            modified > date.timeIntervalSince1970
        {
            throw .preconditionFailed
        }
        var notModified = false
        if let ifNoneMatch = request.header(.ifNoneMatch) {
            notModified = matches(ifNoneMatch, info.etag)
        } else if let text = request.header(.ifModifiedSince), let date = HTTPDate.parse(text) {
            notModified = modified <= date.timeIntervalSince1970
        }
        if notModified {
            var error = S3Error.notModified
            error.headers[.eTag] = info.etag
            error.headers[.lastModified] = HTTPDate.format(info.lastModified)
            throw error
        }
    }

    /// `x-amz-copy-source-if-*`: every failed condition is 412 for a copy.
    static func checkCopySource(_ request: S3Request, _ info: ObjectInfo) throws(S3Error) {
        let modified = info.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = request.header("x-amz-copy-source-if-match") {
            guard matches(ifMatch, info.etag) else { throw .preconditionFailed }
        } else if let text = request.header("x-amz-copy-source-if-unmodified-since"), let date = HTTPDate.parse(text),
            modified > date.timeIntervalSince1970
        {
            throw .preconditionFailed
        }
        if let ifNoneMatch = request.header("x-amz-copy-source-if-none-match") {
            guard !matches(ifNoneMatch, info.etag) else { throw .preconditionFailed }
        } else if let text = request.header("x-amz-copy-source-if-modified-since"), let date = HTTPDate.parse(text),
            modified <= date.timeIntervalSince1970
        {
            throw .preconditionFailed
        }
    }

    /// Whether a list of entity tags (`"a", "b"`, or `*`) names `etag`; quotes and the
    /// weak prefix `W/` are ignored.
    static func matches(_ list: String, _ etag: String) -> Bool {
        let bare = etag.trimmingCharacters(in: ["\""])
        return list.split(separator: ",").contains { candidate in
            var value = candidate.trimmingCharacters(in: .whitespaces)
            if value == "*" { return true }
            if value.hasPrefix("W/") { value.removeFirst(2) }
            return value.trimmingCharacters(in: ["\""]) == bare
        }
    }

    /// A `Range` header S3 honours: one `bytes=` range. Anything else — several ranges,
    /// other units, bad syntax — is ignored and the whole object served, as S3 does.
    static func range(_ header: String?) -> ByteRange? {
        guard let header, header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        switch (Int(first), Int(last)) {
        case (let first?, let last?) where first >= 0 && last >= first: return .bounded(first: first, last: last)
        case (let first?, nil) where last.isEmpty && first >= 0: return .from(first)
        case (nil, let count?) where first.isEmpty && count >= 0: return .suffix(count)
        default: return nil
        }
    }
}
