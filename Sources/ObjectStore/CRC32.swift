/// CRC-32 checksums as S3 computes them for `x-amz-checksum-crc32` (the ISO-HDLC
/// polynomial of zlib and Ethernet) and `x-amz-checksum-crc32c` (Castagnoli), written
/// big-endian and base64-encoded on the wire.
///
/// Slice-by-8: each step folds eight input bytes through eight 256-entry tables, about
/// eight times fewer dependent operations than the byte-wise table method. The tables
/// are built once per process and shared (read-only) by every thread. A value is a
/// plain struct: one per stream, not shared while it is updated.
struct CRC32: Sendable {
    enum Polynomial: Sendable {
        /// 0x04C11DB7 reflected: CRC32 in S3, zlib, PNG, Ethernet.
        case ieee
        /// 0x1EDC6F41 reflected: CRC32C in S3, iSCSI, ext4.
        case castagnoli

        var reflected: UInt32 {
            switch self {
            case .ieee: 0xEDB8_8320
            case .castagnoli: 0x82F6_3B78
            }
        }
    }

    private let tables: Tables
    private var state: UInt32 = 0xFFFF_FFFF

    init(_ polynomial: Polynomial) {
        tables = polynomial == .ieee ? Tables.ieee : Tables.castagnoli
    }

    /// The checksum of everything passed to `update` so far.
    var value: UInt32 { ~state }

    /// Feeds `bytes` into the checksum. O(n).
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress else { return }
        let table = tables.entries
        var crc = state
        var remaining = bytes.count
        while remaining >= 8 {
            let word = pointer.loadUnaligned(as: UInt64.self).littleEndian
            let low = UInt32(truncatingIfNeeded: word) ^ crc
            let high = UInt32(truncatingIfNeeded: word >> 32)
            crc = table[7 &* 256 &+ Int(low & 0xFF)] ^ table[6 &* 256 &+ Int((low >> 8) & 0xFF)]
                ^ table[5 &* 256 &+ Int((low >> 16) & 0xFF)] ^ table[4 &* 256 &+ Int(low >> 24)]
                ^ table[3 &* 256 &+ Int(high & 0xFF)] ^ table[2 &* 256 &+ Int((high >> 8) & 0xFF)]
                ^ table[256 &+ Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
            pointer += 8
            remaining &-= 8
        }
        while remaining > 0 {
            crc = table[Int((crc ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            pointer += 1
            remaining &-= 1
        }
        state = crc
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The checksum as S3 transmits it before base64: four bytes, big-endian.
    var bytes: [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// Eight 256-entry tables in one allocation that lives as long as the process;
    /// table k maps a byte to its contribution k bytes further down the stream.
    private struct Tables: @unchecked Sendable {
        // Unchecked: written once in `init` and only read afterwards.
        let entries: UnsafePointer<UInt32>

        static let ieee = Tables(Polynomial.ieee.reflected)
        static let castagnoli = Tables(Polynomial.castagnoli.reflected)

        init(_ polynomial: UInt32) {
            let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
            for index in 0..<256 {
                var crc = UInt32(index)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
                table[index] = crc
            }
            for slice in 1..<8 {
                for index in 0..<256 {
                    let previous = table[(slice - 1) * 256 + index]
                    table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
                }
            }
            entries = UnsafePointer(table)
        }
    }
}
