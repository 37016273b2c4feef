import Foundation
import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// The storage layer of Divan's S3-compatible object store: buckets, objects, multipart
/// uploads and their parts. No HTTP: the S3 layer parses requests, calls one method and
/// encodes the result; errors are `ObjectStoreError`s with S3's codes.
///
/// Layout under `root`: `meta.mdb` (LMDB: buckets, object records with chunk lists,
/// uploads, parts, chunk reference counts; see `Tables`), `chunks/xx/<32 hex>` (chunk
/// files, see `ChunkFiles`) and `lock` (held while open: one store per directory).
///
/// Durability: a write first makes its chunk files durable (temp file, fsync, rename,
/// directory fsync), then commits metadata (fsync) through the group-commit
/// `MetadataWriter`, and returns only after both. Readers see committed metadata only,
/// so nothing partial is ever visible; chunk files that a crash left unnamed are removed
/// when the store opens.
///
/// Thread safety: all methods may be called concurrently from any task. Methods that do
/// I/O are `async`; blocking file work runs on dispatch threads, write transactions on
/// the writer's serial queue, never across an `await`.
public final class ObjectStore: Sendable {
    /// The directory the store lives in.
    public let root: String
    /// What the store was opened with.
    public let configuration: Configuration
    let environment: Environment
    let tables: Tables
    let files: ChunkFiles
    let pins: ChunkPins
    /// The metadata writer: group commit, then deletes the chunk files a batch left
    /// without references.
    let writer: GroupCommitWriter<CommitEffects>
    private let lockDescriptor: Int32
    /// Files the sweep at open removed (orphans of a crash or of an interrupted delete).
    public let orphansRemoved: Int

    /// Opens (creating if needed) the store at `root` and removes orphaned chunk files.
    /// Blocks for the sweep: O(number of chunk files).
    /// - Throws: `InternalError` when the directory cannot be used or is in use.
    public init(root: String, configuration: Configuration = Configuration()) throws {
        guard configuration.chunkSize > 0 else { throw ObjectStoreError(.invalidArgument, "chunk size must be positive") }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError(.internalError, "cannot create \(root): \(error)")
        }
        let descriptor = open(root + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw ObjectStoreError(.internalError, "the object store at \(root) is in use")
        }
        do {
            self.root = root
            self.configuration = configuration
            var options = Environment.Options()
            options.mapSize = configuration.initialMapSize
            environment = try Environment(path: root + "/meta.mdb", options: options)
            tables = try Tables(environment)
            files = try ChunkFiles(directory: root + "/chunks")
            pins = ChunkPins(files: files)
            let chunkPins = pins
            writer = GroupCommitWriter(
                label: "divan.objectstore.writer", environment: environment,
                begin: { _ in CommitEffects() },
                didCommit: { effects in chunkPins.release(effects.deadChunks) },
                commitFailure: { ObjectStoreError(.internalError, "metadata commit failed: \($0)") })
            let environment = environment, tables = tables, files = files
            orphansRemoved = try environment.read { txn in
                try files.sweep { id in try ChunkLedger.exists(txn, tables, id) }
            }
            lockDescriptor = descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(lockDescriptor)
    }

    /// The record of an existing bucket, or `NoSuchBucket`.
    func requireBucket(_ txn: Transaction, _ bucket: String) throws -> BucketRecord {
        guard let record = try BucketRecord.read(txn, tables, bucket) else { throw ObjectStoreError.noSuchBucket(bucket) }
        return record
    }
}
