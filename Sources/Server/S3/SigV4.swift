import Crypto
import Foundation

/// AWS Signature Version 4 as S3 uses it: the canonical request, the string to sign,
/// the signing key chain and the chained signatures of `aws-chunked` bodies. Pure
/// functions; `S3Authenticator` applies them to requests.
///
/// The canonical request is, line by line: the method; the URI (each path segment
/// URI-encoded once — S3 does not double-encode); the query (parameters URI-encoded and
/// sorted by name, then value); one `name:value` line per signed header (lowercase
/// names, values trimmed with inner runs of spaces collapsed, repeated headers joined
/// by commas); an empty line; the signed header names joined by `;`; the payload hash.
enum SigV4 {
    /// The algorithm name in headers, query parameters and strings to sign.
    static let algorithm = "AWS4-HMAC-SHA256"
    /// Hex SHA-256 of no bytes: the hash of an empty chunk or body.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The key for `date` (`yyyyMMdd`), `region` and `service`: HMAC-SHA256 chained from
    /// `"AWS4" + secret` through date, region, service and `aws4_request`.
    static func signingKey(secret: String, date: String, region: String, service: String = "s3") -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// Hex HMAC-SHA256 of `stringToSign`: a signature.
    static func signature(_ key: SymmetricKey, _ stringToSign: String) -> String {
        URIEncoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// Lowercase hex SHA-256, as canonical requests and payload hashes write it.
    static func sha256Hex(_ bytes: some DataProtocol) -> String { URIEncoding.hex(SHA256.hash(data: bytes)) }

    /// The canonical URI of a raw request path: every segment percent-decoded, then
    /// encoded once with `UriEncode` (slashes between segments kept, empty segments too).
    /// A segment with a malformed escape is kept as sent.
    static func canonicalURI(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        return rawPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { segment in URIEncoding.decode(segment).map { URIEncoding.encode($0) } ?? String(segment) }
            .joined(separator: "/")
    }

    /// The canonical query string of decoded parameters: each name and value encoded,
    /// sorted by encoded name and then value, joined with `&` (a parameter without a
    /// value gets `name=`).
    static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = parameters.map { parameter in
            (URIEncoding.encode(parameter.name), URIEncoding.encode(parameter.value))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { parameter in parameter.name + "=" + parameter.value }.joined(separator: "&")
    }

    /// A header's canonical value: each value trimmed, runs of spaces collapsed, joined by `,`.
    static func canonicalValue(_ values: [String]) -> String {
        values.map { value in
            value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }.joined(separator: ",")
    }

    /// The canonical request. `headers` are the signed headers, lowercase names with
    /// canonical values, in the order of `signedHeaders`.
    static func canonicalRequest(
        method: String, uri: String, query: String, headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        var lines = [method, uri, query]
        lines.append(contentsOf: headers.map { "\($0.name):\($0.value)" })
        lines.append("")
        lines.append(headers.map(\.name).joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    /// `AWS4-HMAC-SHA256`, the timestamp, the scope and the hex hash of the canonical request.
    static func stringToSign(timestamp: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, timestamp, scope, sha256Hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// What an `aws-chunked` chunk's signature signs: the previous signature (the seed
    /// for the first chunk) chains the chunks together, so none can be dropped, reordered
    /// or replaced.
    static func chunkStringToSign(timestamp: String, scope: String, previous: String, chunkHash: String) -> String {
        ["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, emptySHA256, chunkHash].joined(separator: "\n")
    }

    /// What the trailer signature signs; `trailerHash` is the hex SHA-256 of the trailer
    /// lines, each `name:value\n`.
    static func trailerStringToSign(timestamp: String, scope: String, previous: String, trailerHash: String) -> String {
        ["AWS4-HMAC-SHA256-TRAILER", timestamp, scope, previous, trailerHash].joined(separator: "\n")
    }

    /// Compares two signatures in time independent of where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
