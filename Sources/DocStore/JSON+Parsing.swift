extension JSON {
    /// Parses one JSON document from raw bytes (RFC 8259, as strict as CouchDB's jiffy).
    ///
    /// Any value type is accepted at top level; surrounding whitespace is allowed, anything else
    /// after the value is an error. Nesting beyond `maxDepth` containers throws instead of
    /// overflowing the stack. Strings must be valid UTF-8; lone surrogate escapes become U+FFFD;
    /// numbers keep their literal text. O(n) in the input size.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 512) throws(JSONError) -> JSON {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(message: "unexpected end of input", offset: 0)
        }
        var parser = JSONParser(base, count: bytes.count, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses one JSON document from a byte array; see `parse(_:maxDepth:)` on raw buffers. O(n).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONError) -> JSON {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSON in try parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Parses one JSON document from a string's UTF-8; see `parse(_:maxDepth:)` on raw buffers. O(n).
    public static func parse(_ string: String, maxDepth: Int = 512) throws(JSONError) -> JSON {
        var string = string
        let result = string.withUTF8 { utf8 in
            Result { () throws(JSONError) -> JSON in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }
        return try result.get()
    }
}
