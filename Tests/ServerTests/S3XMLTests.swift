import Foundation
import Testing
@testable import Server

/// The request-body XML parser refuses everything but plain, well-formed documents;
/// responses escape what they carry.
@Suite struct S3XMLTests {
    static func parse(_ text: String) throws -> XMLReader.Element { try XMLReader.parse(Array(text.utf8)) }

    @Test func parsesWhatS3ClientsSend() throws {
        let document = try Self.parse("""
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>
              <Object><Key> spaced &amp; &lt;escaped&gt; &#x41;&#66;&quot;&apos; </Key></Object>
              <Object><Key><![CDATA[raw <text> & more]]></Key><VersionId/></Object>
              <s3:Object xmlns:s3="x"><s3:Key>é/ü</s3:Key></s3:Object>
            </Delete>
            """)
        #expect(document.name == "Delete")
        #expect(document.attributes["xmlns"] == "http://s3.amazonaws.com/doc/2006-03-01/")
        #expect(document.value("Quiet") == "true")
        let keys = document.children("Object").compactMap { $0.value("Key") }
        #expect(keys == [" spaced & <escaped> AB\"' ", "raw <text> & more", "é/ü"])
    }

    @Test func refusesMalformedAndDangerousDocuments() {
        let refused = [
            "",
            "   ",
            "<a>",
            "<a></b>",
            "<a><b></a></b>",
            "<a>text",
            "<a/><b/>",
            "text<a/>",
            "<a/>trailing",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
            "<a>&unknown;</a>",
            "<a>&amp</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a>&#x110000;</a>",
            "<a>a < b</a>",
            "<a b=\"1\" b=\"2\"/>",
            "<a b=1/>",
            "<a b=\"<\"/>",
            "<a\"/>",
            "<a><?pi data?></a>",
            "<a><!ELEMENT x ANY></a>",
            "<1a/>",
            "<a>\u{01}</a>",
            "<a><!-- unterminated </a>",
            "<a><![CDATA[unterminated</a>",
            String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40),
        ]
        for text in refused {
            #expect(throws: S3Error.self, "\(text)") { _ = try Self.parse(text) }
            #expect((try? Self.parse(text)) == nil)
        }
        #expect(throws: S3Error.self) { _ = try XMLReader.parse([0x3C, 0x61, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x61, 0x3E]) }
        let error = #expect(throws: S3Error.self) { _ = try Self.parse("<a>") }
        #expect(error?.code == "MalformedXML")
        #expect(error?.status == .badRequest)
    }

    @Test func elementCountIsBounded() {
        let many = "<a>" + String(repeating: "<b/>", count: XMLReader.maximumElements) + "</a>"
        #expect(throws: S3Error.self) { _ = try Self.parse(many) }
        let fine = "<a>" + String(repeating: "<b/>", count: 1000) + "</a>"
        #expect((try? Self.parse(fine))?.children.count == 1000)
    }

    @Test func writerEscapesText() throws {
        var writer = XMLWriter()
        writer.open("Root")
        writer.element("Key", "a&b<c>\"d'e\u{01}f\tg")
        writer.element("Count", 3)
        writer.optional("Missing", nil)
        writer.close("Root")
        #expect(writer.text.hasSuffix("<Root xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Key>a&amp;b&lt;c&gt;&quot;d&apos;e&#x1;f\tg</Key><Count>3</Count></Root>"))
        // Control characters other than tab and newline cannot come back through XML 1.0
        // (S3 writes them as references too; clients that need them ask for url encoding).
        var plain = XMLWriter()
        plain.element("Key", "a&b<c>\"d'e f\tg")
        let parsed = try XMLReader.parse(Array(plain.text.utf8))
        #expect(parsed.text == "a&b<c>\"d'e f\tg")
    }

    @Test func httpDatesRoundTrip() {
        let date = Date(timeIntervalSince1970: 1_445_412_480)
        #expect(HTTPDate.format(date) == "Wed, 21 Oct 2015 07:28:00 GMT")
        #expect(HTTPDate.parse("Wed, 21 Oct 2015 07:28:00 GMT") == date)
        #expect(HTTPDate.parse("Wednesday, 21-Oct-15 07:28:00 GMT") == date)
        #expect(HTTPDate.parse("Wed Oct 21 07:28:00 2015") == date)
        #expect(HTTPDate.iso8601(date + 0.25) == "2015-10-21T07:28:00.250Z")
        #expect(HTTPDate.parseISO8601("2015-10-21T07:28:00.000Z") == date)
        #expect(HTTPDate.parseAmzDate("20151021T072800Z") == date)
        #expect(HTTPDate.amzTimestamp(date) == "20151021T072800Z")
        for bad in ["", "yesterday", "Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT", "Wed, 21 Oct 2015 25:28:00 GMT"] {
            #expect(HTTPDate.parse(bad) == nil)
        }
    }
}
