import Foundation

/// A moment in time, to the millisecond, as responses record it.
///
/// Rida keeps instants as whole milliseconds so that a re-sent response compares
/// exactly equal to the stored one, and formats them as ISO 8601 in UTC.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(_ date: Date) {
        self.millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public var date: Date {
        Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    public func adding(milliseconds: Int64) -> Instant {
        Instant(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }

    /// ISO 8601 in UTC with milliseconds: `2026-03-31T22:30:00.000Z`.
    ///
    /// Written digit by digit: the store formats one per response, and `String(format:)` is slow.
    public var iso8601: String {
        let ms = millisecondsSince1970
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = Int(ms - days * 86_400_000)
        let civil = CivilDate(daysSince1970: days)
        let seconds = msOfDay / 1000
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for k in stride(from: at + width - 1, through: at, by: -1) {
                bytes[k] = UInt8(0x30 + v % 10)
                v /= 10
            }
        }
        guard (0...9999).contains(civil.year) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", civil.year, civil.month, civil.day,
                          seconds / 3600, seconds / 60 % 60, seconds % 60, msOfDay % 1000)
        }
        put(civil.year, 0, 4); bytes[4] = 0x2D; put(civil.month, 5, 2); bytes[7] = 0x2D; put(civil.day, 8, 2)
        bytes[10] = 0x54; put(seconds / 3600, 11, 2); bytes[13] = 0x3A; put(seconds / 60 % 60, 14, 2); bytes[16] = 0x3A
        put(seconds % 60, 17, 2); bytes[19] = 0x2E; put(msOfDay % 1000, 20, 3); bytes[23] = 0x5A
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { iso8601 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard case .instant(let instant) = ISO8601Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 instant with an offset: \(text)")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

/// A calendar date in the proleptic Gregorian calendar.
public struct CivilDate: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil_from_days).
    public init(daysSince1970 days: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = Int(yoe + era * 400 + (m <= 2 ? 1 : 0))
        self.month = Int(m)
        self.day = Int(d)
    }

    /// Days from 1970-01-01 to this date (Howard Hinnant's days_from_civil).
    public var daysSince1970: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= CivilDate.daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `2026-03-31`.
    public var iso8601: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
