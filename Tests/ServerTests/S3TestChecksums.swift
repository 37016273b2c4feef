import Crypto
import Foundation

/// CRC-32 (zlib's polynomial) computed bit by bit: an implementation independent of the
/// server's, to produce the values clients send.
/// `castagnoli` selects CRC-32C (`x-amz-checksum-crc32c`).
enum TestCRC32 {
    static func value(_ bytes: [UInt8], castagnoli: Bool = false) -> UInt32 {
        let polynomial: UInt32 = castagnoli ? 0x82F6_3B78 : 0xEDB8_8320
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        }
        return ~crc
    }

    /// Big-endian, base64, as `x-amz-checksum-crc32` carries it.
    static func base64(_ bytes: [UInt8], castagnoli: Bool = false) -> String {
        withUnsafeBytes(of: value(bytes, castagnoli: castagnoli).bigEndian) { Data($0).base64EncodedString() }
    }
}

enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
