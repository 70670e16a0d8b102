/// A parsed ISO 8601 timestamp: either an instant (it carried `Z` or an offset)
/// or a local wall-clock time still to be placed in the deployment's time zone.
public enum ISO8601Timestamp: Sendable, Hashable {
    case instant(Instant)
    /// Milliseconds since 1970-01-01T00:00 on the local wall clock.
    case local(wallClockMilliseconds: Int64)
    case invalid(String)

    /// Parses `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM|±HH]`.
    ///
    /// Hand-written rather than through `ISO8601DateFormatter`: imports parse millions of these.
    public static func parse(_ text: some StringProtocol) -> ISO8601Timestamp {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        var start = 0
        while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        var i = start
        let n = bytes.count

        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var value = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            i += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < n, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        let expected = "expected an ISO 8601 date and time such as 2026-03-31T14:05:00+03:00"
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else {
            return .invalid(expected)
        }
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid else { return .invalid("\(date.iso8601) is not a date in the calendar") }
        guard i < n, bytes[i] == 0x54 || bytes[i] == 0x74 || bytes[i] == 0x20 else {
            return .invalid("a time of day is missing; " + expected)
        }
        i += 1
        guard let hour = digits(2), expect(0x3A), let minute = digits(2) else { return .invalid(expected) }
        var second = 0
        var millis = 0
        if expect(0x3A) {
            guard let s = digits(2) else { return .invalid(expected) }
            second = s
            if i < n, bytes[i] == 0x2E || bytes[i] == 0x2C {
                i += 1
                var scale = 100
                var count = 0
                while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                    millis += Int(bytes[i] - 0x30) * scale
                    scale /= 10
                    count += 1
                    i += 1
                }
                guard count > 0 else { return .invalid(expected) }
            }
        }
        guard hour <= 23, minute <= 59, second <= 59 else { return .invalid("the time of day is out of range") }
        let wall = date.daysSince1970 * 86_400_000
            + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)

        if i == n { return .local(wallClockMilliseconds: wall) }
        if bytes[i] == 0x5A || bytes[i] == 0x7A {  // Z
            i += 1
            guard i == n else { return .invalid(expected) }
            return .instant(Instant(millisecondsSince1970: wall))
        }
        guard bytes[i] == 0x2B || bytes[i] == 0x2D else { return .invalid(expected) }
        let sign: Int64 = bytes[i] == 0x2D ? -1 : 1
        i += 1
        guard let offsetHours = digits(2) else { return .invalid(expected) }
        var offsetMinutes = 0
        if i < n {
            _ = expect(0x3A)
            guard let m = digits(2) else { return .invalid(expected) }
            offsetMinutes = m
        }
        guard i == n, offsetHours <= 18, offsetMinutes <= 59 else { return .invalid("the UTC offset is not valid; " + expected) }
        let offset = sign * Int64(offsetHours * 3_600_000 + offsetMinutes * 60_000)
        return .instant(Instant(millisecondsSince1970: wall - offset))
    }
}
