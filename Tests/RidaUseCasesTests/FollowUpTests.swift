import Foundation
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Issue 16 point 1 on real stores (SQLite and PostgreSQL): a response opens a follow-up case in its save's transaction
/// when the customer agreed to be contacted and rated low or wrote a watched term; the case is due in working days; the
/// quality team moves it along; contacts are erased after the retention. Dates and counts are worked out by hand.
@Suite struct FollowUpTests {
    /// Bahrain's weekend (Friday, Saturday) and National Day (16 and 17 December 2026) as holidays.
    static let policy = FollowUpPolicy(
        score: 2, terms: ["*": ["rude"], "C01": ["وقح"]], dueWorkingDays: 3,
        calendar: WorkingCalendar(weekend: [5, 6], holidays: [CivilDate(year: 2026, month: 12, day: 16), CivilDate(year: 2026, month: 12, day: 17)]),
        retentionDays: 30)
    /// Monday 14 December 2026, 10:00 in Bahrain. Working days after it: Tuesday 15 (1); Wednesday 16 and Thursday 17
    /// are holidays, Friday 18 and Saturday 19 the weekend; Sunday 20 (2), Monday 21 (3). Due at the end of Monday 21:
    /// 2026-12-22T00:00+03:00, 2026-12-21T21:00Z.
    static let opened = instant("2026-12-14T10:00:00+03:00")
    static let due = instant("2026-12-22T00:00:00+03:00")

    static func open(_ kind: StoreKind) async throws -> FreshStore {
        try await kind.open(StoreConfiguration(durability: .normal, misuse: .off, followUp: policy))
    }

    static func contactable(_ id: String, centre: String = "C01", channel: String = "kiosk", at: String = "2026-12-14T09:00:00+03:00",
                            _ ratings: [Int?], comment: String? = nil, phone: String? = "+97333334444", email: String? = nil) -> SurveyResponse {
        var r = response(id, centre: centre, channel: channel, at: at, ratings, comment: comment)
        r.contact = FollowUpContact(phone: phone, email: email)
        return r
    }

    /// a1 rated 2 and asked: a case. a2 rated 1 and did not ask: none. a3 all fives, asked, wrote "rude" (every centre's
    /// term): a case. a4 all fives, asked, wrote thanks: none. a5 wrote "وَقِح" with diacritics (C01's term): a case.
    /// a6 the same at C02, where the term is not watched: none.
    static let arrivals: [SurveyResponse] = [
        contactable("a1", [2, 4, 4, 4]),
        response("a2", channel: "kiosk", at: "2026-12-14T09:01:00+03:00", [1, 1, 1, 1]),
        contactable("a3", channel: "counter", [5, 5, 5, 5], comment: "The staff were RUDE to my mother", phone: nil, email: "Sara@Example.BH"),
        contactable("a4", [5, 5, 5, 5], comment: "شكرا لكم"),
        contactable("a5", [3, 3, 4, 3], comment: "الموظف وَقِح"),
        contactable("a6", centre: "C02", [3, 3, 4, 3], comment: "الموظف وقح"),
    ]

    @Test(arguments: StoreKind.all) func casesOpenForWhoAskedAndAreDueInWorkingDays(_ kind: StoreKind) async throws {
        let fresh = try await Self.open(kind)
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save(Self.arrivals, receivedAt: Self.opened)
        // Sent again (a kiosk's retry): a duplicate, no second case.
        #expect(try await store.save([Self.arrivals[0]], receivedAt: Self.opened.adding(milliseconds: 60_000)) == [.duplicate])

        let cases = try await store.cases(CaseQuery())
        #expect(cases.map(\.responseID) == ["a5", "a3", "a1"])  // newest first
        let a1 = try #require(cases.first { $0.responseID == "a1" })
        #expect(a1.reason == "rated 2 or lower")
        #expect(a1.status == .open && a1.owner == nil && a1.finishedAt == nil)
        #expect(a1.openedAt == Self.opened)
        #expect(a1.dueAt == Self.due)
        #expect(a1.dueAt.iso8601 == "2026-12-21T21:00:00.000Z")
        #expect(a1.quarter == Quarter("2026-Q4")!)
        #expect(a1.contact == FollowUpContact(phone: "+97333334444"))
        let a3 = try #require(cases.first { $0.responseID == "a3" })
        #expect(a3.reason == "the comment says \"rude\"" && a3.channel == "counter")
        #expect(a3.contact == FollowUpContact(email: "Sara@Example.BH"))
        #expect(try #require(cases.first { $0.responseID == "a5" }).reason == "the comment says \"وقح\"")
        #expect(try await store.caseEvents(a1.id) == [CaseEvent(at: Self.opened, who: "rida", action: "opened", detail: "rated 2 or lower")])
        // Filters.
        #expect(try await store.cases(CaseQuery(centre: "C02")).isEmpty)
        #expect(try await store.cases(CaseQuery(quarter: Quarter("2026-Q3")!)).isEmpty)
        #expect(try await store.cases(CaseQuery(limit: 1)).map(\.responseID) == ["a5"])
        // The contact is never part of the stored response.
        #expect(try await store.response(id: "a1")?.contact == nil)
        #expect(try await store.response(id: "a4") != nil)
    }

    @Test(arguments: StoreKind.all) func theQualityTeamMovesACaseAlongAndEveryStepIsKept(_ kind: StoreKind) async throws {
        let fresh = try await Self.open(kind)
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save(Self.arrivals, receivedAt: Self.opened)
        let id = try #require(try await store.cases(CaseQuery()).first { $0.responseID == "a1" }).id
        let t1 = instant("2026-12-15T09:00:00+03:00"), t2 = instant("2026-12-15T11:30:00+03:00"), t3 = instant("2026-12-20T12:00:00+03:00")
        var now = try await store.updateCase(id, CaseChange(owner: "Fatima", note: "Will call this morning"), by: "quality (key 3)", at: t1)
        #expect(now.owner == "Fatima" && now.status == .open)
        now = try await store.updateCase(id, CaseChange(status: .contacted, note: "Called; the form is sent again"), by: "Fatima", at: t2)
        #expect(now.status == .contacted && now.finishedAt == nil)
        now = try await store.updateCase(id, CaseChange(status: .resolved), by: "Fatima", at: t3)
        #expect(now.status == .resolved && now.finishedAt == t3)
        #expect(try await store.followUpCase(id) == now)
        #expect(try await store.caseEvents(id).map { "\($0.action):\($0.who):\($0.detail ?? "")" } == [
            "opened:rida:rated 2 or lower", "assigned:quality (key 3):Fatima", "note:quality (key 3):Will call this morning",
            "contacted:Fatima:", "note:Fatima:Called; the form is sent again", "resolved:Fatima:",
        ])
        // A finished case stays finished; closing needs a reason; an unknown case is said.
        await #expect(throws: CaseError.notAllowed(id: id, from: .resolved, to: .open)) {
            try await store.updateCase(id, CaseChange(status: .open), by: "x", at: t3)
        }
        await #expect(throws: CaseError.notAllowed(id: id, from: .resolved, to: .resolved)) {
            try await store.updateCase(id, CaseChange(status: .resolved), by: "x", at: t3)
        }
        let other = try #require(try await store.cases(CaseQuery()).first { $0.responseID == "a3" }).id
        await #expect(throws: CaseError.closeNeedsReason(other)) {
            try await store.updateCase(other, CaseChange(status: .closed), by: "x", at: t3)
        }
        await #expect(throws: CaseError.emptyChange) { try await store.updateCase(other, CaseChange(note: "  "), by: "x", at: t3) }
        await #expect(throws: CaseError.unknownCase(999)) { try await store.updateCase(999, CaseChange(note: "n"), by: "x", at: t3) }
        let closed = try await store.updateCase(other, CaseChange(status: .closed, closeReason: "No answer on three calls"), by: "Ali", at: t3)
        #expect(closed.status == .closed && closed.closeReason == "No answer on three calls" && closed.finishedAt == t3)
        // Nothing refused was recorded.
        #expect(try await store.caseEvents(other).map(\.action) == ["opened", "closed"])
    }

    @Test(arguments: StoreKind.all) func theReportCountsCasesInTimeLateAndPendingPerChannel(_ kind: StoreKind) async throws {
        let fresh = try await Self.open(kind)
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save(Self.arrivals, receivedAt: Self.opened)
        let cases = try await store.cases(CaseQuery())
        let a1 = try #require(cases.first { $0.responseID == "a1" }).id   // kiosk
        let a3 = try #require(cases.first { $0.responseID == "a3" }).id   // counter
        // a1 resolved a minute before it is due: in time. a3 resolved a minute after: late. a5 (kiosk) left open.
        _ = try await store.updateCase(a1, CaseChange(status: .resolved), by: "q", at: Self.due.adding(milliseconds: -60_000))
        _ = try await store.updateCase(a3, CaseChange(status: .resolved), by: "q", at: Self.due.adding(milliseconds: 60_000))
        let q4 = Quarter("2026-Q4")!
        // Before a5's due time it is pending; after it, late.
        #expect(try await store.caseCounts(quarter: q4, centre: nil, asOf: Self.due) == [
            CaseCount(centre: "C01", channel: "counter", opened: 1, inTime: 0, late: 1, pending: 0),
            CaseCount(centre: "C01", channel: "kiosk", opened: 2, inTime: 1, late: 0, pending: 1),
        ])
        #expect(try await store.caseCounts(quarter: q4, centre: "C01", asOf: Self.due.adding(milliseconds: 1)) == [
            CaseCount(centre: "C01", channel: "counter", opened: 1, inTime: 0, late: 1, pending: 0),
            CaseCount(centre: "C01", channel: "kiosk", opened: 2, inTime: 1, late: 1, pending: 0),
        ])
        #expect(try await store.caseCounts(quarter: q4, centre: "C02", asOf: Self.due).isEmpty)
        #expect(try await store.caseCounts(quarter: Quarter("2027-Q1")!, centre: nil, asOf: Self.due).isEmpty)
    }

    @Test(arguments: StoreKind.all) func contactsAreErasedAfterTheRetention(_ kind: StoreKind) async throws {
        let fresh = try await Self.open(kind)
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save(Self.arrivals, receivedAt: Self.opened)
        let cases = try await store.cases(CaseQuery())
        let a1 = try #require(cases.first { $0.responseID == "a1" }).id
        let resolved = instant("2026-12-20T12:00:00+03:00")
        _ = try await store.updateCase(a1, CaseChange(status: .resolved), by: "q", at: resolved)
        // 30 days after 2026-12-20T12:00+03:00 is 2027-01-19T12:00+03:00: a millisecond before, the contact stays.
        let policy = Self.policy
        let expiry = instant("2027-01-19T12:00:00+03:00")
        #expect(try await store.eraseContacts(finishedBefore: policy.erasureCutoff(at: expiry), at: expiry) == 0)
        #expect(try await store.followUpCase(a1)?.contact == FollowUpContact(phone: "+97333334444"))
        let after = expiry.adding(milliseconds: 1)
        #expect(try await store.eraseContacts(finishedBefore: policy.erasureCutoff(at: after), at: after) == 1)
        let erased = try #require(try await store.followUpCase(a1))
        #expect(erased.contact == nil && erased.erasedAt == after && erased.status == .resolved)
        #expect(try await store.caseEvents(a1).last == CaseEvent(at: after, who: "rida", action: "erased", detail: nil))
        // Open cases keep theirs, however old; erasing again erases nothing.
        let later = instant("2028-01-01T00:00:00+03:00")
        #expect(try await store.eraseContacts(finishedBefore: policy.erasureCutoff(at: later), at: later) == 0)
        #expect(try await store.cases(CaseQuery(status: .open)).allSatisfy { $0.contact != nil })
    }
}
