import Testing
@testable import RidaSurvey

@Suite struct QuarterTests {
    @Test(arguments: ["2026-Q1", "2026Q1", "2026-q1", "Q1-2026", " 2026-Q1 "])
    func readsTheSpellingsOfAQuarter(_ text: String) throws {
        let quarter = try #require(Quarter(text))
        #expect(quarter == Quarter(year: 2026, number: 1))
        #expect(quarter.description == "2026-Q1")
    }

    @Test(arguments: ["2026-Q5", "2026-Q0", "26-Q1", "2026", "Q1", "2026-1", "first quarter", ""])
    func refusesOtherSpellings(_ text: String) {
        #expect(Quarter(text) == nil)
    }

    @Test func stepsAcrossYears() {
        #expect(Quarter(year: 2026, number: 1).previous == Quarter(year: 2025, number: 4))
        #expect(Quarter(year: 2025, number: 4).next == Quarter(year: 2026, number: 1))
        #expect(Quarter(year: 2026, number: 3).trailing(3).map(\.description) == ["2026-Q1", "2026-Q2", "2026-Q3"])
    }

    @Test func cutsQuartersOnBahrainTime() throws {
        let zone = DeploymentZone.bahrain
        // 2026-04-01T00:00 in Bahrain is 2026-03-31T21:00Z.
        #expect(zone.quarter(at: try instantOf("2026-03-31T20:59:59.999Z")).description == "2026-Q1")
        #expect(zone.quarter(at: try instantOf("2026-03-31T21:00:00Z")).description == "2026-Q2")
        // The guide-notes example: 22:30Z on 31 March belongs to Q2.
        #expect(zone.quarter(at: try instantOf("2026-03-31T22:30:00Z")).description == "2026-Q2")
        // New year: 2025-12-31T21:00Z is 2026-01-01T00:00 in Bahrain.
        #expect(zone.quarter(at: try instantOf("2025-12-31T20:59:59Z")).description == "2025-Q4")
        #expect(zone.quarter(at: try instantOf("2025-12-31T21:00:00Z")).description == "2026-Q1")
    }

    @Test func aQuartersIntervalStartsAtLocalMidnight() throws {
        let interval = DeploymentZone.bahrain.interval(of: Quarter(year: 2026, number: 2))
        #expect(interval.lowerBound == (try instantOf("2026-03-31T21:00:00Z")))
        #expect(interval.upperBound == (try instantOf("2026-06-30T21:00:00Z")))
    }

    @Test func otherZonesWithDaylightSavingUseTheirOffsetAtTheInstant() throws {
        let zone = try DeploymentZone("Europe/London")
        // 1 April 2026 00:30 in London is BST (UTC+1): 2026-03-31T23:30Z is already Q2.
        #expect(zone.quarter(at: try instantOf("2026-03-31T23:30:00Z")).description == "2026-Q2")
        #expect(zone.quarter(at: try instantOf("2026-03-31T22:59:00Z")).description == "2026-Q1")
    }

    @Test func refusesAnUnknownTimeZone() {
        #expect(throws: ProblemList.self) { try DeploymentZone("Mars/Olympus") }
    }
}

@Suite struct TimestampTests {
    @Test func readsOffsetsAndZulu() throws {
        #expect(try instantOf("2026-03-31T14:05:00+03:00") == (try instantOf("2026-03-31T11:05:00Z")))
        #expect(try instantOf("2026-03-31T14:05:00+0300") == (try instantOf("2026-03-31T11:05:00Z")))
        #expect(try instantOf("2026-03-31 14:05:00.250-01:30").millisecondsSince1970 % 1000 == 250)
        #expect(try instantOf("2026-03-31T14:05Z").iso8601 == "2026-03-31T14:05:00.000Z")
    }

    @Test func placesLocalTimesInTheDeploymentZone() {
        guard case .local(let wall) = ISO8601Timestamp.parse("2026-03-31T23:30:00") else {
            Issue.record("a time without an offset is local")
            return
        }
        let instant = DeploymentZone.bahrain.instant(wallClockMilliseconds: wall)
        #expect(instant.iso8601 == "2026-03-31T20:30:00.000Z")
        #expect(DeploymentZone.bahrain.quarter(at: instant).description == "2026-Q1")
    }

    @Test(arguments: ["2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-03-31", "31/03/2026 10:00", "2026-03-31T25:00:00Z",
                      "2026-03-31T10:00:00+3", "2026-03-31T10:00:00Zjunk", "yesterday"])
    func refusesWhatIsNotAnInstant(_ text: String) {
        if case .invalid = ISO8601Timestamp.parse(text) { return }
        Issue.record("\(text) should not parse")
    }

    @Test func formatsAndReadsBackTheSameInstant() throws {
        for ms: Int64 in [0, 1, 999, 1_775_000_000_123, -86_400_001] {
            let instant = Instant(millisecondsSince1970: ms)
            #expect(try instantOf(instant.iso8601) == instant)
        }
    }

    @Test func civilDatesRoundTripThroughDayNumbers() {
        for days: Int64 in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(daysSince1970: days).daysSince1970 == days)
        }
        #expect(CivilDate(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2025, month: 2, day: 29).isValid)
    }
}

func instantOf(_ text: String) throws -> Instant {
    guard case .instant(let instant) = ISO8601Timestamp.parse(text) else {
        throw ProblemList([Problem(reason: "not an instant: \(text)")])
    }
    return instant
}
