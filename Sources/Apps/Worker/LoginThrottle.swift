import Foundation
import Synchronization

/// Failed logins per account, in process: past `limit` failures within `window` seconds
/// an account's logins are refused (429) until the oldest failure ages out, whatever
/// the password. Keyed by the lowercased name given, whether or not such a user exists,
/// so the refusal says nothing about which accounts exist. A successful login clears it.
///
/// In memory only: a restart forgets counts, and nodes count separately (a shared
/// counter would come with Redis).
final class LoginThrottle: Sendable {
    let limit: Int
    let window: Double
    /// Failure times per account; at most `limit` kept per account.
    private let failures = Mutex<[String: [Date]]>([:])
    /// Accounts tracked at most; past it the oldest half is forgotten (bounds memory
    /// against a caller inventing names).
    static let maxAccounts = 100_000

    init(limit: Int, window: Double) {
        self.limit = limit
        self.window = window
    }

    /// Whether `account` may try to log in now.
    func allows(_ account: String, at now: Date) -> Bool {
        failures.withLock { table in
            let recent = (table[account] ?? []).filter { now.timeIntervalSince($0) < window }
            table[account] = recent.isEmpty ? nil : recent
            return recent.count < limit
        }
    }

    func recordFailure(_ account: String, at now: Date) {
        failures.withLock { table in
            if table.count >= Self.maxAccounts {
                let oldest = table.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
                for (key, _) in oldest.prefix(Self.maxAccounts / 2) { table.removeValue(forKey: key) }
            }
            var recent = (table[account] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            table[account] = Array(recent.suffix(limit))
        }
    }

    func recordSuccess(_ account: String) {
        _ = failures.withLock { $0.removeValue(forKey: account) }
    }
}
