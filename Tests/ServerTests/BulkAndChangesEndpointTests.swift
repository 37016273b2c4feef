import Gzip
import DocStore
import HTTPTypes
import Testing
@testable import Server

@Suite struct BulkEndpointTests {
    @Test func bulkDocsAndBulkGet() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let rev = try await client.request(.put, "/db/taken", json: [:]).json["rev"]!
            let bulk = try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "a"], ["_id": "taken"], ["_id": "taken", "_rev": rev]]])
            #expect(bulk.status == .created)
            #expect(bulk.json[0]?["ok"] == true)
            #expect(bulk.json[1]?["error"] == "conflict")
            #expect(bulk.json[2]?["ok"] == true)
            let replicated = try await client.request(.post, "/db/_bulk_docs", json: ["new_edits": false, "docs": [["_id": "r", "_rev": "3-abc"]]])
            #expect(replicated.json == [])
            #expect(try await client.request(.post, "/db/_bulk_docs", json: ["nodocs": []]).status == .badRequest)
            let get = try await client.request(.post, "/db/_bulk_get?revs=true", json: ["docs": [["id": "a"], ["id": "r", "rev": "3-abc"], ["id": "nope"]]])
            let results = try #require(get.json["results"]?.arrayValue)
            #expect(results[0]["docs"]?[0]?["ok"]?["_id"] == "a")
            #expect(results[1]["docs"]?[0]?["ok"]?["_revisions"]?["start"] == 3)
            #expect(results[2]["docs"]?[0]?["error"]?["error"] == "not_found")
        }
    }

    @Test func allDocsAndFriends() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            _ = try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "a"], ["_id": "b"], ["_id": "c"], ["_id": "_design/x"]]])
            let all = try await client.request(.get, "/db/_all_docs")
            #expect(all.json["total_rows"] == 4 && all.json["offset"] == 0)
            #expect(all.json["rows"]?.arrayValue?.map { $0["id"]! } == ["_design/x", "a", "b", "c"])
            let range = try await client.request(.get, "/db/_all_docs?startkey=%22b%22&include_docs=true&limit=1")
            #expect(range.json["rows"]?[0]?["doc"]?["_id"] == "b")
            #expect(range.json["offset"] == 2)
            let keys = try await client.request(.post, "/db/_all_docs", json: ["keys": ["c", "zz"]])
            #expect(keys.json["rows"]?[1]?["error"] == "not_found")
            let design = try await client.request(.get, "/db/_design_docs")
            #expect(design.json["rows"]?.arrayValue?.count == 1)
            let queries = try await client.request(.post, "/db/_all_docs/queries", json: ["queries": [["keys": ["a"]], ["limit": 2, "skip": 1]]])
            #expect(queries.json["results"]?[1]?["rows"]?.arrayValue?.count == 2)
            #expect(try await client.request(.get, "/db/_all_docs?limit=-1").error == "query_parse_error")
            let diff = try await client.request(.post, "/db/_revs_diff", json: ["a": ["1-x"]])
            #expect(diff.json["a"]?["missing"] == ["1-x"])
            let missing = try await client.request(.post, "/db/_missing_revs", json: ["a": ["1-x"]])
            #expect(missing.json["missing_revs"]?["a"] == ["1-x"])
        }
    }

    @Test func securityAndMembership() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let user: JSON = ["_id": "org.couchdb.user:bob", "name": "bob", "password": "pw", "roles": ["staff"], "type": "user"]
            #expect(try await client.request(.put, "/_users/org.couchdb.user:bob", json: user).status == .created)
            let stored = try await client.request(.get, "/_users/org.couchdb.user:bob")
            #expect(stored.json["password"] == nil && stored.json["derived_key"] != nil && stored.json["password_scheme"] == "pbkdf2")
            let bob = TestServer.Client.basic("bob", "pw")
            // New databases are admin-only (CouchDB 3).
            let denied = try await client.request(.get, "/db", auth: bob)
            #expect(denied.status == .forbidden)
            #expect(try await client.request(.get, "/db", auth: nil).status == .unauthorized)
            #expect(try await client.request(.put, "/db/_security", json: ["members": ["roles": ["staff"]]], auth: bob).status == .forbidden)
            #expect(try await client.request(.put, "/db/_security", json: ["members": ["roles": ["staff"]]]).status == .ok)
            #expect(try await client.request(.get, "/db", auth: bob).status == .ok)
            #expect(try await client.request(.put, "/db/doc", json: [:], auth: bob).status == .created)
            #expect(try await client.request(.put, "/db/_design/d", json: [:], auth: bob).error == "forbidden")
            #expect(try await client.request(.put, "/db/_security", json: ["members": ["names": 3]]).status == .badRequest)
            // `_users` is for admins only, and stays so (CouchDB 3.4: its security cannot be
            // edited; listing it needs a server admin).
            #expect(try await client.request(.get, "/_users/org.couchdb.user:bob", auth: bob).status == .forbidden)
            #expect(try await client.request(.get, "/_users/_all_docs", auth: bob).status == .unauthorized)
            #expect(try await client.request(.get, "/_users/org.couchdb.user:admin", auth: bob).status == .forbidden)
            #expect(try await client.request(.put, "/_users/_security", json: [:]).status == .forbidden)
            // CouchDB answers 401 to a logged-in user on server-admin endpoints.
            #expect(try await client.request(.put, "/db2", auth: bob).status == .unauthorized)
            #expect(try await client.request(.get, "/_all_dbs", auth: bob).error == "unauthorized")
            let session = try await client.request(.get, "/_session", auth: bob)
            #expect(session.json["userCtx"]?["roles"] == ["staff"])
        }
    }
}

@Suite struct ChangesEndpointTests {
    @Test func normalFeedAndFilters() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            _ = try await client.request(.post, "/db/_bulk_docs", json: ["docs": [["_id": "a", "n": 1], ["_id": "b", "n": 2], ["_id": "_design/d"]]])
            let feed = try await client.request(.get, "/db/_changes")
            #expect(feed.json["results"]?.arrayValue?.count == 3)
            #expect(feed.json["last_seq"]?.stringValue?.hasPrefix("3") == true)
            #expect(feed.json["pending"] == 0)
            let limited = try await client.request(.get, "/db/_changes?limit=1&include_docs=true")
            // One batch takes its sequences in id order, as CouchDB's: "_" sorts before "a".
            #expect(limited.json["results"]?[0]?["doc"]?["_id"] == "_design/d")
            #expect(limited.json["pending"] == 2)
            let since = try await client.request(.get, "/db/_changes?since=2")
            #expect(since.json["results"]?.arrayValue?.count == 1)
            let ids = try await client.request(.post, "/db/_changes?filter=_doc_ids", json: ["doc_ids": ["b"]])
            #expect(ids.json["results"]?.arrayValue?.map { $0["id"]! } == ["b"])
            let design = try await client.request(.get, "/db/_changes?filter=_design")
            #expect(design.json["results"]?.arrayValue?.map { $0["id"]! } == ["_design/d"])
            // Design documents are looked up, not folded: pending is all changes but those sent.
            #expect(design.json["pending"] == 2)
            let selector = try await client.request(.post, "/db/_changes?filter=_selector", json: ["selector": ["n": ["$gt": 1]]])
            #expect(selector.json["results"]?.arrayValue?.map { $0["id"]! } == ["b"])
            // A filter the design document lacks and a missing design document are 404s.
            #expect(try await client.request(.get, "/db/_changes?filter=d/f").json == ["error": "not_found", "reason": "missing json key: filters"])
            #expect(try await client.request(.get, "/db/_changes?filter=ddoc/f").status == .notFound)
            #expect(try await client.request(.get, "/db/_changes?feed=bogus").status == .badRequest)
            let now = try await client.request(.get, "/db/_changes?since=now")
            #expect(now.json["results"] == [])
        }
    }

    @Test func longpollWaitsForAWrite() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            async let waited = client.request(.get, "/db/_changes?feed=longpoll&since=now&timeout=10000")
            try await Task.sleep(for: .milliseconds(200))
            try await client.request(.put, "/db/late", json: [:])
            let reply = try await waited
            #expect(reply.json["results"]?[0]?["id"] == "late")
            let timedOut = try await client.request(.get, "/db/_changes?feed=longpoll&since=now&timeout=100")
            #expect(timedOut.json["results"] == [])
        }
    }

    @Test func continuousAndEventSourceFeeds() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            try await client.request(.put, "/db/one", json: [:])
            async let continuous = client.request(.get, "/db/_changes?feed=continuous&limit=2")
            try await Task.sleep(for: .milliseconds(200))
            try await client.request(.put, "/db/two", json: [:])
            let lines = try await continuous.text.split(separator: "\n").map { try JSON.parse(String($0)) }
            #expect(lines.compactMap { $0["id"]?.stringValue } == ["one", "two"])
            #expect(lines.last?["last_seq"] != nil)
            let timeout = try await client.request(.get, "/db/_changes?feed=continuous&timeout=100&since=now")
            #expect(timeout.text.contains("last_seq"))
            let events = try await client.request(.get, "/db/_changes?feed=eventsource&timeout=100")
            #expect(events.headers[.contentType] == "text/event-stream")
            #expect(events.text.contains("data: {\"seq\"") && events.text.contains("\nid: "))
        }
    }
}

@Suite struct AttachmentEndpointTests {
    @Test func standaloneAttachmentsAndRanges() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let bytes = Array("0123456789".utf8)
            // An identity type: ranges apply (gzip-stored attachments answer them whole, below).
            let put = try await client.request(.put, "/db/doc/file.txt", body: bytes, headers: [.contentType: "application/x-data"])
            #expect(put.status == .created)
            let rev = put.json["rev"]!.stringValue!
            let get = try await client.request(.get, "/db/doc/file.txt")
            #expect(get.body == bytes && get.headers[.contentType] == "application/x-data")
            // CouchDB's attachment ETag is the bare base64 MD5.
            #expect(get.headers[.eTag] == "\"eB5eJF1ptWaXm4bijSPyxw==\"" && get.headers[.acceptRanges] == "bytes")
            #expect(get.headers[.contentSecurityPolicy] == "sandbox" && get.headers[.cacheControl] == "must-revalidate")
            let range = try await client.request(.get, "/db/doc/file.txt", headers: [.range: "bytes=2-4"])
            #expect(range.status == .partialContent && range.text == "234")
            #expect(range.headers[.contentRange] == "bytes 2-4/10")
            let suffix = try await client.request(.get, "/db/doc/file.txt", headers: [.range: "bytes=-3"])
            #expect(suffix.text == "789")
            #expect(try await client.request(.get, "/db/doc/file.txt", headers: [.range: "bytes=50-60"]).status == .rangeNotSatisfiable)
            // Several ranges: multipart/byteranges, each part with its Content-Range.
            let parts = try await client.request(.get, "/db/doc/file.txt", headers: [.range: "bytes=0-1,4-5"])
            let type = try #require(parts.headers[.contentType])
            #expect(parts.status == .partialContent && type.hasPrefix("multipart/byteranges; boundary=\""))
            let boundary = type.split(separator: "\"")[1]
            #expect(parts.text == "--\(boundary)\r\nContent-Type: application/x-data\r\nContent-Range: bytes 0-1/10\r\n\r\n01"
                + "\r\n--\(boundary)\r\nContent-Type: application/x-data\r\nContent-Range: bytes 4-5/10\r\n\r\n45\r\n--\(boundary)--")
            #expect(parts.headers[.eTag] == nil)
            #expect(try await client.request(.get, "/db/doc/file.txt", headers: [.range: "bytes=0-1,20-30"]).status == .rangeNotSatisfiable)
            // attachments=true: multipart/related to a client that takes it (no Accept is
            // `*/*`), JSON to one that asks for JSON only.
            let related = try await client.request(.get, "/db/doc?attachments=true")
            #expect(related.headers[.contentType]?.hasPrefix("multipart/related; boundary=") == true)
            #expect(related.text.contains("\"follows\":true") && related.text.contains("\r\n\r\n0123456789\r\n--"))
            let plainJSON = try await client.request(.get, "/db/doc?attachments=true", headers: [.accept: "application/json"])
            #expect(plainJSON.json["_attachments"]?["file.txt"]?["data"] == "MDEyMzQ1Njc4OQ==")
            let refused = try await client.request(.get, "/db/doc?attachments=true", headers: [.accept: "*/*, multipart/*;q=0"])
            #expect(refused.headers[.contentType] == "application/json")
            let doc = try await client.request(.get, "/db/doc")
            #expect(doc.json["_attachments"]?["file.txt"]?["stub"] == true)
            #expect(doc.json["_attachments"]?["file.txt"]?["length"] == 10)
            let inline = try await client.request(.get, "/db/doc?attachments=true", headers: [.accept: "application/json"])
            #expect(inline.json["_attachments"]?["file.txt"]?["data"] == .string(Base64.encode(bytes)))
            let second = try await client.request(.put, "/db/doc/dir/b.bin?rev=\(rev)", body: [1, 2, 3], headers: [.contentType: "application/octet-stream"])
            #expect(second.status == .created)
            #expect(try await client.request(.get, "/db/doc/dir/b.bin").body == [1, 2, 3])
            #expect(try await client.request(.get, "/db/doc/file.txt").body == bytes)
            let rev2 = second.json["rev"]!.stringValue!
            #expect(try await client.request(.delete, "/db/doc/file.txt?rev=\(rev2)").status == .ok)
            #expect(try await client.request(.get, "/db/doc/file.txt").status == .notFound)
        }
    }

    /// Compressible types are stored gzip-encoded (CouchDB's compressible_types): sent
    /// encoded to clients that accept gzip, decoded to the others, never by ranges.
    @Test func compressibleAttachmentsAreStoredAndServedAsCouchDBDoes() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            // The text CouchDB 3.4.3 answered `md5-a/j7X3rnhw57WfxV2ZfNRw==`, length 1334, encoded_length 183 for.
            let text = Array((0..<64).map { "line \($0) of some text\n" }.joined().utf8)
            let put = try await client.request(.put, "/db/doc/note.txt", body: text, headers: [.contentType: "text/plain"])
            #expect(put.status == .created)
            let stub = try await client.request(.get, "/db/doc?att_encoding_info=true").json["_attachments"]?["note.txt"]
            #expect(stub?["digest"] == "md5-a/j7X3rnhw57WfxV2ZfNRw==" && stub?["length"] == 1334)
            #expect(stub?["encoding"] == "gzip" && stub?["encoded_length"] == 183)
            #expect(try await client.request(.get, "/db/doc").json["_attachments"]?["note.txt"]?["encoding"] == nil)

            let plain = try await client.request(.get, "/db/doc/note.txt", headers: [.range: "bytes=0-3"])
            #expect(plain.status == .ok && plain.body == text && plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.acceptRanges] == "none" && plain.headers[.contentLength] == "1334")
            let encoded = try await client.request(.get, "/db/doc/note.txt", headers: [.acceptEncoding: "gzip, deflate"])
            #expect(encoded.headers[.contentEncoding] == "gzip" && encoded.headers[.contentLength] == "183")
            #expect(encoded.body == GzipEncoder.compress(text))
            #expect(try GzipDecoder.decompress(encoded.body) == text)
            #expect(try await client.request(.get, "/db/doc/note.txt", headers: [.acceptEncoding: "gzip;q=0"]).body == text)

            // Inline data is always decoded; a body sent gzip-encoded is stored as it came.
            let inline = try await client.request(.get, "/db/doc?attachments=true", headers: [.accept: "application/json"])
                .json["_attachments"]?["note.txt"]
            #expect(inline?["data"] == .string(Base64.encode(text)) && inline?["length"] == nil)
            let rev = put.json["rev"]!.stringValue!
            let gzipped = GzipEncoder.compress(Array("already gzip".utf8), level: 1)
            let sent = try await client.request(
                .put, "/db/doc/pre.bin?rev=\(rev)", body: gzipped,
                headers: [.contentType: "application/octet-stream", .contentEncoding: "gzip"])
            #expect(sent.status == .created)
            let preStub = try await client.request(.get, "/db/doc?att_encoding_info=true").json["_attachments"]?["pre.bin"]
            #expect(preStub?["encoding"] == "gzip" && preStub?["encoded_length"] == .number(JSONNumber(gzipped.count)))
            #expect(try await client.request(.get, "/db/doc/pre.bin").body == Array("already gzip".utf8))
        }
    }

    @Test func multipartRelatedUpload() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let boundary = "abc123"
            let json = #"{"_id":"m","title":"x","_attachments":{"a.txt":{"follows":true,"content_type":"text/plain","length":5}}}"#
            let body = "--\(boundary)\r\nContent-Type: application/json\r\n\r\n\(json)\r\n--\(boundary)\r\n\r\nhello\r\n--\(boundary)--"
            let reply = try await client.request(.put, "/db/m", body: Array(body.utf8), headers: [.contentType: "multipart/related; boundary=\"\(boundary)\""])
            #expect(reply.status == .created)
            #expect(try await client.request(.get, "/db/m/a.txt").text == "hello")
            #expect(try await client.request(.get, "/db/m").json["title"] == "x")
            let broken = try await client.request(.put, "/db/n", body: Array("--zz\r\n".utf8), headers: [.contentType: "multipart/related; boundary=zz"])
            #expect(broken.status == .badRequest)
        }
    }

    /// CouchDB's replicator pushes compressible attachments as it stores them: gzip
    /// bytes, with `encoding`, `encoded_length` and the decoded `length` in the JSON.
    /// They are kept as sent (before, the gzip bytes were taken for the data).
    @Test func replicatedGzipAttachmentsKeepTheirEncoding() async throws {
        try await TestServer.run { client in
            try await client.request(.put, "/db")
            let text = Array(String(repeating: "gzip me please; ", count: 80).utf8)
            let gzip = GzipEncoder.compress(text)
            let digest = RevisionHash.attachmentDigest(gzip)
            let json = #"{"_id":"r","_rev":"1-0123456789abcdef0123456789abcdef","_revisions":{"start":1,"ids":["0123456789abcdef0123456789abcdef"]},"_attachments":{"t.txt":{"content_type":"text/plain","revpos":1,"digest":"\#(digest)","length":\#(text.count),"follows":true,"encoding":"gzip","encoded_length":\#(gzip.count)}}}"#
            let body = Array("--b\r\nContent-Type: application/json\r\n\r\n\(json)\r\n--b\r\nContent-Disposition: attachment; filename=\"t.txt\"\r\nContent-Type: text/plain\r\nContent-Length: \(gzip.count)\r\nContent-Encoding: gzip\r\n\r\n".utf8)
                + gzip + Array("\r\n--b--".utf8)
            let reply = try await client.request(
                .put, "/db/r?new_edits=false", body: body, headers: [.contentType: "multipart/related; boundary=\"b\""])
            #expect(reply.status == .created)
            #expect(try await client.request(.get, "/db/r/t.txt").body == text)
            let stub = try await client.request(.get, "/db/r?att_encoding_info=true").json["_attachments"]?["t.txt"]
            #expect(stub?["digest"] == .string(digest) && stub?["length"] == .number(JSONNumber(text.count)))
            #expect(stub?["encoded_length"] == .number(JSONNumber(gzip.count)))
        }
    }
}
