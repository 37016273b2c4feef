import Foundation

/// The ustar format, as far as app exports need it: regular files with short names,
/// written entry by entry and read back incrementally, so neither side holds more than
/// one entry.
enum TarArchive {
    static let blockSize = 512

    /// One file entry: its header, its bytes, and padding to a whole block.
    static func entry(name: String, bytes: [UInt8], modified: Int = 0) -> [UInt8] {
        precondition(name.utf8.count < 100, "tar entry names are short here")
        var header = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset)
        }
        put(name, at: 0)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(bytes.count, at: 124, width: 12)
        octal(modified, at: 136, width: 12)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        // The checksum counts its own field as eight spaces.
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let sum = header.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - digits.count) + digits, at: 148)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        let padding = (blockSize - bytes.count % blockSize) % blockSize
        return header + bytes + [UInt8](repeating: 0, count: padding)
    }

    /// What ends an archive: two zero blocks.
    static let end = [UInt8](repeating: 0, count: 2 * blockSize)

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    /// Takes an archive's bytes as they come and hands out whole entries.
    struct Reader {
        private var buffer: [UInt8] = []
        private var finished = false
        /// The largest entry accepted (an export's entries are batches of documents).
        let maxEntrySize: Int

        init(maxEntrySize: Int) { self.maxEntrySize = maxEntrySize }

        /// Appends bytes; returns the entries now complete, in order.
        mutating func feed(_ bytes: [UInt8]) throws(FormatError) -> [(name: String, bytes: [UInt8])] {
            buffer += bytes
            var entries: [(name: String, bytes: [UInt8])] = []
            var offset = 0
            while !finished, buffer.count - offset >= blockSize {
                let header = buffer[offset..<offset + blockSize]
                if header.allSatisfy({ $0 == 0 }) {
                    finished = true
                    break
                }
                let stored = Self.field(header, 148, 8)
                let expected = header.enumerated().reduce(0) { sum, pair in
                    sum + ((148..<156).contains(pair.offset) ? Int(UInt8(ascii: " ")) : Int(pair.element))
                }
                guard let checksum = Int(stored.trimmingCharacters(in: .whitespaces), radix: 8), checksum == expected else {
                    throw FormatError(description: "not a tar archive (bad header checksum)")
                }
                guard let size = Int(Self.field(header, 124, 12).trimmingCharacters(in: .whitespaces), radix: 8), size >= 0 else {
                    throw FormatError(description: "bad entry size")
                }
                guard size <= maxEntrySize else { throw FormatError(description: "an entry is larger than \(maxEntrySize) bytes") }
                let padded = size + (blockSize - size % blockSize) % blockSize
                guard buffer.count - offset >= blockSize + padded else { break }
                let body = Array(buffer[(offset + blockSize)..<(offset + blockSize + size)])
                let type = header[header.startIndex + 156]
                if type == UInt8(ascii: "0") || type == 0 {
                    let prefix = Self.field(header, 345, 155)
                    let name = Self.field(header, 0, 100)
                    entries.append((prefix.isEmpty ? name : prefix + "/" + name, body))
                }
                offset += blockSize + padded
            }
            buffer.removeFirst(offset)
            return entries
        }

        /// True once the end-of-archive block was read.
        var isFinished: Bool { finished }

        private static func field(_ header: ArraySlice<UInt8>, _ offset: Int, _ length: Int) -> String {
            let start = header.startIndex + offset
            let bytes = header[start..<start + length].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
