import LMDB

/// The store's metadata records use the LMDB module's record encoding; a malformed
/// record is an `InternalError`, never a crash.
typealias ByteWriter = RecordWriter
typealias ByteReader = RecordReader<ObjectStoreError>

extension RecordReader where Failure == ObjectStoreError {
    init(_ buffer: UnsafeRawBufferPointer) { self.init(buffer, corrupt: Self.corrupt) }

    static var corrupt: ObjectStoreError { ObjectStoreError.corrupt("malformed record") }
}
