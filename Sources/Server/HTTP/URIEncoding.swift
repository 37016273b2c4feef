/// Percent-encoding as S3 and Signature Version 4 use it, and as CouchDB writes URLs.
enum URIEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Whether SigV4's UriEncode leaves `byte` as it is: A–Z, a–z, 0–9, `-`, `.`, `_`, `~`.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// AWS's `UriEncode`: every UTF-8 byte but the unreserved ones becomes `%XY` (uppercase
    /// hex); `/` stays as it is when `keepSlash` (object key names in URIs and listings).
    static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        encode(text) { isUnreserved($0) || (keepSlash && $0 == UInt8(ascii: "/")) }
    }

    /// CouchDB's `couch_util:url_encode` (`Location` headers): A–Z, a–z, 0–9, `_`, `.`,
    /// `-` and `:` stay; everything else, `/` and `~` included, becomes `%XY`.
    static func encodeCouch(_ text: some StringProtocol) -> String {
        encode(text) { byte in byte != UInt8(ascii: "~") && (isUnreserved(byte) || byte == UInt8(ascii: ":")) }
    }

    private static func encode(_ text: some StringProtocol, keeping keep: (UInt8) -> Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes `%XY` escapes (and `+` as a space when `plusAsSpace`, the form encoding
    /// of `x-amz-copy-source` is not; query strings in S3 keep `+`).
    /// - Returns: `nil` for a malformed escape or a result that is not UTF-8.
    static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        guard needsDecoding(text, plusAsSpace: plusAsSpace) else { return String(text) }
        return decodedBytes(text, plusAsSpace: plusAsSpace, keepInvalid: false).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Decodes CouchDB URL paths and queries as mochiweb does: `%XY` escapes, `+` as a
    /// space when `plusAsSpace` (CouchDB reads `PUT /db/a+b` as the id "a b"); a malformed
    /// escape stays as it is.
    static func decodeLeniently(_ text: some StringProtocol, plusAsSpace: Bool) -> String {
        guard needsDecoding(text, plusAsSpace: plusAsSpace) else { return String(text) }
        return String(decoding: decodedBytes(text, plusAsSpace: plusAsSpace, keepInvalid: true)!, as: UTF8.self)
    }

    private static func needsDecoding(_ text: some StringProtocol, plusAsSpace: Bool) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }
    }

    /// - Returns: nil for a malformed escape unless `keepInvalid`.
    private static func decodedBytes(_ text: some StringProtocol, plusAsSpace: Bool, keepInvalid: Bool) -> [UInt8]? {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else if byte == UInt8(ascii: "%") && !keepInvalid {
                return nil
            } else {
                output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return output
    }

    /// The value of one hex digit (either case), or `nil`.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lowercase hex of `bytes`, as SigV4 writes hashes and signatures.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of a hex string (either case), or `nil`.
    static func bytes(hex text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
