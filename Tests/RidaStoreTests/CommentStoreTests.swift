import Foundation
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `CommentStore`: a scope's comments, whole, oldest first, run against every store.
@Suite struct CommentStoreTests {
    let received = instant("2026-05-01T09:00:00Z")
    let q1 = Quarter(year: 2026, number: 1)

    @Test(arguments: StoreKind.all) func givesAScopesCommentsOldestFirstWithTheirRatings(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        // The fixture's 22 comments at C01 (t22 stored last, given first), one response without a comment, one comment
        // in 2026-Q2 and one at C02: neither of the last two is C01's in 2026-Q1.
        _ = try await fresh.store.save(ThemeFixture.responses() + [
            response("n1", at: "2026-02-03T11:00:00+03:00", [5, 5, 5, 5]),
            response("q2", at: "2026-04-02T10:00:00+03:00", [1, 1, 1, 1], comment: "الانتظار في الربع الثاني"),
            response("c2", centre: "C02", at: "2026-02-03T10:00:00+03:00", [1, 1, 1, 1], comment: "انتظار في مركز آخر"),
        ], receivedAt: received)

        let all = try await store.comments(in: ReportScope(quarter: q1, centre: "C01"))
        let expected = ThemeFixture.comments.sorted { $0.submitted < $1.submitted }
        #expect(all.map(\.text) == expected.map(\.text))
        #expect(all.first?.text == "تأخّر الموعد" && all.first?.day == "2026-01-05")
        // t01: ratings 1, 2, 1, 2.
        #expect(all[1].ratingSum == 6 && all[1].ratingCount == 4 && all[1].channel == "counter" && all[1].centre == "C01")
        #expect(all.filter(\.lowRated).count == 14)

        let kiosk = try await store.comments(in: ReportScope(quarter: q1, centre: "C01", channel: "kiosk"))
        #expect(kiosk.map(\.text) == ["بالرسوم المرتفعة", "النظام عطلان من الصباح", "The wait was too long", "لا شيء", "Very slow service at the kiosk"])
        // Every centre: C02's comment is among them by its time, 2026-02-03 10:00, the instant of C01's t03, which comes
        // first by centre: t22, t01, t02, t03, then C02's.
        let everyCentre = try await store.comments(in: ReportScope(quarter: q1))
        #expect(everyCentre.count == 23)
        #expect(everyCentre.firstIndex { $0.centre == "C02" } == 4)
        let entity = try await store.comments(in: ReportScope(quarter: q1, entity: "E", centres: ["C02"]))
        #expect(entity.map(\.text) == ["انتظار في مركز آخر"])
        #expect(try await store.comments(in: ReportScope(quarter: Quarter(year: 2025, number: 4))).isEmpty)
    }
}
