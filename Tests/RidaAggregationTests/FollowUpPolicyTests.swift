import RidaAggregation
import RidaSurvey
import Testing

/// The pure parts of follow-up cases: when one opens, when it is due, which moves a status allows.
@Suite struct FollowUpPolicyTests {
    static func at(_ text: String) -> Instant {
        guard case .instant(let value) = ISO8601Timestamp.parse(text) else { preconditionFailure(text) }
        return value
    }

    @Test func dueTimesCountWorkingDaysAcrossTheWeekend() {
        let policy = FollowUpPolicy()
        // 1 January 1970 was a Thursday; 3 December 2026 is one too.
        #expect(WorkingCalendar.weekday(CivilDate(year: 1970, month: 1, day: 1)) == 4)
        #expect(WorkingCalendar.weekday(CivilDate(year: 2026, month: 12, day: 3)) == 4)
        // Opened Thursday 3 December 2026 at 16:00 in Bahrain: Friday and Saturday off, then Sunday 6 (1), Monday 7 (2),
        // Tuesday 8 (3): due at the end of Tuesday, 2026-12-09T00:00+03:00.
        #expect(policy.due(openedAt: Self.at("2026-12-03T16:00:00+03:00"), zone: .bahrain) == Self.at("2026-12-09T00:00:00+03:00"))
        // Opened on the weekend (Saturday 5 December, 23:30): Sunday 6, Monday 7, Tuesday 8, the same due time.
        #expect(policy.due(openedAt: Self.at("2026-12-05T23:30:00+03:00"), zone: .bahrain) == Self.at("2026-12-09T00:00:00+03:00"))
        // Opened Sunday 6 December at 00:30 Bahrain time (Saturday 21:30 UTC): the day is Bahrain's. Monday 7, Tuesday 8,
        // Wednesday 9: due 2026-12-10T00:00+03:00.
        #expect(policy.due(openedAt: Self.at("2026-12-05T21:30:00Z"), zone: .bahrain) == Self.at("2026-12-10T00:00:00+03:00"))
        // A holiday is skipped like the weekend: with Monday 7 off, Sunday 6, Tuesday 8, Wednesday 9.
        var withHoliday = policy
        withHoliday.calendar.holidays = [CivilDate(year: 2026, month: 12, day: 7)]
        #expect(withHoliday.due(openedAt: Self.at("2026-12-03T16:00:00+03:00"), zone: .bahrain) == Self.at("2026-12-10T00:00:00+03:00"))
        // A Saturday–Sunday weekend elsewhere: opened Friday 4 December, Monday 7, Tuesday 8, Wednesday 9.
        var western = policy
        western.calendar.weekend = [0, 6]
        #expect(western.due(openedAt: Self.at("2026-12-04T09:00:00+03:00"), zone: .bahrain) == Self.at("2026-12-10T00:00:00+03:00"))
    }

    @Test func aCaseOpensOnlyForACustomerWhoAskedAndRatedLowOrWroteAWatchedTerm() {
        let policy = FollowUpPolicy(score: 2, terms: ["*": ["long wait"], "C02": ["مرتشي"]])
        var r = SurveyResponse(id: "r", centre: "C01", channel: "kiosk", submittedAt: Self.at("2026-12-03T10:00:00+03:00"), ratings: [3, 3, 2, nil])
        #expect(policy.reason(for: r) == nil)  // no leave to contact
        r.contact = FollowUpContact(phone: "33334444")
        #expect(policy.reason(for: r) == "rated 2 or lower")
        r.ratings = [3, 3, 3, nil]
        #expect(policy.reason(for: r) == nil)
        r.comment = "A LONG waiting time"   // "long wait" matches the stems of "long waiting"
        #expect(policy.reason(for: r) == "the comment says \"long wait\"")
        r.comment = "الموظف مُرتشي"
        #expect(policy.reason(for: r) == nil)  // C02's term, at C01
        r.centre = "C02"
        #expect(policy.reason(for: r) == "the comment says \"مرتشي\"")
        var off = policy
        off.score = 0
        off.terms = [:]
        r.ratings = [1, 1, 1, 1]
        #expect(off.reason(for: r) == nil)
    }

    @Test func statusesMoveOneWay() {
        #expect(CaseStatus.open.allows(.contacted) && CaseStatus.contacted.allows(.resolved) && CaseStatus.open.allows(.closed))
        #expect(!CaseStatus.contacted.allows(.open) && !CaseStatus.resolved.allows(.contacted) && !CaseStatus.closed.allows(.open))
        #expect(CaseStatus.allCases.filter(\.isFinished) == [.resolved, .closed])
    }

    @Test func aChangeIsCheckedBeforeAnyStoreSeesIt() throws {
        #expect(throws: CaseError.closeNeedsReason(4)) { try CaseChange(status: .closed).checked(case: 4) }
        #expect(throws: CaseError.emptyChange) { try CaseChange(owner: " ", note: "\n").checked(case: 4) }
        #expect(throws: CaseError.invalidField(field: "owner", reason: "contains a control character")) {
            try CaseChange(owner: "a\u{1B}[31m").checked(case: 4)
        }
        #expect(try CaseChange(owner: "  Fatima ").checked(case: 4).owner == "Fatima")
    }
}
