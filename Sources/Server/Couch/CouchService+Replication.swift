import DocStore
import Hummingbird

/// `POST /_replicate` and `/_scheduler/{jobs,docs}`.
extension CouchService {
    func replicate(_ request: CouchRequest) async throws -> Response {
        try requireServerAdmin(request)
        throw CouchError(.notImplemented, "not_implemented", "replication is not available yet")
    }

    func scheduler(_ request: CouchRequest) async throws -> Response {
        try requireServerAdmin(request)
        throw CouchError(.notImplemented, "not_implemented", "replication is not available yet")
    }
}
