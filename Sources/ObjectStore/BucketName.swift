/// S3's bucket naming rules (general purpose buckets).
///
/// A name is 3–63 characters of lowercase letters, digits, dots and hyphens; it starts
/// and ends with a letter or digit; it has no `..` and, since each dot-separated label
/// must itself start and end with a letter or digit (the DNS rule virtual-host-style
/// addressing relies on), no `.-` or `-.`; it is not formatted as an IPv4 address; and
/// it avoids the prefixes and suffixes AWS reserves (`xn--`, `sthree-`, `-s3alias`,
/// `--ol-s3`, ...).
public enum BucketName {
    private static let reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
    private static let reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]

    /// Whether `name` is a valid bucket name. O(n).
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard let first = label.first, let last = label.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        }
        let looksLikeIPAddress = labels.count == 4 && labels.allSatisfy { label in
            label.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        if looksLikeIPAddress { return false }
        if reservedPrefixes.contains(where: name.hasPrefix) || reservedSuffixes.contains(where: name.hasSuffix) { return false }
        return true
    }

    /// - Throws: `InvalidBucketName` unless `isValid(name)`.
    static func validate(_ name: String) throws(ObjectStoreError) {
        guard isValid(name) else { throw ObjectStoreError(.invalidBucketName, "The specified bucket is not valid: \(name)") }
    }
}
