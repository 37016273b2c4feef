import DocStore
import HTTPTypes
import Hummingbird

/// `/{db}/_partition/{partition}[/…]` of a partitioned database (chttpd_db's
/// handle_partition_req/2): the partition's info, and `_all_docs`, `_find`, `_explain`
/// and views run by the database's own handlers with `partition` set in the query, as
/// CouchDB rewrites the request.
extension CouchService {
    func partitionEndpoint(_ database: DocumentDatabase, _ rest: [String], _ request: CouchRequest, _ access: DatabaseAccess) async throws -> Response {
        guard rest.count >= 2 else { throw CouchError.badRequest("invalid_partition_req") }
        let partition = rest[1]
        if rest.count == 2 {
            switch request.method {
            case .get, .head:
                let info = try database.partitionInfo(partition)
                return .json([
                    "db_name": .string(database.name), "partition": .string(partition),
                    "doc_count": .number(JSONNumber(info.documentCount)), "doc_del_count": .number(JSONNumber(info.deletedCount)),
                    "sizes": ["active": .number(JSONNumber(info.externalSize)), "external": .number(JSONNumber(info.externalSize))],
                ])
            case .post where partition.hasPrefix("_"):
                throw CouchError(DocStoreError(.illegalPartition, "Partition must not start with an underscore"))
            default:
                throw CouchError.methodNotAllowed("GET")
            }
        }
        guard database.isPartitioned else { throw CouchError.badRequest("database is not partitioned") }
        try Partition.validate(partition)
        if let given = request.query["partition"], given != partition {
            throw CouchError.badRequest("Conflicting value for `partition` in query string")
        }
        let inner = Array(rest.dropFirst(2))
        let scoped = request.scoped(to: partition, segments: [request.segments[0]] + inner)
        switch inner[0] {
        case "_all_docs": return try await allDocuments(database, inner, scoped, access)
        case "_find", "_explain", "_index": return try await mango(database, inner, scoped, access)
        case "_design" where inner.count >= 3 && inner[2].hasPrefix("_"):
            guard Self.isViewPath(inner) else { throw CouchError.notFound }
            return try await viewEndpoint(database, inner, scoped, access)
        default:
            throw CouchError.notFound
        }
    }

    /// The `partition` query parameter of `_all_docs` and views (couch_mrview_http's
    /// parse_param: a valid partition name), nil when absent.
    static func partitionParameter(_ query: QueryParameters) throws(DocStoreError) -> String? {
        guard let partition = query["partition"] else { return nil }
        try Partition.validate(partition)
        return partition
    }
}
