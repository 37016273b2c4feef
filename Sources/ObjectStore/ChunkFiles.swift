import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The chunk files under `<root>/chunks/<first two hex digits>/<32 hex digits>`.
///
/// A chunk is written once and never changed: to `<name>.tmp`, fsynced, renamed to its
/// name, and its directory fsynced, so after `write` returns the file survives a crash
/// with exactly these bytes. Only then may metadata name it. Files that no metadata
/// names (crashes between the two steps, deletions cut short) are removed by `sweep`.
/// The 256 fan-out directories keep directories small and exist from the start, so
/// writes never create directories.
///
/// Thread safety: every method may be called from any thread; all block on the disk,
/// so call them off the Swift concurrency pool (see `Blocking`).
struct ChunkFiles: Sendable {
    let directory: String

    /// Creates the directory tree if needed (and makes it durable).
    init(directory: String) throws(ObjectStoreError) {
        self.directory = directory
        let manager = FileManager.default
        var created = false
        for index in 0..<256 {
            let path = directory + "/" + Hex.encode([UInt8(index)])
            if !manager.fileExists(atPath: path) {
                do {
                    try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
                } catch {
                    throw ObjectStoreError(.internalError, "cannot create \(path): \(error)")
                }
                created = true
            }
        }
        if created {
            try Self.syncDirectory(directory)
            try Self.syncDirectory((directory as NSString).deletingLastPathComponent)
        }
    }

    func path(_ id: ChunkID) -> String {
        let name = id.description
        return directory + "/" + name.prefix(2) + "/" + name
    }

    /// Writes the file of a new chunk durably (see the type's notes). Blocks. O(n).
    func write(_ id: ChunkID, _ bytes: UnsafeRawBufferPointer) throws(ObjectStoreError) {
        let final = path(id)
        let temporary = final + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("create", temporary) }
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let error = Self.failure("write", temporary)
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += result
        }
        if fsync(descriptor) != 0 {
            let error = Self.failure("fsync", temporary)
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, final) == 0 else {
            let error = Self.failure("rename", temporary)
            unlink(temporary)
            throw error
        }
        try Self.syncDirectory((final as NSString).deletingLastPathComponent)
    }

    /// Reads `memory.count` bytes at `offset` of a chunk file into `memory`. Blocks. O(count).
    /// - Throws: `InternalError` when the file is missing or shorter than expected.
    func read(_ id: ChunkID, offset: Int = 0, into memory: UnsafeMutableRawBufferPointer) throws(ObjectStoreError) {
        let file = path(id)
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open", file) }
        defer { close(descriptor) }
        var done = 0
        while done < memory.count {
            let result = pread(descriptor, memory.baseAddress! + done, memory.count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            if result < 0 { throw Self.failure("read", file) }
            if result == 0 { throw ObjectStoreError(.internalError, "chunk \(file) is truncated") }
            done += result
        }
    }

    /// Removes a chunk file; a missing file is not an error. Blocks.
    func remove(_ id: ChunkID) {
        unlink(path(id))
    }

    /// Removes temporary files and the files of chunks for which `isReferenced` is false;
    /// returns how many files it removed (or, with `dryRun`, would remove). Run it before
    /// anything writes (at open). O(number of files).
    func sweep(isReferenced: (ChunkID) throws -> Bool, dryRun: Bool = false) throws -> Int {
        var removed = 0
        for index in 0..<256 {
            let subdirectory = directory + "/" + Hex.encode([UInt8(index)])
            let names = (try? FileManager.default.contentsOfDirectory(atPath: subdirectory)) ?? []
            for name in names {
                let keep = try ChunkID(fileName: name).map(isReferenced) ?? false
                if !keep, dryRun || unlink(subdirectory + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }

    /// Makes the names in a directory (new files, renames) durable.
    static func syncDirectory(_ path: String) throws(ObjectStoreError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open directory", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync directory", path) }
    }

    private static func failure(_ operation: String, _ path: String) -> ObjectStoreError {
        ObjectStoreError(.internalError, "\(operation) \(path): \(String(cString: strerror(errno)))")
    }
}
