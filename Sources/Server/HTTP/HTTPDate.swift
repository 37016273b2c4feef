import Foundation

/// The date formats S3 speaks: RFC 1123 in headers (`Last-Modified`, conditions),
/// ISO 8601 with milliseconds in XML, and SigV4's basic format in `x-amz-date`.
///
/// Written out by hand over the proleptic Gregorian calendar in UTC rather than with
/// `DateFormatter`: no locale or time zone can change the result, and parsing a
/// malformed header costs nothing and cannot throw.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (seconds, truncated).
    static func format(_ date: Date) -> String {
        let parts = Civil(date)
        let weekday = weekdays[Int(((parts.days % 7) + 7) % 7)]
        return "\(weekday), \(two(parts.day)) \(months[parts.month - 1]) \(parts.year) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) GMT"
    }

    /// `Wed, 21-Oct-2015 07:28:00 GMT`, the cookie date CouchDB (mochiweb) writes.
    static func cookieFormat(_ date: Date) -> String {
        let parts = Civil(date)
        let weekday = weekdays[Int(((parts.days % 7) + 7) % 7)]
        return "\(weekday), \(two(parts.day))-\(months[parts.month - 1])-\(parts.year) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) GMT"
    }

    /// `2015-10-21T07:28:00.000Z`, as S3's XML writes times.
    static func iso8601(_ date: Date) -> String {
        let parts = Civil(date)
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let millis = String(repeating: "0", count: 3 - String(abs(milliseconds)).count) + String(abs(milliseconds))
        return "\(parts.year)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)).\(millis)Z"
    }

    /// Parses the three HTTP date forms (RFC 1123, RFC 850, asctime); `nil` otherwise.
    static func parse(_ text: String) -> Date? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        switch words.count {
        case 4 where words[3] == "GMT" || words[3] == "UTC":  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let date = words[1].split(separator: "-")
            guard date.count == 3, var year = Int(date[2]) else { return nil }
            if year < 100 { year += year < 70 ? 2000 : 1900 }
            return make(year: year, month: String(date[1]), day: String(date[0]), time: words[2])
        case 6 where ["GMT", "UTC", "+0000", "-0000"].contains(words[5]):  // RFC 1123: Sun, 06 Nov 1994 08:49:37 GMT
            guard let year = Int(words[3]) else { return nil }
            return make(year: year, month: words[2], day: words[1], time: words[4])
        case 5:  // asctime: Sun Nov  6 08:49:37 1994
            guard let year = Int(words[4]) else { return nil }
            return make(year: year, month: words[1], day: words[2], time: words[3])
        default:
            return nil
        }
    }

    /// Parses `20130524T000000Z` (`x-amz-date`, `X-Amz-Date`).
    static func parseAmzDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return make(year, month, day, hour, minute, second)
    }

    /// Parses ISO 8601 in UTC as lifecycle rules write it: `2020-01-01T00:00:00Z`,
    /// optionally with fractional seconds or a `+00:00` offset, or a bare date.
    static func parseISO8601(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = Array(trimmed.utf8)
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        if bytes.count == 10 { return make(year, month, day, 0, 0, 0) }
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19)
        else { return nil }
        let zone = trimmed.dropFirst(19).drop(while: { $0 == "." || $0.isNumber })
        guard zone == "Z" || zone == "+00:00" || zone == "-00:00" else { return nil }
        return make(year, month, day, hour, minute, second)
    }

    private static func make(year: Int, month: String, day: String, time: String) -> Date? {
        let clock = time.split(separator: ":")
        guard let monthIndex = months.firstIndex(of: month), let day = Int(day), clock.count == 3,
            let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2])
        else { return nil }
        return make(year, monthIndex + 1, day, hour, minute, second)
    }

    private static func make(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year, month, day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A moment split into calendar fields (UTC).
    private struct Civil {
        let days: Int
        let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

        init(_ date: Date) {
            let seconds = Int(date.timeIntervalSince1970.rounded(.down))
            days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let secondOfDay = seconds - days * 86_400
            (hour, minute, second) = (secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let shifted = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * shifted + 2) / 5 + 1
            month = shifted < 10 ? shifted + 3 : shifted - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }
    }
}

extension HTTPDate {
    /// `20130524T000000Z`, SigV4's timestamp form.
    static func amzTimestamp(_ date: Date) -> String {
        let text = iso8601(date)  // 2013-05-24T00:00:00.000Z
        return text.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }
}
