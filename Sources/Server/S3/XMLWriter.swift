/// Builds an XML response document with proper escaping. Element names are the
/// caller's constants; only text is escaped.
struct XMLWriter {
    /// S3's namespace, on the root element of every response but errors.
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// Opens an element; the root of a response carries S3's namespace.
    mutating func open(_ name: String, namespace: Bool = true) {
        text += namespace ? "<\(name) xmlns=\"\(Self.namespace)\">" : "<\(name)>"
    }

    /// Closes the element opened with `open(name)`.
    mutating func close(_ name: String) { text += "</\(name)>" }

    /// A text element: `<name>escaped value</name>`.
    mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>"
        text += Self.escape(value)
        text += "</\(name)>"
    }

    /// A number or boolean element (nothing to escape).
    mutating func element(_ name: String, _ value: Int) { text += "<\(name)>\(value)</\(name)>" }

    mutating func element(_ name: String, _ value: Bool) { text += "<\(name)>\(value)</\(name)>" }

    /// The element only when there is a value.
    mutating func optional(_ name: String, _ value: String?) {
        if let value { element(name, value) }
    }

    /// An element around what `content` writes.
    mutating func element(_ name: String, _ content: (inout XMLWriter) -> Void) {
        open(name, namespace: false)
        content(&self)
        close(name)
    }

    /// Escapes the five XML specials; control characters that XML 1.0 cannot carry
    /// literally become character references (clients that need exact keys ask for
    /// `encoding-type=url`, as with S3).
    static func escape(_ value: String) -> String {
        var needsWork = false
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        {
            needsWork = true
            break
        }
        guard needsWork else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: escaped += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

extension XMLWriter {
    /// Text inside the open element: escaped, or as given when `raw` (constant markup).
    mutating func append(_ value: String, raw: Bool = false) {
        text += raw ? value : Self.escape(value)
    }
}
