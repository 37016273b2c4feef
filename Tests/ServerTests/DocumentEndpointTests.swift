import Gzip
import DocStore
import HTTPTypes
import Testing
@testable import Server

@Suite struct DatabaseEndpointTests {
    @Test func createInfoDelete() async throws {
        try await TestServer.run { client in
            #expect(try await client.request(.put, "/db").status == .created)
            let again = try await client.request(.put, "/db")
            #expect(again.status == .preconditionFailed && again.error == "file_exists")
            let bad = try await client.request(.put, "/Bad")
            #expect(bad.status == .badRequest && bad.error == "illegal_database_name")
            #expect(try await client.request(.put, "/withq?q=8&n=3").status == .created)
            let info = try await client.request(.get, "/db")
            #expect(info.json["db_name"] == "db" && info.json["doc_count"] == 0)
            #expect(info.json["update_seq"]?.stringValue?.hasPrefix("0") == true)
            #expect(try await client.request(.head, "/db").status == .ok)
            #expect(try await client.request(.put, "/a%2Fb").status == .created)
            #expect(try await client.request(.get, "/a%2Fb").json["db_name"] == "a/b")
            #expect(try await client.request(.delete, "/db").status == .ok)
            let missing = try await client.request(.get, "/db")
            #expect(missing.status == .notFound && missing.json["reason"] == "Database does not exist.")
            #expect(try await client.request(.delete, "/db").status == .notFound)
        }
    }

    @Test func purgeAndConflicts() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            _ = try await client.request(.post, "/db/_bulk_docs", json: [
                "new_edits": false,
                "docs": [["_id": "c", "_rev": "1-aaa", "v": 1], ["_id": "c", "_rev": "1-bbb", "v": 2]],
            ])
            let read = try await client.request(.get, "/db/c?conflicts=true")
            #expect(read.json["_rev"] == "1-bbb" && read.json["_conflicts"] == ["1-aaa"])
            let purged = try await client.request(.post, "/db/_purge", json: ["c": ["1-bbb"]])
            #expect(purged.status == .created && purged.json["purged"]?["c"] == ["1-bbb"])
            #expect(try await client.request(.get, "/db/c").json["_rev"] == "1-aaa")
            #expect(try await client.request(.get, "/db").json["purge_seq"]?.stringValue?.hasPrefix("1") == true)
            #expect(try await client.request(.post, "/db/_purge", json: ["c": "1-aaa"]).status == .badRequest)
        }
    }

    @Test func databaseUpdatesFeed() async throws {
        try await TestServer.run { client in
            async let waited = client.request(.get, "/_db_updates?feed=longpoll&timeout=10000")
            try await Task.sleep(for: .milliseconds(200))
            try await client.request(.put, "/fresh")
            let reply = try await waited
            #expect(reply.json["results"]?[0]?["db_name"] == "fresh")
            #expect(reply.json["results"]?[0]?["type"] == "created")
            let quiet = try await client.request(.get, "/_db_updates?feed=continuous&timeout=100")
            #expect(quiet.status == .ok)
            #expect(try await client.request(.get, "/_db_updates").json["results"] == [])
        }
    }

    @Test func compactAndFullCommitAreAnswered() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            #expect(try await client.request(.post, "/db/_compact", json: [:]).status == .accepted)
            #expect(try await client.request(.post, "/db/_compact", body: []).status == .unsupportedMediaType)
            #expect(try await client.request(.post, "/db/_view_cleanup", json: [:]).status == .accepted)
            #expect(try await client.request(.post, "/db/_ensure_full_commit", json: [:]).status == .created)
            #expect(try await client.request(.put, "/db/_revs_limit", json: 5).status == .ok)
            #expect(try await client.request(.get, "/db/_revs_limit").json == 5)
            #expect(try await client.request(.put, "/db/_revs_limit", json: "x").status == .badRequest)
        }
    }
}

@Suite struct DocumentEndpointTests {
    @Test func crudWithETags() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let created = try await client.request(.put, "/db/doc", json: ["a": 1])
            #expect(created.status == .created)
            let rev = try #require(created.json["rev"]?.stringValue)
            #expect(created.headers[.eTag] == "\"\(rev)\"")
            let read = try await client.request(.get, "/db/doc")
            #expect(read.json["_id"] == "doc" && read.json["_rev"] == .string(rev) && read.json["a"] == 1)
            let notModified = try await client.request(.get, "/db/doc", headers: [.ifNoneMatch: "\"\(rev)\""])
            #expect(notModified.status == .notModified)
            let conflict = try await client.request(.put, "/db/doc", json: ["a": 2])
            #expect(conflict.status == .conflict && conflict.error == "conflict")
            let updated = try await client.request(.put, "/db/doc", json: ["_rev": .string(rev), "a": 2])
            #expect(updated.status == .created)
            let rev2 = try #require(updated.json["rev"]?.stringValue)
            let viaIfMatch = try await client.request(.put, "/db/doc", json: ["a": 3], headers: [.ifMatch: rev2])
            #expect(viaIfMatch.status == .created)
            let rev3 = viaIfMatch.json["rev"]!.stringValue!
            #expect(try await client.request(.delete, "/db/doc").status == .conflict)
            #expect(try await client.request(.delete, "/db/doc?rev=\(rev3)").status == .ok)
            let gone = try await client.request(.get, "/db/doc")
            #expect(gone.status == .notFound && gone.json["reason"] == "deleted")
            let posted = try await client.request(.post, "/db", json: ["b": true])
            #expect(posted.status == .created && posted.json["id"]?.stringValue?.count == 32)
            let head = try await client.request(.head, "/db/\(posted.json["id"]!.stringValue!)")
            #expect(head.status == .ok && head.body.isEmpty)
        }
    }

    @Test func badInputGetsCouchErrors() async throws {
        try await TestServer.run(configure: { $0.limits.maxDocumentSize = 100; $0.limits.maxHTTPRequestSize = 10_000 }) { client in
            try await client.request(.put, "/db")
            let invalid = try await client.request(.put, "/db/x", body: Array("{nope".utf8), headers: [.contentType: "application/json"])
            #expect(invalid.status == .badRequest && invalid.error == "bad_request")
            // CouchDB reads a document PUT as JSON whatever its Content-Type says (POST /db checks it).
            let type = try await client.request(.put, "/db/typed", body: Array("{}".utf8), headers: [.contentType: "text/plain"])
            #expect(type.status == .created)
            let posted = try await client.request(.post, "/db", body: Array("{}".utf8), headers: [.contentType: "text/plain"])
            #expect(posted.status == .unsupportedMediaType)
            let array = try await client.request(.put, "/db/x", body: Array("[1]".utf8), headers: [.contentType: "application/json"])
            #expect(array.status == .badRequest && array.json["reason"] == "Document must be a JSON object")
            let special = try await client.request(.put, "/db/x", json: ["_foo": 1])
            #expect(special.status == .badRequest && special.error == "doc_validation")
            let big = try await client.request(.put, "/db/x", json: ["t": .string(String(repeating: "x", count: 200))])
            #expect(big.status == .contentTooLarge && big.error == "document_too_large")
            let huge = try await client.request(.put, "/db/x", json: ["t": .string(String(repeating: "x", count: 20_000))])
            #expect(huge.status == .contentTooLarge)
            let badRev = try await client.request(.get, "/db/x?rev=nonsense")
            #expect(badRev.status == .badRequest)
            // CouchDB acts on `revs=true` only and ignores other values.
            #expect(try await client.request(.get, "/db/x?revs=maybe").status == .notFound)
            #expect(try await client.request(.get, "/db/_underscore").status == .notFound)
            #expect(try await client.request(.get, "/db/x").status == .notFound)
            #expect(try await client.request(.get, "/db").json["doc_count"] == 1)
        }
    }

    @Test func readOptionsAndOpenRevisions() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let rev1 = try await client.request(.put, "/db/d", json: ["v": 1]).json["rev"]!.stringValue!
            _ = try await client.request(.post, "/db/_bulk_docs", json: [
                "new_edits": false,
                "docs": [["_id": "d", "_rev": "2-zzz", "_revisions": ["start": 2, "ids": ["zzz", .string(String(rev1.dropFirst(2)))]], "v": "b"]],
            ])
            let read = try await client.request(.get, "/db/d?revs=true&revs_info=true&conflicts=true&local_seq=true")
            #expect(read.json["_rev"] == "2-zzz")
            #expect(read.json["_revisions"]?["start"] == 2)
            #expect(read.json["_revs_info"]?.arrayValue?.count == 2)
            #expect(read.json["_local_seq"] != nil)
            let json: HTTPFields = [.accept: "application/json"]
            let all = try await client.request(.get, "/db/d?open_revs=all", headers: json)
            #expect(all.json.arrayValue?.count == 1)
            let listed = try await client.request(.get, "/db/d?open_revs=%5B%222-zzz%22,%229-nope%22%5D", headers: json)
            #expect(listed.json[0]?["ok"]?["_rev"] == "2-zzz")
            #expect(listed.json[1]?["missing"] == "9-nope")
            let mixed = try await client.request(.get, "/db/d?open_revs=all", headers: [.accept: "multipart/mixed"])
            #expect(mixed.headers[.contentType]?.hasPrefix("multipart/mixed") == true)
            #expect(mixed.text.contains("2-zzz"))
        }
    }

    /// `open_revs` as `multipart/mixed`, framed as CouchDB frames it for its replicator.
    @Test func openRevisionsAsMultipartStreamAttachmentsAfterTheJSON() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let rev1 = try await client.request(.put, "/db/m", json: [
                "_attachments": ["a.txt": ["content_type": "text/plain", "data": .string(Base64.encode(Array("hello".utf8)))]],
            ]).json["rev"]!.stringValue!
            let binary: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let rev2 = try await client.request(
                .put, "/db/m/b.bin?rev=\(rev1)", body: binary, headers: [.contentType: "application/octet-stream"]
            ).json["rev"]!.stringValue!
            let accept: HTTPFields = [.accept: "multipart/mixed"]

            let all = try await client.request(.get, "/db/m?open_revs=all&attachments=true", headers: accept)
            let contentType = try #require(all.headers[.contentType])
            let outer = try #require(contentType.split(separator: "\"").dropFirst().first.map(String.init))
            #expect(contentType == "multipart/mixed; boundary=\"\(outer)\"")
            var parts = all.body.split(separator: Array("--\(outer)".utf8))
            #expect(parts.last.map { Array($0) } == Array("--".utf8))
            parts.removeLast()
            #expect(parts.count == 1)
            let part = String(decoding: parts[0], as: UTF8.self)
            let inner = try #require(part.split(separator: "boundary=\"").dropFirst().first?.split(separator: "\"").first.map(String.init))
            let head = "\r\nContent-Type: multipart/related; boundary=\"\(inner)\"\r\n\r\n"
            #expect(part.hasPrefix(head + "--\(inner)\r\nContent-Type: application/json\r\n\r\n"))
            let pieces = String(part.dropFirst(head.count)).components(separatedBy: "\r\n--\(inner)")
            #expect(pieces.count == 4 && pieces[3] == "--\r\n")
            let json = try JSON.parse(Array(pieces[0].components(separatedBy: "\r\n\r\n").last!.utf8))
            #expect(json["_rev"]?.stringValue == rev2)
            #expect(json["_attachments"]?["a.txt"]?["follows"] == true && json["_attachments"]?["b.bin"]?["follows"] == true)
            #expect(json["_attachments"]?["a.txt"]?["data"] == nil)
            // text/plain travels as stored, gzip-encoded, with its encoding in the JSON and the part headers.
            let hello = GzipEncoder.compress(Array("hello".utf8))
            #expect(json["_attachments"]?["a.txt"]?["encoding"] == "gzip" && json["_attachments"]?["a.txt"]?["length"] == 5)
            #expect(json["_attachments"]?["a.txt"]?["encoded_length"] == .number(JSONNumber(hello.count)))
            let textHeader = "\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\nContent-Type: text/plain\r\nContent-Length: \(hello.count)\r\nContent-Encoding: gzip\r\n\r\n"
            let textPart = try #require(all.body.split(separator: Array("\r\n--\(inner)".utf8)).dropFirst(2).first)
            #expect(Array(textPart) == Array(textHeader.utf8) + hello)
            let header = "\r\nContent-Disposition: attachment; filename=\"b.bin\"\r\nContent-Type: application/octet-stream\r\nContent-Length: \(binary.count)\r\n\r\n"
            let binaryPart = try #require(all.body.split(separator: Array("\r\n--\(inner)".utf8)).dropFirst(3).first)
            #expect(Array(binaryPart) == Array(header.utf8) + binary)

            // atts_since: only attachments changed after the revisions the client has follow.
            let since = try await client.request(
                .get, "/db/m?open_revs=all&attachments=true&atts_since=%5B%22\(rev1)%22%5D", headers: accept)
            #expect(since.text.contains("filename=\"b.bin\"") && !since.text.contains("filename=\"a.txt\""))
            #expect(since.text.contains(#""a.txt":{"content_type":"text/plain","revpos":1"#) && since.text.contains(#""stub":true"#))

            // Attachments follow even without attachments=true, as CouchDB's replicator expects.
            let implicit = try await client.request(.get, "/db/m?open_revs=all", headers: accept)
            #expect(implicit.text.contains("filename=\"b.bin\"") && implicit.text.contains("filename=\"a.txt\""))

            // Without attachment bytes a revision is plain JSON; a missing one is marked as an error.
            let plain = try await client.request(
                .get, "/db/m?open_revs=%5B%22\(rev2)%22,%229-nope%22%5D&atts_since=%5B%22\(rev2)%22%5D", headers: accept)
            let plainOuter = try #require(plain.headers[.contentType]?.split(separator: "\"").dropFirst().first.map(String.init))
            let plainParts = plain.text.components(separatedBy: "--\(plainOuter)")
            #expect(plainParts.count == 4 && plainParts[0].isEmpty && plainParts[3] == "--")
            #expect(plainParts[1].hasPrefix("\r\nContent-Type: application/json\r\n\r\n{\"_id\":\"m\""))
            #expect(plainParts[1].contains(#""stub":true"#))
            #expect(plainParts[2] == "\r\nContent-Type: application/json; error=\"true\"\r\n\r\n{\"missing\":\"9-nope\"}\r\n")
        }
    }

    /// Answers found different from CouchDB 3.4.3's when both were asked the same.
    @Test func detailsAsCouchDBAnswersThem() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            // DELETE opens the document first.
            #expect(try await client.request(.delete, "/db/never?rev=1-abc").error == "not_found")
            let disagree = try await client.request(.put, "/db/x?rev=1-abc", json: ["_rev": "1-def"])
            #expect(disagree.status == .badRequest && disagree.json["reason"] == "Document rev from request body and query string have different values")
            // Location is absolute and percent-encoded; POST /db has no ETag.
            let posted = try await client.request(.post, "/db", json: ["_id": "p"])
            #expect(posted.headers[.eTag] == nil && posted.headers[.location]?.hasSuffix("/db/p") == true)
            #expect(posted.headers[.location]?.hasPrefix("http://") == true)
            let unicode = try await client.request(.put, "/db/caf%C3%A9", json: [:])
            #expect(unicode.headers[.location]?.hasSuffix("/db/caf%C3%A9") == true && unicode.headers[.eTag] != nil)
            let design = try await client.request(.put, "/db/_design/d", json: [:])
            #expect(design.headers[.location]?.hasSuffix("/db/_design%2Fd") == true)
            // A document created deleted is 200, not 201.
            #expect(try await client.request(.put, "/db/gone", json: ["_deleted": true]).status == .ok)
            #expect(try await client.request(.put, "/db/batch?batch=ok", json: [:]).headers[.location] == nil)
            // No ETag once the answer carries meta members.
            #expect(try await client.request(.get, "/db/p").headers[.eTag] != nil)
            #expect(try await client.request(.get, "/db/p?revs_info=true").headers[.eTag] == nil)
            // Bulk: all_or_nothing is refused; keys lookups have no offset.
            let all = try await client.request(.post, "/db/_bulk_docs", json: ["all_or_nothing": true, "docs": [["_id": "a"]]])
            #expect(all.status == .expectationFailed && all.json[0]?["error"] == "not_implemented" && all.json[0]?["rev"] == "0-")
            #expect(try await client.request(.post, "/db/_all_docs", json: ["keys": ["p"]]).json["offset"] == .null)
            #expect(try await client.request(.get, "/db/_changes?since=garbage").error == "bad_request")
            let commit = try await client.request(.post, "/db/_ensure_full_commit")
            #expect(commit.status == .unsupportedMediaType)
            let local = try await client.request(.put, "/db/_local/l", json: [:])
            #expect(local.headers[.location]?.hasSuffix("/db/_local%2Fl") == true)
            // Invalid documents fail a whole _bulk_docs with CouchDB's error names.
            let special = try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "fine"], ["_zz": 1]]])
            #expect(special.status == .badRequest && special.error == "doc_validation")
            #expect(try await client.request(.get, "/db/fine").status == .notFound)
            #expect(try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "_bad"]]]).error == "illegal_docid")
            let noRev = try await client.request(.post, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "n"]]])
            #expect(noRev.status == .badRequest && noRev.error == "bad_request")
            let history = try await client.request(
                .post, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "h", "_revisions": ["start": "x"]]]])
            #expect(history.error == "doc_validation" && history.json["reason"] == "_revisions.start isn't an integer.")
            #expect(try await client.request(.put, "/db/d", json: ["_deleted": "yes"]).error == "doc_validation")
            #expect(try await client.request(.get, "/db/_bad").error == "not_found")
            #expect(try await client.request(.put, "/db/_bad", json: [:]).error == "illegal_docid")
            // latest=true opens the winner whatever rev names; a filter's design document must exist.
            let first = try await client.request(.put, "/db/l", json: ["v": 1]).json["rev"]!.stringValue!
            try await client.request(.put, "/db/l", json: ["_rev": .string(first), "v": 2])
            #expect(try await client.request(.get, "/db/l?rev=\(first)&latest=true").json["v"] == 2)
            #expect(try await client.request(.get, "/db/_changes?filter=nope/f").status == .notFound)
            #expect(try await client.request(.get, "/db/_changes?filter=nope").status == .badRequest)
        }
    }

    /// CouchDB's `pending`: what its fold did not go through (descending: all but the
    /// rows read; `_doc_ids`, looked up rather than folded: all but the rows sent).
    @Test func pendingCountsAsCouchDBs() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            for id in ["a", "b", "c", "d"] { try await client.request(.put, "/db/\(id)", json: [:]) }
            #expect(try await client.request(.get, "/db/_changes?limit=1").json["pending"] == 3)
            #expect(try await client.request(.get, "/db/_changes?descending=true&limit=1").json["pending"] == 3)
            #expect(try await client.request(.get, "/db/_changes?descending=true").json["pending"] == 0)
            #expect(try await client.request(.get, "/db/_changes?filter=_doc_ids&doc_ids=%5B%22b%22%5D").json["pending"] == 3)
        }
    }

    @Test func copyDocument() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            try await client.request(.put, "/db/src", json: ["v": 1])
            let copied = try await client.request(.init("COPY")!, "/db/src", headers: [.init("Destination")!: "dst"])
            #expect(copied.status == .created)
            #expect(try await client.request(.get, "/db/dst").json["v"] == 1)
            #expect(try await client.request(.init("COPY")!, "/db/src").status == .badRequest)
        }
    }

    @Test func localDocuments() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let put = try await client.request(.put, "/db/_local/cp", json: ["seq": 1])
            #expect(put.json["rev"] == "0-1")
            #expect(try await client.request(.get, "/db/_local/cp").json["seq"] == 1)
            #expect(try await client.request(.put, "/db/_local/cp", json: ["_rev": "0-1", "seq": 2]).json["rev"] == "0-2")
            #expect(try await client.request(.get, "/db/_local_docs").json["rows"]?.arrayValue?.count == 1)
            #expect(try await client.request(.get, "/db/_all_docs").json["rows"] == [])
            // CouchDB's replicator writes its checkpoints with a `_revisions` of generation 0.
            let checkpoint = try await client.request(
                .put, "/db/_local/cp", json: ["_rev": "0-2", "_revisions": ["start": 0, "ids": ["2"]], "seq": 3])
            #expect(checkpoint.status == .created && checkpoint.json["rev"] == "0-3")
            #expect(try await client.request(.delete, "/db/_local/cp?rev=0-3").status == .ok)
            #expect(try await client.request(.get, "/db/_local/cp").status == .notFound)
        }
    }
}
