import Foundation
import RidaSurvey
import Testing

@Suite struct InstantTextTests {
    /// The hand-written digits of `iso8601` match `String(format:)`, which they replaced, over eight centuries.
    @Test func writesTheSameTextAsStringFormat() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -5_000_000_000_000...20_000_000_000_000, using: &generator)
            let instant = Instant(millisecondsSince1970: ms)
            let days = Int64((Double(ms) / 86_400_000).rounded(.down))
            let msOfDay = ms - days * 86_400_000
            let civil = CivilDate(daysSince1970: days)
            let seconds = msOfDay / 1000
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", civil.year, civil.month, civil.day,
                                  Int(seconds / 3600), Int(seconds / 60 % 60), Int(seconds % 60), Int(msOfDay % 1000))
            #expect(instant.iso8601 == expected)
        }
    }
}
