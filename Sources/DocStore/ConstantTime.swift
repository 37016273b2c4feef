/// Comparison of secrets (MACs, derived keys, token hashes) whose time does not depend on
/// where the first difference is, so a caller cannot find a secret byte by byte by timing.
package enum ConstantTime {
    /// Whether `a` and `b` are equal. Only the length may leak through timing.
    package static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
