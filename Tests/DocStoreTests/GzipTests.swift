import Gzip
import Testing

/// The gzip coder attachments are stored with: CouchDB's bytes, any cut of the input.
@Suite struct GzipTests {
    /// CouchDB 3.4.3 stored this text as 183 gzip bytes with digest md5-a/j7X3rnhw57WfxV2ZfNRw==
    /// (the same zlib, level 8): identical bytes are what make replicas' digests agree.
    @Test func matchesCouchDBsEncoding() throws {
        let text = Array((0..<64).map { "line \($0) of some text\n" }.joined().utf8)
        let encoded = GzipEncoder.compress(text)
        #expect(encoded.count == 183)
        #expect(try GzipDecoder.decompress(encoded) == text)
    }

    @Test(arguments: [1, 7, 4096, 100_000])
    func outputDoesNotDependOnHowTheInputIsCut(piece: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let words = (0..<5000).map { _ in ["alpha", "beta", "gamma", "δέλτα"].randomElement(using: &generator)! }
        let input = Array(words.joined(separator: " ").utf8)
        let encoder = GzipEncoder()
        var encoded: [UInt8] = []
        for start in stride(from: 0, to: input.count, by: piece) {
            encoded += encoder.update(input[start..<min(start + piece, input.count)])
        }
        encoded += encoder.finish()
        #expect(encoded == GzipEncoder.compress(input))
        let decoder = GzipDecoder()
        var decoded: [UInt8] = []
        for start in stride(from: 0, to: encoded.count, by: piece) {
            decoded += try decoder.update(encoded[start..<min(start + piece, encoded.count)])
        }
        try decoder.finish()
        #expect(decoded == input)
    }

    @Test func largeOutputIsNotLeftInsideZlib() throws {
        // 4 MiB of zeros compress to a few KiB: one small input piece yields many output pieces.
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        #expect(try GzipDecoder.decompress(GzipEncoder.compress(zeros)) == zeros)
    }

    @Test func concatenatedMembersDecodeInTurn() throws {
        let joined = GzipEncoder.compress(Array("one ".utf8)) + GzipEncoder.compress(Array("two".utf8))
        #expect(try GzipDecoder.decompress(joined) == Array("one two".utf8))
    }

    @Test func truncatedOrCorruptInputIsAnError() {
        let encoded = GzipEncoder.compress(Array(repeating: UInt8(ascii: "x"), count: 1000))
        #expect(throws: GzipError.self) { try GzipDecoder.decompress(encoded.dropLast(4)) }
        #expect(throws: GzipError.self) { try GzipDecoder.decompress(Array("not gzip at all".utf8)) }
        #expect(throws: GzipError.self) { try GzipDecoder.decompress([]) }
    }
}
