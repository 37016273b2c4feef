import Foundation
import Testing
@testable import ObjectStore

@Suite struct BucketTests {
    static let names: [(String, Bool)] = [
        ("abc", true), ("my-bucket", true), ("my.bucket.name", true), ("a1b2c3", true), ("123", true),
        (String(repeating: "a", count: 63), true), ("1.2.3", true), ("192.168.5.4a", true), ("b-1.c-2", true),
        ("ab", false), (String(repeating: "a", count: 64), false), ("", false),
        ("MyBucket", false), ("my_bucket", false), ("my bucket", false), ("my/bucket", false),
        ("-bucket", false), ("bucket-", false), (".bucket", false), ("bucket.", false),
        ("my..bucket", false), ("my.-bucket", false), ("my-.bucket", false),
        ("192.168.5.4", false), ("10.0.0.1", false),
        ("xn--bucket", false), ("sthree-bucket", false), ("bucket-s3alias", false), ("bucket--ol-s3", false),
        ("bücket", false),
    ]

    @Test(arguments: names) func namingRules(name: String, valid: Bool) async throws {
        #expect(BucketName.isValid(name) == valid, "\(name)")
        let store = try TemporaryStore()
        if valid {
            try await store.store.createBucket(name)
            #expect(try store.store.bucketExists(name))
        } else {
            await expectError(.invalidBucketName) { try await store.store.createBucket(name) }
        }
    }

    @Test func createHeadListDelete() async throws {
        let store = try TemporaryStore()
        let before = Date(timeIntervalSinceNow: -1)
        let created = try await store.store.createBucket("zeta")
        try await store.store.createBucket("alpha")
        try await store.store.createBucket("mid.dle")
        #expect(created.creationDate >= before)
        #expect(try store.store.headBucket("zeta").creationDate == created.creationDate)
        #expect(try store.store.listBuckets().map(\.name) == ["alpha", "mid.dle", "zeta"])
        await expectError(.bucketAlreadyOwnedByYou) { try await store.store.createBucket("alpha") }
        try await store.store.deleteBucket("alpha")
        #expect(try !store.store.bucketExists("alpha"))
        await expectError(.noSuchBucket) { try store.store.headBucket("alpha") }
        await expectError(.noSuchBucket) { try await store.store.deleteBucket("alpha") }
        try store.reopen()
        #expect(try store.store.listBuckets().map(\.name) == ["mid.dle", "zeta"])
        #expect(try store.store.headBucket("zeta").creationDate == created.creationDate)
    }

    @Test func aBucketWithObjectsOrUploadsIsNotEmpty() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("full")
        try await store.store.createBucket("full2")  // a neighbour whose name extends "full"
        try await store.put("full2", "x", [1])
        try await store.store.deleteBucket("full")
        try await store.store.createBucket("full")
        try await store.put("full", "object", [1, 2, 3])
        await expectError(.bucketNotEmpty) { try await store.store.deleteBucket("full") }
        try await store.store.deleteObject(bucket: "full", key: "object")
        let upload = try await store.store.createMultipartUpload(bucket: "full", key: "pending")
        await expectError(.bucketNotEmpty) { try await store.store.deleteBucket("full") }
        try await store.store.abortMultipartUpload(bucket: "full", key: "pending", uploadID: upload)
        try await store.store.deleteBucket("full")
        #expect(try store.store.listBuckets().map(\.name) == ["full2"])
    }

    @Test func objectOperationsOnAMissingBucket() async throws {
        let store = try TemporaryStore()
        await expectError(.noSuchBucket) { try await store.put("nope", "k", [1]) }
        await expectError(.noSuchBucket) { try store.store.headObject(bucket: "nope", key: "k") }
        await expectError(.noSuchBucket) { try store.store.getObject(bucket: "nope", key: "k") }
        await expectError(.noSuchBucket) { try await store.store.deleteObject(bucket: "nope", key: "k") }
        await expectError(.noSuchBucket) { try store.store.listObjects(bucket: "nope") }
        await expectError(.noSuchBucket) { try await store.store.createMultipartUpload(bucket: "nope", key: "k") }
        await expectError(.noSuchBucket) { try store.store.listMultipartUploads(bucket: "nope") }
        #expect(store.chunkFiles.isEmpty)
    }

    @Test func lifecycleConfigurationRoundTrips() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("life")
        #expect(try store.store.bucketLifecycle("life") == nil)
        let configuration = LifecycleConfiguration(
            document: Array("<LifecycleConfiguration>…</LifecycleConfiguration>".utf8),
            rules: [
                LifecycleRule(id: "logs", prefix: "logs/", expiration: .days(30)),
                LifecycleRule(id: "old", prefix: "", status: .disabled, expiration: .date(Date(timeIntervalSince1970: 1_700_000_000))),
                LifecycleRule(id: "uploads", abortIncompleteUploadsAfterDays: 7),
            ])
        try await store.store.putBucketLifecycle("life", configuration)
        try store.reopen()
        #expect(try store.store.bucketLifecycle("life") == configuration)
        await expectError(.invalidArgument) {
            try await store.store.putBucketLifecycle("life", LifecycleConfiguration(document: [], rules: [LifecycleRule(id: "a"), LifecycleRule(id: "a")]))
        }
        await expectError(.invalidArgument) {
            try await store.store.putBucketLifecycle("life", LifecycleConfiguration(document: [], rules: [LifecycleRule(expiration: .days(0))]))
        }
        try await store.store.deleteBucketLifecycle("life")
        #expect(try store.store.bucketLifecycle("life") == nil)
        await expectError(.noSuchBucket) { try store.store.bucketLifecycle("nope") }
    }

    @Test func expireObjectsAppliesEnabledRulesOnly() async throws {
        let store = try TemporaryStore()
        try await store.store.createBucket("life")
        for key in ["logs/a", "logs/b", "keep/c", "tmp/d"] { try await store.put("life", key, [1, 2, 3]) }
        let upload = try await store.store.createMultipartUpload(bucket: "life", key: "logs/big")
        try await store.store.uploadPart(bucket: "life", key: "logs/big", uploadID: upload, partNumber: 1, body: Pieces([1, 2]))
        try await store.store.putBucketLifecycle(
            "life",
            LifecycleConfiguration(document: [], rules: [
                LifecycleRule(id: "logs", prefix: "logs/", expiration: .days(2), abortIncompleteUploadsAfterDays: 1),
                LifecycleRule(id: "off", prefix: "keep/", status: .disabled, expiration: .days(1)),
                LifecycleRule(id: "tmp", prefix: "tmp/", expiration: .date(Date(timeIntervalSinceNow: 5 * 86_400))),
            ]))
        // Tomorrow: nothing is due yet (two days, rounded up to midnight UTC).
        var report = try await store.store.expireObjects(now: Date(timeIntervalSinceNow: 86_400))
        #expect(report == ExpirationReport())
        // In three days: the logs and the upload are due; tmp/ waits for its date.
        report = try await store.store.expireObjects(now: Date(timeIntervalSinceNow: 3 * 86_400))
        #expect(report == ExpirationReport(objectsDeleted: 2, uploadsAborted: 1))
        #expect(try store.store.listObjects(bucket: "life").objects.map(\.key) == ["keep/c", "tmp/d"])
        report = try await store.store.expireObjects(now: Date(timeIntervalSinceNow: 6 * 86_400))
        #expect(report.objectsDeleted == 1)
        #expect(try store.store.listObjects(bucket: "life").objects.map(\.key) == ["keep/c"])
        try store.expectConsistent()
    }

    @Test func expirationDaysRoundUpToMidnightUTC() {
        // S3's example: created 2014-01-15 10:30 UTC, 3 days → expires 2014-01-19 00:00 UTC.
        let created = Milliseconds.from(ISO8601DateFormatter().date(from: "2014-01-15T10:30:00Z")!)
        let before = Milliseconds.from(ISO8601DateFormatter().date(from: "2014-01-18T23:59:59Z")!)
        let at = Milliseconds.from(ISO8601DateFormatter().date(from: "2014-01-19T00:00:00Z")!)
        #expect(!LifecycleRule.isDue(created, days: 3, now: before))
        #expect(LifecycleRule.isDue(created, days: 3, now: at))
    }
}
