/// A growable scratch stack over manually managed memory, used by the parser.
///
/// Unlike `Array`, elements can be *moved* out into a freshly sized array when a container
/// closes, so building nested values costs no retain/release traffic and no regrowth of
/// per-container arrays. Noncopyable, so its memory is released exactly once (also on throw).
@usableFromInline
struct JSONStack<Element>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    @inlinable
    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        count = 0
        self.capacity = capacity
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Pushes an element. Amortized O(1).
    @inlinable @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count &+= 1
    }

    @usableFromInline @inline(never)
    mutating func grow() {
        let newCapacity = capacity &* 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Removes and returns the top element.
    @inlinable @inline(__always)
    mutating func pop() -> Element {
        count &-= 1
        return (base + count).move()
    }

    /// Moves the elements from `start` to the top into a new exactly-sized array. O(n).
    @inlinable
    mutating func popArray(from start: Int) -> [Element] {
        let n = count &- start
        let source = base + start
        count = start
        // reserveCapacity + append is specialized by the compiler; the unsafeUninitializedCapacity
        // initializer goes through an unspecialized runtime path that is slower for small arrays.
        var result: [Element] = []
        result.reserveCapacity(n)
        for k in 0..<n {
            result.append((source + k).move())
        }
        return result
    }
}
