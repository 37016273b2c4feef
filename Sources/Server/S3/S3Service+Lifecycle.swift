import Foundation
import Hummingbird
import NIOCore
import ObjectStore

extension S3Service {
    /// PutBucketLifecycleConfiguration: parses the rules, stores them with the document,
    /// and has the sweeper apply them now rather than at its next round.
    func putBucketLifecycle(_ bucket: String, _ body: S3Body) async throws -> Response {
        let bytes = try await body.collect(limit: Self.maximumXMLBody)
        let rules = try Self.lifecycleRules(XMLReader.parse(bytes))
        try await store.putBucketLifecycle(bucket, LifecycleConfiguration(document: bytes, rules: rules))
        sweeper.kick()
        return Self.empty()
    }

    /// GetBucketLifecycleConfiguration: the document as it was put.
    func bucketLifecycle(_ bucket: String) throws -> Response {
        guard let configuration = try store.bucketLifecycle(bucket) else { throw S3Error.noSuchLifecycleConfiguration }
        return Response(
            status: .ok, headers: [.contentType: "application/xml"],
            body: .init(byteBuffer: ByteBuffer(bytes: configuration.document)))
    }

    /// DeleteBucketLifecycle: 204.
    func deleteBucketLifecycle(_ bucket: String) async throws -> Response {
        try await store.deleteBucketLifecycle(bucket)
        return Self.empty(.noContent)
    }

    /// The rules of a `LifecycleConfiguration` document. Expiration and
    /// AbortIncompleteMultipartUpload are acted on; transitions and noncurrent-version
    /// actions are kept in the document only (one storage class, no versions).
    /// - Throws: `MalformedXML` for a document of another shape, `InvalidArgument` for
    ///   bad values, `NotImplemented` for tag and size filters (applying such a rule
    ///   without its filter would delete objects it does not select).
    static func lifecycleRules(_ document: XMLReader.Element) throws(S3Error) -> [LifecycleRule] {
        guard document.name == "LifecycleConfiguration" else { throw .malformedXML }
        return try document.children("Rule").map { element throws(S3Error) in try lifecycleRule(element) }
    }

    private static func lifecycleRule(_ element: XMLReader.Element) throws(S3Error) -> LifecycleRule {
        var rule = LifecycleRule()
        rule.id = element.value("ID")
        switch element.value("Status")?.trimmingCharacters(in: .whitespaces) {
        case "Enabled": rule.status = .enabled
        case "Disabled": rule.status = .disabled
        default: throw .malformedXML
        }
        if let filter = element.child("Filter") {
            let scope = filter.child("And") ?? filter
            for unsupported in ["Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"] where scope.child(unsupported) != nil {
                throw .notImplemented("lifecycle filters on \(unsupported)")
            }
            rule.prefix = scope.value("Prefix") ?? ""
        } else {
            rule.prefix = element.value("Prefix") ?? ""
        }
        if let expiration = element.child("Expiration") {
            if let days = expiration.value("Days") {
                rule.expiration = .days(try integer(days))
            } else if let text = expiration.value("Date") {
                guard let date = HTTPDate.parseISO8601(text) else { throw .invalidArgument("Invalid date in lifecycle Expiration.") }
                guard Int(date.timeIntervalSince1970) % 86_400 == 0 else {
                    throw .invalidArgument("'Date' must be at midnight GMT")
                }
                rule.expiration = .date(date)
            } else if expiration.child("ExpiredObjectDeleteMarker") == nil {
                throw .malformedXML
            }
        }
        if let abort = element.child("AbortIncompleteMultipartUpload") {
            guard let days = abort.value("DaysAfterInitiation") else { throw .malformedXML }
            rule.abortIncompleteUploadsAfterDays = try integer(days)
        }
        let actions = ["Expiration", "AbortIncompleteMultipartUpload", "Transition", "NoncurrentVersionExpiration",
            "NoncurrentVersionTransition"]
        guard actions.contains(where: { element.child($0) != nil }) else {
            throw .invalidRequest("At least one action needs to be specified in a rule")
        }
        return rule
    }

    private static func integer(_ text: String) throws(S3Error) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw .malformedXML }
        return value
    }
}
