/// A byte range of a GET as the S3 layer parsed it from `Range: bytes=…`, resolved
/// against the object's size in the same snapshot that serves the bytes (so a suffix
/// range never mixes two versions of an object).
public enum ByteRange: Sendable, Hashable {
    /// `bytes=first-last`; `last` past the end means "to the end".
    case bounded(first: Int, last: Int)
    /// `bytes=first-`.
    case from(Int)
    /// `bytes=-count`: the last `count` bytes.
    case suffix(Int)

    /// The bytes the range selects in an object of `size` bytes.
    /// - Throws: `InvalidRange` when it selects none (first byte past the end, an empty
    ///   suffix, any range of an empty object) or is malformed (first > last, negative).
    ///   The S3 layer ignores syntactically invalid `Range` headers, as S3 does, before
    ///   they get here.
    public func resolved(size: Int) throws(ObjectStoreError) -> ClosedRange<Int> {
        let unsatisfiable = ObjectStoreError(.invalidRange, "The requested range is not satisfiable")
        switch self {
        case .bounded(let first, let last):
            guard first >= 0, first <= last, first < size else { throw unsatisfiable }
            return first...min(last, size - 1)
        case .from(let first):
            guard first >= 0, first < size else { throw unsatisfiable }
            return first...(size - 1)
        case .suffix(let count):
            guard count > 0, size > 0 else { throw unsatisfiable }
            return max(0, size - count)...(size - 1)
        }
    }
}

/// The part of one chunk that a read needs: bytes `lower..<upper` of its data.
struct ChunkSlice: Sendable {
    let chunk: ChunkReference
    let lower: Int
    let upper: Int

    var isWhole: Bool { lower == 0 && upper == chunk.size }

    /// The slices of `chunks` that cover `range` of the bytes they hold, in order.
    /// O(chunks); a binary search is not worth it next to reading the chunks.
    static func covering(_ range: ClosedRange<Int>, of chunks: [ChunkReference]) -> [ChunkSlice] {
        var slices: [ChunkSlice] = []
        var offset = 0
        for chunk in chunks {
            let chunkEnd = offset + chunk.size
            defer { offset = chunkEnd }
            if chunkEnd <= range.lowerBound || chunk.size == 0 { continue }
            if offset > range.upperBound { break }
            let lower = max(range.lowerBound, offset) - offset
            let upper = min(range.upperBound + 1, chunkEnd) - offset
            slices.append(ChunkSlice(chunk: chunk, lower: lower, upper: upper))
        }
        return slices
    }
}
