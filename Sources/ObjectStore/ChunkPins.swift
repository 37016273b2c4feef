import LMDB
import Synchronization

/// Keeps chunk files alive while readers stream them.
///
/// A chunk's file is deleted after the metadata commit that dropped its last reference
/// (an overwrite, a delete, an abort). A GET that took its chunk list from an earlier
/// snapshot may still be reading those files, so deletion waits for it: every reader
/// pins the chunks it will read, and a dead chunk that is pinned is only marked; the
/// last reader to unpin it deletes it.
///
/// The race this closes: a reader reads a snapshot naming chunk C, then a writer drops C
/// and deletes it before the reader pinned it. `snapshot` takes the snapshot and pins
/// under one lock, and `release` (which runs after the commit) takes the same lock: if
/// the reader came first its pins are seen; if the release came first, the reader's
/// snapshot began after the commit and does not name C.
///
/// Rejected designs: holding open file descriptors (an object may have a million
/// chunks; readers would run out of descriptors), deleting with a delay (a slow client
/// streams for longer than any delay), keeping read transactions open (pages could not
/// be reused and the map would grow with every overwrite).
///
/// After a crash, marks and pins are gone; the files of dead chunks are not named by any
/// metadata and the sweep at open removes them.
///
/// Thread safety: all methods may be called from any thread. The lock is held for the
/// read transaction of a snapshot (microseconds) and for bookkeeping, never for I/O;
/// `release` and the last `unpin` of a dead chunk unlink files on the caller's thread.
final class ChunkPins: Sendable {
    private struct State {
        var pins: [ChunkID: Int] = [:]
        var doomed: Set<ChunkID> = []
    }

    private let state = Mutex(State())
    private let files: ChunkFiles

    init(files: ChunkFiles) { self.files = files }

    /// Runs `read` in a read transaction and pins the chunks it returns, atomically
    /// with respect to `release`. The lease unpins them when it is released or freed.
    func snapshot<T: Sendable>(
        _ environment: Environment, _ read: (Transaction) throws -> (T, [ChunkID])
    ) throws -> (T, ChunkLease) {
        try state.withLock { state in
            let (value, chunks) = try environment.read(read)
            for chunk in chunks { state.pins[chunk, default: 0] += 1 }
            return (value, ChunkLease(pins: self, chunks: chunks))
        }
    }

    /// Deletes the files of chunks that the last commit left without references, or
    /// marks them for deletion by their last reader. Call only after the commit.
    func release(_ dead: [ChunkID]) {
        guard !dead.isEmpty else { return }
        let deletable = state.withLock { state in
            dead.filter { chunk in
                guard state.pins[chunk] != nil else { return true }
                state.doomed.insert(chunk)
                return false
            }
        }
        remove(deletable)
    }

    fileprivate func unpin(_ chunks: [ChunkID]) {
        let deletable = state.withLock { state -> [ChunkID] in
            var deletable: [ChunkID] = []
            for chunk in chunks {
                guard let count = state.pins[chunk] else { continue }
                if count > 1 {
                    state.pins[chunk] = count - 1
                } else {
                    state.pins[chunk] = nil
                    if state.doomed.remove(chunk) != nil { deletable.append(chunk) }
                }
            }
            return deletable
        }
        remove(deletable)
    }

    /// Unlinks on the caller's thread (the writer's queue, or the reader that ends):
    /// when an operation returns, the files it freed are gone.
    private func remove(_ chunks: [ChunkID]) {
        for chunk in chunks { files.remove(chunk) }
    }

    /// Pinned chunks and chunks waiting for their readers (for tests).
    var counts: (pinned: Int, doomed: Int) { state.withLock { ($0.pins.count, $0.doomed.count) } }
}

/// The pins of one reader. Unpins when `release()` is called or when it is freed (a
/// consumer that abandons a stream never calls anything), whichever comes first.
final class ChunkLease: Sendable {
    private let pins: ChunkPins
    private let chunks: Mutex<[ChunkID]?>

    fileprivate init(pins: ChunkPins, chunks: [ChunkID]) {
        self.pins = pins
        self.chunks = Mutex(chunks)
    }

    func release() {
        if let chunks = chunks.withLock({ value in defer { value = nil }; return value }) { pins.unpin(chunks) }
    }

    deinit { release() }
}
