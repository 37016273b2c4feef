/// CouchDB's rule for database names: `^[a-z][a-z0-9_$()+/-]*$`, at most 238 characters,
/// plus the system databases whose names start with `_`.
public enum DatabaseName {
    public static let maximumLength = 238
    /// System databases CouchDB creates or accepts despite the leading underscore.
    public static let systemNames: Set<String> = ["_users", "_replicator", "_global_changes"]

    /// Throws `illegal_database_name` with CouchDB's reason when `name` is not allowed.
    public static func validate(_ name: String) throws(DocStoreError) {
        if systemNames.contains(name) { return }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first >= 0x61, first <= 0x7A, bytes.count <= maximumLength,
            bytes.allSatisfy(isAllowed)
        else {
            throw DocStoreError(
                .illegalDatabaseName,
                "Name: '\(name)'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter."
            )
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x61...0x7A, 0x30...0x39: return true
        case UInt8(ascii: "_"), UInt8(ascii: "$"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default: return false
        }
    }

    /// The file name a database is stored under: `/` is the only allowed character a
    /// file name cannot hold, and `%` cannot occur in a name, so `%2f` is unambiguous.
    static func fileName(for name: String) -> String {
        name.replacingAll("/", with: "%2f") + ".couch.mdb"
    }

    /// The database name stored in `fileName`, or `nil` for other files.
    static func name(fromFileName fileName: String) -> String? {
        let suffix = ".couch.mdb"
        guard fileName.hasSuffix(suffix) else { return nil }
        return String(fileName.dropLast(suffix.count)).replacingAll("%2f", with: "/")
    }
}

extension String {
    /// Replaces every occurrence of `target` (Foundation-free).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
