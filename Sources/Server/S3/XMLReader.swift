/// A small, strict XML parser for S3 request bodies (CompleteMultipartUpload, Delete,
/// LifecycleConfiguration, CreateBucketConfiguration): elements, attributes, text,
/// comments and CDATA. It refuses what S3's documents never need and parsers get
/// attacked through: DTDs (`<!DOCTYPE`, hence no external or custom entities),
/// processing instructions other than the XML declaration, entity references other
/// than the five predefined ones and numeric references, invalid UTF-8, and more than
/// `maximumDepth` levels or `maximumElements` elements. Every refusal is
/// `MalformedXML`; nothing is allocated beyond the tree itself.
///
/// Rejected: Foundation's `XMLParser` (libxml2 underneath, entity expansion switches
/// and platform differences to audit) — a few hundred lines here are easier to trust.
struct XMLReader {
    /// One element: its local name (without a namespace prefix), its children and the
    /// concatenation of its text (untrimmed: keys may begin or end with spaces).
    struct Element: Sendable, Equatable {
        var name: String
        var attributes: [String: String] = [:]
        var children: [Element] = []
        var text = ""

        /// The first child called `name`.
        func child(_ name: String) -> Element? { children.first { $0.name == name } }

        /// Every child called `name`, in document order.
        func children(_ name: String) -> [Element] { children.filter { $0.name == name } }

        /// The text of the first child called `name`.
        func value(_ name: String) -> String? { child(name)?.text }
    }

    /// Nesting deeper than any S3 document needs (LifecycleConfiguration goes 5 levels).
    static let maximumDepth = 32
    /// Elements per document: 1000 deleted keys or 10,000 parts fit many times over.
    static let maximumElements = 100_000

    private let input: [UInt8]
    private var index = 0
    private var elements = 0

    private init(_ input: [UInt8]) { self.input = input }

    /// Parses a whole document and returns its root element.
    /// - Throws: `MalformedXML` for anything but one well-formed element (with an
    ///   optional declaration, comments and whitespace around it).
    static func parse(_ bytes: [UInt8]) throws(S3Error) -> Element {
        var reader = XMLReader(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        if reader.starts(with: "<?xml") {
            guard let end = reader.find("?>") else { throw .malformedXML }
            reader.index = end + 2
        }
        try reader.skipMisc()
        let root = try reader.element(depth: 1)
        try reader.skipMisc()
        guard reader.index == bytes.count else { throw .malformedXML }
        return root
    }

    private func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        return text.withUTF8Buffer { pattern in input[index..<index + count].elementsEqual(pattern) }
    }

    private func find(_ text: StaticString) -> Int? {
        text.withUTF8Buffer { pattern -> Int? in
            var position = index
            while position + pattern.count <= input.count {
                if input[position] == pattern[0], input[position..<position + pattern.count].elementsEqual(pattern) {
                    return position
                }
                position += 1
            }
            return nil
        }
    }

    private var current: UInt8? { index < input.count ? input[index] : nil }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private mutating func skipSpaces() {
        while let byte = current, Self.isSpace(byte) { index += 1 }
    }

    /// Whitespace and comments between top-level constructs.
    private mutating func skipMisc() throws(S3Error) {
        while true {
            skipSpaces()
            guard starts(with: "<!--") else { return }
            try skipComment()
        }
    }

    private mutating func skipComment() throws(S3Error) {
        index += 4
        guard let end = find("-->") else { throw .malformedXML }
        index = end + 3
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
            UInt8(ascii: ":"), 0x80...0xFF:
            true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): !first
        default: false
        }
    }

    private mutating func name() throws(S3Error) -> String {
        let start = index
        while let byte = current, Self.isNameByte(byte, first: index == start) { index += 1 }
        guard index > start, let name = String(validating: input[start..<index], as: UTF8.self) else { throw .malformedXML }
        return name
    }

    private mutating func element(depth: Int) throws(S3Error) -> Element {
        elements += 1
        guard depth <= Self.maximumDepth, elements <= Self.maximumElements, current == UInt8(ascii: "<") else {
            throw .malformedXML
        }
        index += 1
        let qualified = try name()
        var element = Element(name: String(qualified.split(separator: ":").last ?? Substring(qualified)))
        while true {
            let hadSpace = current.map(Self.isSpace) ?? false
            skipSpaces()
            if starts(with: "/>") {
                index += 2
                return element
            }
            if current == UInt8(ascii: ">") {
                index += 1
                break
            }
            guard hadSpace else { throw .malformedXML }
            let attribute = try name()
            skipSpaces()
            guard current == UInt8(ascii: "=") else { throw .malformedXML }
            index += 1
            skipSpaces()
            guard let quote = current, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw .malformedXML }
            index += 1
            let value = try characters(until: quote)
            index += 1
            guard element.attributes.updateValue(value, forKey: attribute) == nil else { throw .malformedXML }
        }
        var text: [UInt8] = []
        while true {
            guard index < input.count else { throw .malformedXML }
            if starts(with: "</") {
                element.text = try Self.string(text)
                index += 2
                guard try name() == qualified else { throw .malformedXML }
                skipSpaces()
                guard current == UInt8(ascii: ">") else { throw .malformedXML }
                index += 1
                return element
            } else if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<![CDATA[") {
                index += 9
                guard let end = find("]]>") else { throw .malformedXML }
                text.append(contentsOf: input[index..<end])
                index = end + 3
            } else if current == UInt8(ascii: "<") {
                element.children.append(try self.element(depth: depth + 1))
            } else {
                text.append(contentsOf: Array(try characters(until: UInt8(ascii: "<")).utf8))
            }
        }
    }

    /// Character data up to (not including) `terminator`, with references decoded.
    private mutating func characters(until terminator: UInt8) throws(S3Error) -> String {
        var bytes: [UInt8] = []
        while let byte = current, byte != terminator {
            if byte == UInt8(ascii: "&") {
                bytes.append(contentsOf: try reference())
            } else {
                guard byte >= 0x20 || Self.isSpace(byte), byte != UInt8(ascii: "<") else { throw .malformedXML }
                bytes.append(byte)
                index += 1
            }
        }
        guard current == terminator else { throw .malformedXML }
        return try Self.string(bytes)
    }

    /// `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` `&#NNN;` `&#xHH;`; anything else is refused.
    private mutating func reference() throws(S3Error) -> [UInt8] {
        guard let end = input[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw .malformedXML }
        let body = String(decoding: input[(index + 1)..<end], as: UTF8.self)
        index = end + 1
        switch body {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "apos": return [UInt8(ascii: "'")]
        case "quot": return [UInt8(ascii: "\"")]
        default:
            let value: UInt32?
            if body.hasPrefix("#x") {
                value = UInt32(body.dropFirst(2), radix: 16)
            } else if body.hasPrefix("#"), body.dropFirst().allSatisfy(\.isASCII) {
                value = UInt32(body.dropFirst(), radix: 10)
            } else {
                value = nil
            }
            guard let value, Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else { throw .malformedXML }
            return Array(String(Character(scalar)).utf8)
        }
    }

    /// XML 1.0's `Char` production.
    private static func isXMLCharacter(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value)
            || (0x10000...0x10FFFF).contains(value)
    }

    private static func string(_ bytes: [UInt8]) throws(S3Error) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformedXML }
        return text
    }
}
