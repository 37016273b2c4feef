import Foundation
import HTTPTypes
import Testing
@testable import Server

/// ListObjects v1 and v2, ListObjectVersions: prefixes, delimiters, pages, url encoding.
@Suite struct S3ListingTests {
    static let keys = ["a.txt", "dir/one", "dir/sub/two", "dir/three", "z z+plus", "zeta"]

    static func keys(_ element: XMLReader.Element?, _ container: String = "Contents") -> [String] {
        element?.children(container).compactMap { $0.value("Key") } ?? []
    }

    static func prefixes(_ element: XMLReader.Element?) -> [String] {
        element?.children("CommonPrefixes").compactMap { $0.value("Prefix") } ?? []
    }

    static func filled(_ client: S3Client) async throws {
        _ = try await client.request(.put, "/bucket")
        for key in keys { _ = try await client.put("/bucket/" + URIEncoding.encode(key, keepSlash: true), key) }
    }

    @Test func listObjectsV2WithDelimiterAndPages() async throws {
        try await S3TestServer.run { client in
            try await Self.filled(client)
            let all = try await client.request(.get, "/bucket?list-type=2").xml
            #expect(Self.keys(all) == ["a.txt", "dir/one", "dir/sub/two", "dir/three", "z z+plus", "zeta"].sorted())
            #expect(all?.value("KeyCount") == "6" && all?.value("IsTruncated") == "false")
            #expect(all?.child("Contents")?.child("Owner") == nil)
            let rolled = try await client.request(.get, "/bucket?list-type=2&delimiter=/").xml
            #expect(Self.keys(rolled) == ["a.txt", "z z+plus", "zeta"] && Self.prefixes(rolled) == ["dir/"])
            let inside = try await client.request(.get, "/bucket?list-type=2&delimiter=/&prefix=dir/&fetch-owner=true").xml
            #expect(Self.keys(inside) == ["dir/one", "dir/three"] && Self.prefixes(inside) == ["dir/sub/"])
            #expect(inside?.child("Contents")?.child("Owner") != nil)
            // Pages of two, following NextContinuationToken.
            var seen: [String] = []
            var token: String?
            repeat {
                let query = "/bucket?list-type=2&max-keys=2&delimiter=/" + (token.map { "&continuation-token=" + URIEncoding.encode($0) } ?? "")
                let page = try await client.request(.get, query).xml
                seen += Self.keys(page) + Self.prefixes(page)
                token = page?.value("NextContinuationToken")
                #expect((token != nil) == (page?.value("IsTruncated") == "true"))
            } while token != nil
            #expect(seen == ["a.txt", "dir/", "z z+plus", "zeta"])
            let after = try await client.request(.get, "/bucket?list-type=2&start-after=dir/three").xml
            #expect(Self.keys(after) == ["z z+plus", "zeta"] && after?.value("StartAfter") == "dir/three")
            let encoded = try await client.request(.get, "/bucket?list-type=2&prefix=z&encoding-type=url").xml
            #expect(Self.keys(encoded) == ["z%20z%2Bplus", "zeta"] && encoded?.value("EncodingType") == "url")
            #expect(try await client.request(.get, "/bucket?list-type=2&continuation-token=%%%").status == .badRequest)
        }
    }

    @Test func listObjectsV1EchoesMarker() async throws {
        try await S3TestServer.run { client in
            try await Self.filled(client)
            let first = try await client.request(.get, "/bucket?max-keys=3").xml
            #expect(first?.value("Marker") == "" && first?.value("IsTruncated") == "true")
            #expect(Self.keys(first) == ["a.txt", "dir/one", "dir/sub/two"])
            #expect(first?.child("Contents")?.child("Owner") != nil)
            let next = try #require(first?.value("NextMarker"))
            let second = try await client.request(.get, "/bucket?max-keys=3&marker=" + URIEncoding.encode(next)).xml
            #expect(second?.value("Marker") == next && Self.keys(second) == ["dir/three", "z z+plus", "zeta"])
            #expect(second?.value("IsTruncated") == "false" && second?.value("NextMarker") == nil)
            let empty = try await client.request(.get, "/bucket?prefix=nothing").xml
            #expect(empty?.name == "ListBucketResult" && Self.keys(empty).isEmpty)
        }
    }

    @Test func listObjectVersionsOfAnUnversionedBucket() async throws {
        try await S3TestServer.run { client in
            try await Self.filled(client)
            let versions = try await client.request(.get, "/bucket?versions&max-keys=4").xml
            #expect(versions?.name == "ListVersionsResult")
            let entries = versions?.children("Version") ?? []
            #expect(entries.compactMap { $0.value("Key") } == ["a.txt", "dir/one", "dir/sub/two", "dir/three"])
            #expect(entries.allSatisfy { $0.value("VersionId") == "null" && $0.value("IsLatest") == "true" })
            #expect(versions?.value("NextKeyMarker") == "dir/three" && versions?.value("NextVersionIdMarker") == "null")
            let rest = try await client.request(.get, "/bucket?versions&key-marker=dir/three&version-id-marker=null").xml
            #expect(Self.keys(rest, "Version") == ["z z+plus", "zeta"])
        }
    }
}
