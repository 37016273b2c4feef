import Zstd

extension ObjectStore {
    /// How an object store stores and what it accepts.
    public struct Configuration: Sendable {
        /// Bytes of object data per chunk file. Range reads decompress whole chunks, and a
        /// PUT holds about two chunks in memory, so this bounds both. 4 MiB by default.
        public var chunkSize = 4 << 20
        /// zstd level for chunks (level 1 runs at several hundred MB/s, faster than the disk).
        public var compressionLevel: Int32 = Zstd.defaultLevel
        /// The largest object (S3: 5 TiB), reachable through multipart uploads.
        public var maximumObjectSize = 5 << 40
        /// The largest part, single PUT and copy source (S3: 5 GiB).
        public var maximumPartSize = 5 << 30
        /// The smallest part but the last of a multipart upload (S3: 5 MiB); lower it in tests.
        public var minimumPartSize = 5 << 20
        /// How long a completed upload's result is kept for repeated completes (seconds).
        public var completedUploadRetention: Double = 24 * 3600
        /// Initial map size of the metadata environment; it doubles on demand.
        public var initialMapSize = 64 << 20

        public init() {}
    }
}
