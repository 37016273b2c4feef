import HTTPTypes
import Hummingbird
import NIOCore
import ObjectStore

extension S3Service {
    /// PutObject: streams the body into the store, which verifies length, Content-MD5,
    /// `x-amz-content-sha256` and checksums before anything becomes visible.
    func putObject(_ request: S3Request, bucket: String, key: String, _ body: S3Body) async throws -> Response {
        let metadata = try ObjectHeaders.metadata(request)
        let result = try await store.putObject(
            bucket: bucket, key: key, body: body, contentLength: body.contentLength, metadata: metadata,
            expectedMD5: body.expectedMD5, expectedSHA256: body.expectedSHA256, checksums: try body.checksumRequest(request))
        var headers: HTTPFields = [.eTag: result.etag]
        ObjectHeaders.addChecksums(result.checksums, to: &headers)
        return Self.empty(headers: headers)
    }

    /// GetObject and HeadObject: conditions, one range, `response-*` overrides; the body
    /// streams chunk by chunk from one snapshot.
    func getObject(_ request: S3Request, bucket: String, key: String, head: Bool) throws -> Response {
        let range = ObjectHeaders.range(request.header(.range))
        let info: ObjectInfo
        var resolved: ClosedRange<Int>?
        var content: ObjectContent?
        do {
            if head {
                info = try store.headObject(bucket: bucket, key: key)
                resolved = try range?.resolved(size: info.size)
            } else {
                let object = try store.getObject(bucket: bucket, key: key, range: range)
                (info, resolved, content) = (object.info, object.range, object)
            }
        } catch let error as ObjectStoreError where error.code == .invalidRange {
            // Conditions come first: a failed one answers 412/304 whatever the range.
            let current = try store.headObject(bucket: bucket, key: key)
            try ObjectHeaders.checkConditions(request, current)
            var answer = S3Error(error)
            answer.headers[.contentRange] = "bytes */\(current.size)"
            throw answer
        }
        try ObjectHeaders.checkConditions(request, info)
        var headers = ObjectHeaders.fields(info, request: request, wholeObject: resolved == nil)
        var status = HTTPResponse.Status.ok
        var length = info.size
        if let resolved {
            status = .partialContent
            length = resolved.count
            headers[.contentRange] = "bytes \(resolved.lowerBound)-\(resolved.upperBound)/\(info.size)"
        }
        headers[.contentLength] = String(length)
        guard let content, !head else { return Response(status: status, headers: headers, body: .init()) }
        let source = content.body.byteBuffers
        let body = ResponseBody(contentLength: length) { writer in
            for try await buffer in source {
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// DeleteObject: 204 whether or not the key existed.
    func deleteObject(bucket: String, key: String) async throws -> Response {
        try await store.deleteObject(bucket: bucket, key: key)
        return Self.empty(.noContent)
    }

    /// DeleteObjects: up to 1000 keys in one durable commit; quiet mode reports errors only.
    func deleteObjects(_ request: S3Request, bucket: String, _ body: S3Body) async throws -> Response {
        let document = try await self.document(body)
        guard document.name == "Delete" else { throw S3Error.malformedXML }
        let objects = document.children("Object")
        guard !objects.isEmpty, objects.count <= 1000 else { throw S3Error.malformedXML }
        let keys = try objects.map { object throws(S3Error) -> String in
            guard let key = object.value("Key") else { throw .malformedXML }
            return key
        }
        let quiet = document.value("Quiet")?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
        let results = try await store.deleteObjects(bucket: bucket, keys: keys)
        var xml = XMLWriter()
        xml.open("DeleteResult")
        for result in results {
            switch result {
            case .deleted(let key):
                guard !quiet else { continue }
                xml.element("Deleted") { xml in xml.element("Key", key) }
            case .failed(let key, let error):
                xml.element("Error") { xml in
                    xml.element("Key", key)
                    xml.element("Code", error.code.rawValue)
                    xml.element("Message", error.message)
                }
            }
        }
        xml.close("DeleteResult")
        return Self.xml(xml)
    }
}

extension ObjectBody {
    /// The bytes as NIO buffers: chunks are read (or decompressed) straight into the
    /// buffers NIO sends (the S3 and app ports serve objects through this).
    var byteBuffers: Buffers<ByteBuffer> {
        buffers { count, fill in
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { memory in
                try fill(UnsafeMutableRawBufferPointer(rebasing: memory.prefix(count)))
                return count
            }
            return buffer
        }
    }
}
