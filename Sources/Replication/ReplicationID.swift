import Crypto
import DocStore

/// A replication's stable identity, as CouchDB 3 derives it (`couch_replicator_ids`,
/// version 4): an MD5 over this node's uuid, both endpoints without secrets, the
/// filter (a filter function's code), `winning_revs_only` and `since_seq`; then `+continuous` and
/// `+create_target` when set. The base id names the checkpoint documents
/// (`_local/<base>`), so a replication started again finds its checkpoints.
///
/// CouchDB hashes Erlang's external term format; we hash canonical JSON of the same
/// parts, so ids differ from CouchDB's for the same request (checkpoints are never
/// shared between implementations anyway: each writes its own).
public struct ReplicationID: Sendable, Hashable, CustomStringConvertible {
    /// 32 hex digits.
    public let base: String
    /// `+continuous`, `+create_target`, or empty.
    public let suffix: String

    /// The checkpoint format version written into checkpoint documents.
    public static let version = 4

    public init(nodeUUID: String, source: any ReplicationPeer, target: any ReplicationPeer, specification: ReplicationSpecification) {
        var parts: [JSON] = [.string(nodeUUID), source.identity, target.identity]
        switch specification.filter {
        case .documentIDs(let ids)?: parts.append(.array(ids.map(JSON.string)))
        case .selector(let selector)?: parts.append(selector)
        // CouchDB hashes a filter function's code (fetched from the source, so an edited
        // filter makes a new replication) or `_view`'s name, then the query parameters.
        case .function(let name, let parameters)?:
            parts += [.string(specification.filterCode ?? name), .object(parameters)]
        case nil: break
        }
        if specification.winningRevisionsOnly { parts.append("winning_revs_only") }
        if let since = specification.sinceSequence { parts.append(since.json) }
        let digest = Insecure.MD5.hash(data: JSON.array(parts).serialized())
        base = digest.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined()
        suffix = (specification.continuous ? "+continuous" : "") + (specification.createTarget ? "+create_target" : "")
    }

    /// `base + suffix`: the job id of `/_scheduler/jobs` and `_replicate` answers.
    public var description: String { base + suffix }

    /// The id of the checkpoint documents on both sides.
    public var checkpointDocumentID: String { "_local/" + base }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
