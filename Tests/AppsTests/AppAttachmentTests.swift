import DocStore
import Foundation
import Logging
import ObjectStore
import Replication
import Testing

@testable import Apps

@Suite struct AppAttachmentTests {
    @Test func deletingAnAppDeletesItsFilesAndNoOtherApps() async throws {
        let directory = NSTemporaryDirectory() + "apps-attachments-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DocumentStore(configuration: DocumentStore.Configuration(dataDirectory: directory))
        let objects = try ObjectStore(root: directory + "/objects")
        let apps = AppService(
            store: store, replications: ReplicationScheduler(store: store, nodeUUID: "test", logger: Logger(label: "test")), objects: objects)
        let first = try AppID(try await apps.createApplication(["name": "First"])["_id"]!.stringValue!)
        let second = try AppID(try await apps.createApplication(["name": "Second"])["_id"]!.stringValue!)
        // More files than one listing page holds.
        for index in 0..<1005 {
            _ = try await apps.uploadAttachment(first, name: "f\(index).txt", contentType: "text/plain", body: [Array("file \(index)".utf8)].async)
        }
        let kept = try await apps.uploadAttachment(second, name: "keep.txt", contentType: nil, body: [Array("kept".utf8)].async)
        _ = try await apps.deleteApplication(first)
        #expect(try objects.listObjects(bucket: AppService.assetsBucket, prefix: first.hex + "/").objects.isEmpty)
        let remaining = try objects.listObjects(bucket: AppService.assetsBucket).objects.map(\.key)
        #expect(remaining == [kept["key"]!.stringValue!])
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
