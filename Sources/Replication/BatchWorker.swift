import DocStore
import Logging

/// Replicates one batch of changes: asks the target which revisions it lacks
/// (`_revs_diff`), reads those from the source with their history (`_bulk_get`),
/// and writes them with `new_edits: false` — in bulk when they need no attachment
/// bytes, one by one with streamed attachments otherwise.
struct BatchWorker: Sendable {
    let source: any ReplicationPeer
    let target: any ReplicationPeer
    let retry: RetryPolicy
    let logger: Logger

    func replicate(_ changes: [PeerChange]) async throws -> BatchStatistics {
        var statistics = BatchStatistics()
        var revisions: [ExactString: [Revision]] = [:]
        for change in changes {
            revisions[ExactString(change.id), default: []] += change.revisions
            statistics.revisionsChecked += change.revisions.count
        }
        let diff = try await retry.retrying { try await target.revisionsDiff(revisions) }
        var requests: [FetchRequest] = []
        for id in diff.keys.sorted() {
            let entry = diff[id]!
            for revision in entry.missing {
                requests.append(FetchRequest(id: id.string, revision: revision, possibleAncestors: entry.possibleAncestors))
            }
        }
        statistics.missingRevisionsFound = requests.count
        guard !requests.isEmpty else { return statistics }
        let fetched = try await retry.retrying { try await source.fetch(requests) }
        statistics.documentsRead = fetched.count
        let plain = fetched.filter { !$0.needsAttachmentBodies }
        if !plain.isEmpty {
            let failures = try await retry.retrying { try await target.write(plain) }
            for failure in failures {
                logger.error("could not write \(failure.id) \(failure.revision ?? "") to \(target.displayName): \(failure.error): \(failure.reason)")
            }
            statistics.documentsWritten += plain.count - failures.count
            statistics.documentWriteFailures += failures.count
        }
        for revision in fetched where revision.needsAttachmentBodies {
            let ancestors = diff[ExactString(revision.id)]?.possibleAncestors ?? []
            if try await writeWithAttachments(revision, possibleAncestors: ancestors) {
                statistics.documentsWritten += 1
            } else {
                statistics.documentWriteFailures += 1
            }
        }
        return statistics
    }

    /// Writes a revision whose attachment bytes are fetched from the source as they
    /// are sent. Attachments unchanged since an ancestor the target holds go as stubs;
    /// when the target cannot resolve a stub, everything is sent again in full.
    /// - Returns: false when the target refused the document (counted, not retried).
    func writeWithAttachments(_ revision: FetchedRevision, possibleAncestors: [Revision]) async throws -> Bool {
        let history = Set(revision.history)
        let since = possibleAncestors.filter { history.contains($0) && $0 != revision.revision }.map(\.position).max() ?? 0
        var stubsAllowed = true
        var attempt = 0
        while true {
            let outgoing = revision.attachments.map { stub -> OutgoingAttachment in
                if let data = stub.data {
                    return .body(stub, length: data.count, AttachmentBytes(unfolding: Once(data).next))
                }
                if stubsAllowed, stub.revpos > 0, stub.revpos <= since { return .stub(stub) }
                let bytes = source.attachmentBytes(documentID: revision.id, revision: revision.revision, attachment: stub)
                return .body(stub, length: stub.storedLength, bytes)
            }
            do {
                try await target.write(revision, attachments: outgoing)
                return true
            } catch let error as ReplicationError {
                switch error.code {
                case .missingStub where stubsAllowed:
                    stubsAllowed = false
                case .forbidden, .unauthorized, .badRequest:
                    logger.error("could not write \(revision.id) \(revision.revision) to \(target.displayName): \(error)")
                    return false
                default:
                    guard error.isTransient, attempt < retry.requestRetries else { throw error }
                    attempt += 1
                    try await Task.sleep(for: retry.delay(attempt: attempt))
                }
            }
        }
    }
}

/// Yields one value, then ends: inline attachment bytes as a stream.
final class Once: @unchecked Sendable {
    private var value: [UInt8]?
    init(_ value: [UInt8]) { self.value = value }
    @Sendable func next() async -> [UInt8]? {
        defer { value = nil }
        return value
    }
}
