import Foundation
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// Issue 15 point 1 on real stores (SQLite and PostgreSQL): invitations registered with a one-time token, opened,
/// answered once (the response stored with the invitation's centre, channel, service and counter), expired, counted.
@Suite struct InvitationTests {
    typealias Clock = TestClock

    static let start = instant("2026-05-10T09:00:00+03:00")

    static func invitations(_ store: any RidaStorage, _ clock: Clock) -> Invitations {
        Invitations(store: store, validator: ResponseValidator(), now: { clock.now })
    }

    static func answers(_ ratings: [String?], comment: String? = nil, phone: String? = nil) -> ResponseDraft {
        var draft = ResponseDraft(ratings: ratings, comment: comment)
        if let phone {
            draft.contactConsent = "true"
            draft.contactPhone = phone
        }
        return draft
    }

    @Test func requestsAreCheckedWithEveryProblemByEntry() async throws {
        let clock = Clock(Self.start)
        let fresh = try await StoreKind.sqliteMemory.open()
        defer { fresh.remove() }
        let checked = Self.invitations(fresh.store, clock).check([
            InvitationRequest(centre: "C01", channel: "counter"),
            InvitationRequest(channel: "fax", stage: "later", expiresInDays: 0),
        ])
        guard case .failure(let list) = checked else { Issue.record("refused"); return }
        #expect(list.problems.map { "\($0.entry.map(String.init) ?? "-") \($0.field ?? "-")" } == [
            "1 centre", "1 channel", "1 stage", "1 expires_in_days",
        ])
        guard case .failure(let none) = Self.invitations(fresh.store, clock).check([]) else { Issue.record("refused"); return }
        #expect(none.problems.map(\.reason) == ["no invitation was asked for"])
    }

    @Test(arguments: StoreKind.all) func anInvitationIsOpenedAnsweredOnceAndCounted(_ kind: StoreKind) async throws {
        let clock = Clock(Self.start)
        let fresh = try await kind.open(StoreConfiguration(durability: .normal))
        defer { fresh.remove() }
        let store = fresh.store
        let invitations = Self.invitations(store, clock)
        let made = try await invitations.create([
            InvitationRequest(centre: "C01", channel: "counter", service: "إصدار جواز", counter: "7", stage: "after"),
            InvitationRequest(centre: "C01", channel: "website", expiresInDays: 1),
            InvitationRequest(centre: "C02", channel: "counter"),
        ], by: "Queue system (key 4)")
        #expect(made.count == 3 && Set(made.map(\.token)).count == 3 && made.allSatisfy { InvitationToken($0.token) != nil })
        #expect(made[0].invitation.expiresAt == instant("2026-05-17T09:00:00+03:00"))
        #expect(made[1].invitation.expiresAt == instant("2026-05-11T09:00:00+03:00"))

        // Opened at 09:05 and again at 09:07: the first opening is kept.
        clock.advance(seconds: 300)
        guard case .open(let opened) = try await invitations.open(token: made[0].token) else { Issue.record("open"); return }
        #expect(opened.openedAt == instant("2026-05-10T09:05:00+03:00") && opened.service == "إصدار جواز")
        clock.advance(seconds: 120)
        guard case .open(let again) = try await invitations.open(token: made[0].token) else { Issue.record("open"); return }
        #expect(again.openedAt == instant("2026-05-10T09:05:00+03:00"))

        // Answers with a problem store nothing; then answered, with leave to be called after a 2.
        guard case .invalid(_, let problems) = try await invitations.answer(token: made[0].token, answers: Self.answers([nil, nil, nil, "9"]))
        else { Issue.record("invalid"); return }
        #expect(problems.map(\.field) == ["q4"])
        guard case .stored(let answered, let asked) = try await invitations.answer(
            token: made[0].token, answers: Self.answers(["2", "3", "4", "5"], comment: "انتظرت طويلاً", phone: "33334444"))
        else { Issue.record("stored"); return }
        #expect(asked && answered.answeredAt == instant("2026-05-10T09:07:00+03:00"))
        let responseID = try #require(answered.responseID)
        #expect(responseID.hasPrefix("inv-") && responseID.count == 36 && !responseID.contains(made[0].token))
        let stored = try #require(try await store.response(id: responseID))
        #expect(stored.centre == "C01" && stored.channel == "counter" && stored.service == "إصدار جواز" && stored.counter == "7")
        #expect(stored.stage == .after && stored.ratings == [2, 3, 4, 5] && stored.submittedAt == instant("2026-05-10T09:07:00+03:00"))
        #expect(stored.source == nil && stored.contact == nil)
        #expect(try await store.cases(CaseQuery()).map(\.responseID) == [responseID])

        // A second answer, or a second visit, is told kindly and stores nothing.
        guard case .answeredAlready = try await invitations.answer(token: made[0].token, answers: Self.answers(["5", "5", "5", "5"]))
        else { Issue.record("answered"); return }
        guard case .answered = try await invitations.open(token: made[0].token) else { Issue.record("answered"); return }
        #expect(try await store.responseCount() == 1)

        // The website's invitation expires a day after: opened then, it says so and takes no answer.
        clock.advance(seconds: 86_400)
        guard case .expired = try await invitations.open(token: made[1].token) else { Issue.record("expired"); return }
        guard case .expired = try await invitations.answer(token: made[1].token, answers: Self.answers(["4", nil, nil, nil]))
        else { Issue.record("expired"); return }
        // Unknown and malformed tokens.
        guard case .unknown = try await invitations.open(token: InvitationToken.generate().text) else { Issue.record("unknown"); return }
        guard case .unknown = try await invitations.open(token: "../../etc/passwd") else { Issue.record("unknown"); return }
        guard case .unknown = try await invitations.answer(token: "short", answers: Self.answers(["1", nil, nil, nil])) else { Issue.record("unknown"); return }
        #expect(try await store.responseCount() == 1)

        // Counted by the quarter they were registered in: C01 counter sent 1, opened 1, answered 1; C01 website sent 1
        // (opened only after it expired: not counted as opened); C02 counter sent 1.
        #expect(try await store.invitationCounts(quarter: Quarter("2026-Q2")!, centre: nil) == [
            InvitationCount(centre: "C01", channel: "counter", sent: 1, opened: 1, answered: 1),
            InvitationCount(centre: "C01", channel: "website", sent: 1, opened: 0, answered: 0),
            InvitationCount(centre: "C02", channel: "counter", sent: 1, opened: 0, answered: 0),
        ])
        #expect(try await store.invitationCounts(quarter: Quarter("2026-Q2")!, centre: "C02").map(\.sent) == [1])
        #expect(try await store.check(.full).isEmpty)
    }

    @Test func onlyTheTokensHashIsStored() async throws {
        let clock = Clock(Self.start)
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let made = try await Self.invitations(store, clock).create([InvitationRequest(centre: "C01", channel: "counter")], by: nil)
        try store.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: database.path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: database.path + "-wal")) { bytes += wal }
        let token = try #require(made.first?.token)
        #expect(bytes.range(of: Data(token.utf8)) == nil)
        #expect(bytes.range(of: Data(InvitationToken(token)!.hash.utf8)) != nil)
    }
}
