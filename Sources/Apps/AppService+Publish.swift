import DocStore
import Replication

extension AppService {
    /// What publishing leaves in development: its own metadata, the publish history and
    /// automation logs (`log_au…`), as Budibase's deploy filter does.
    static let publishSelector: JSON = [
        "$and": [
            ["_id": ["$nin": [.string(metadataID), .string(deploymentsID)]]],
            ["_id": ["$not": ["$regex": "^log_au"]]],
        ]
    ]

    /// `POST /applications/{appId}/publish`: replicates development → production with
    /// Divan's replicator (checkpointed, so publishing again sends only what changed),
    /// writes the production `app_metadata` and records the deployment.
    /// - Returns: `{_id, status, appUrl}`.
    public func publish(_ app: AppID, user: String?) async throws(AppError) -> JSONObject {
        let (development, metadata) = try served(AppID(hex: app.hex, isProduction: false))
        let deploymentID = UUIDs.random()
        var specification = ReplicationSpecification(source: .local(app.development), target: .local(app.production))
        specification.createTarget = true
        specification.filter = .selector(Self.publishSelector)
        var status = "SUCCESS"
        var failure: String?
        do {
            _ = try await replications.replicate(specification, user: user)
        } catch {
            status = "FAILURE"
            failure = "\(error)"
        }
        if status == "SUCCESS" {
            let production = try database(app.production)
            var published = metadata
            published["appId"] = .string(app.production)
            published["status"] = "published"
            published["updatedAt"] = .string(Self.timestamp())
            published.removeValue(forKey: "_rev")
            if let existing = readIfPresent(production, Self.metadataID) { published["_rev"] = existing["_rev"] }
            try await write(production, published, what: "Application")
        }
        var record: JSONObject = [
            "_id": .string(deploymentID), "status": .string(status), "appUrl": metadata["url"] ?? .null,
            "updatedAt": .string(Self.timestamp()), "user": user.map(JSON.string) ?? .null,
        ]
        if let failure { record["err"] = .string(failure) }
        let finished = record
        if readIfPresent(development, Self.deploymentsID) == nil {
            _ = try? await write(development, ["_id": .string(Self.deploymentsID), "history": [:]], what: "Deployments")
        }
        _ = try await modify(development, Self.deploymentsID, what: "Deployments") { deployments throws(AppError) in
            var history = deployments["history"]?.objectValue ?? [:]
            history[deploymentID] = .object(finished)
            deployments["history"] = .object(history)
        }
        if let failure { throw AppError(.internal, "Publish failed: \(failure)") }
        return ["_id": .string(deploymentID), "status": .string(status), "appUrl": metadata["url"] ?? .null]
    }

    /// `POST /applications/{appId}/unpublish`: production stops being served; its data
    /// stay until the app is deleted, and publishing again serves them again.
    public func unpublish(_ app: AppID) async throws(AppError) {
        _ = try self.metadata(AppID(hex: app.hex, isProduction: true))
        let production = try database(app.production)
        _ = try await modify(production, Self.metadataID, what: "Application") { metadata throws(AppError) in
            metadata["status"] = "unpublished"
            metadata["updatedAt"] = .string(Self.timestamp())
        }
    }
}
