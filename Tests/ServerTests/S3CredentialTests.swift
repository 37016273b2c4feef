import Foundation
import Testing
@testable import Server

/// Root credentials: generated once when none are configured, stored privately, reused.
@Suite struct S3CredentialTests {
    @Test func generatedOnceStoredPrivatelyAndReused() throws {
        let directory = NSTemporaryDirectory() + "divan-s3-credentials-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        let first = try S3CredentialFile.root(configuration: configuration)
        #expect(first.generated)
        #expect(first.credentials.accessKey.count == 20)
        #expect(first.credentials.accessKey.allSatisfy { $0.isUppercase || $0.isNumber })
        #expect(first.credentials.secretKey.count == 40)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/s3-credentials.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: directory + "/s3-credentials.json.tmp"))
        let second = try S3CredentialFile.root(configuration: configuration)
        #expect(!second.generated && second.credentials == first.credentials)
        configuration.s3Root = .init(accessKey: "CONFIGURED", secretKey: "configured-secret")
        let configured = try S3CredentialFile.root(configuration: configuration)
        #expect(!configured.generated && configured.credentials.accessKey == "CONFIGURED")
    }
}
