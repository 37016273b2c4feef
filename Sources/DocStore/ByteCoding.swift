import LMDB

/// DocStore's records use the LMDB module's record encoding; a malformed one is a
/// `storage` error.
typealias ByteWriter = RecordWriter
typealias ByteReader = RecordReader<DocStoreError>

extension RecordReader where Failure == DocStoreError {
    init(_ buffer: UnsafeRawBufferPointer) { self.init(buffer, corrupt: Self.corrupt) }

    static var corrupt: DocStoreError { DocStoreError(.storage, "corrupt record") }
}

/// Big-endian 8-byte keys, so that LMDB's byte order is numeric order.
enum SequenceKey {
    static func encode(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
