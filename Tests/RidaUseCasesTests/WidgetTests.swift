import Foundation
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// Issue 15 point 3 on real stores (SQLite and PostgreSQL): a widget is made for a centre, its channels and origins;
/// answers through it are stored with its centre, the channel the page named and the server's time, the widget as the
/// device; a page's retry is a duplicate, never a second response; its origins are replaced; a revoked widget is gone.
@Suite struct WidgetTests {
    typealias Clock = TestClock

    static let start = instant("2026-05-10T09:00:00+03:00")

    @Test func originsAreReadOneWay() throws {
        #expect(try WebOrigin.normalized(" HTTPS://WWW.Example.gov.BH/ ") == "https://www.example.gov.bh")
        #expect(try WebOrigin.normalized("https://example.gov.bh:443") == "https://example.gov.bh")
        #expect(try WebOrigin.normalized("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(try WebOrigin.normalized("http://[::1]:80") == "http://[::1]")
        for refused in ["example.gov.bh", "ftp://example.gov.bh", "https://example.gov.bh/path", "https://*.gov.bh",
                        "https://user@example.gov.bh", "https://example.gov.bh:99999", "https://وزارة.bh", "https://a..b", "null", ""] {
            #expect(throws: Problem.self, "\(refused)") { try WebOrigin.normalized(refused) }
        }
        let widget = Widget(id: 1, key: "pk_x", label: "x", centre: "C01", channels: ["website"], origins: ["https://www.example.gov.bh"],
                            createdAt: Self.start)
        #expect(widget.allows(origin: "https://www.example.gov.bh"))
        #expect(widget.allows(origin: "https://WWW.example.gov.bh:443"))
        #expect(!widget.allows(origin: "https://example.gov.bh"))
        #expect(!widget.allows(origin: "http://www.example.gov.bh"))
        #expect(!widget.allows(origin: "null"))
        #expect(Widget.isKeyShaped("pk_" + String(repeating: "a", count: 22)))
        #expect(!Widget.isKeyShaped("pk_" + String(repeating: "a", count: 21)) && !Widget.isKeyShaped("rida_" + String(repeating: "a", count: 22)))
    }

    @Test(arguments: StoreKind.all) func aWidgetIsMadeAnsweredRescopedAndRevoked(_ kind: StoreKind) async throws {
        let clock = Clock(Self.start)
        let fresh = try await kind.open(StoreConfiguration(durability: .normal))
        defer { fresh.remove() }
        let widgets = Widgets(store: fresh.store, validator: ResponseValidator(), now: { clock.now })

        // Every problem at once; nothing stored.
        do {
            _ = try await widgets.create(label: " ", centre: "C01", channels: ["fax"], origins: ["example.gov.bh"])
            Issue.record("a widget with a blank label, an unknown channel and a bare host was made")
        } catch let error as UseCaseError {
            #expect(error.code == "invalid_widget" && error.problems.map { $0.field ?? "" } == ["label", "channel", "origin"])
        }
        #expect(try await widgets.list().isEmpty)

        let widget = try await widgets.create(label: "  موقع الوزارة ", centre: "C01", channels: ["website", "mobile_app", "website"],
                                              origins: ["https://www.moi.gov.bh/", "https://WWW.moi.gov.bh"])
        #expect(widget.label == "موقع الوزارة" && widget.channels == ["website", "mobile_app"] && widget.origins == ["https://www.moi.gov.bh"])
        #expect(Widget.isKeyShaped(widget.key))
        #expect(try await widgets.widget(key: widget.key) == widget)
        #expect(try await widgets.widget(key: "pk_" + InvitationToken.generate().text) == nil)

        // An answer on the default channel, then one on the app with a stage and service, Arabic comment intact.
        var first = ResponseDraft(ratings: ["5", "4", nil, "3"], comment: "الموقع واضح <b>شكراً</b>")
        first.id = "a1b2"
        guard case .stored(let id, false, false) = try await widgets.answer(widget, answers: first) else { Issue.record("not stored"); return }
        #expect(id == "web-\(widget.id)-a1b2")
        let stored = try #require(try await fresh.store.response(id: id))
        #expect(stored.centre == "C01" && stored.channel == "website" && stored.source == widget.source)
        #expect(stored.submittedAt == clock.now && stored.comment == "الموقع واضح <b>شكراً</b>")

        // The page's retry a minute later: the same answer, stored once, at the first arrival's time.
        clock.advance(seconds: 60)
        guard case .stored(id, true, _) = try await widgets.answer(widget, answers: first) else { Issue.record("a retry was not a duplicate"); return }
        #expect(try await fresh.store.response(id: id)?.submittedAt == Self.start)
        // Other answers under the same id: a conflict, the first kept.
        var other = first
        other.ratings = ["1", "1", "1", "1"]
        #expect(try await widgets.answer(widget, answers: other) == .conflict(id: id))

        var app = ResponseDraft(ratings: ["2", "2", "2", "2"])
        app.channel = "mobile_app"
        app.stage = "during"
        app.service = "تجديد الجواز"
        guard case .stored(let appID, false, _) = try await widgets.answer(widget, answers: app) else { Issue.record("not stored"); return }
        let appStored = try #require(try await fresh.store.response(id: appID))
        #expect(appStored.channel == "mobile_app" && appStored.stage == .during && appStored.service == "تجديد الجواز")
        #expect(appID.hasPrefix("web-\(widget.id)-"))

        // Refused: a channel the widget is not for, no rating, an id that is not one.
        var kiosk = ResponseDraft(ratings: ["5"])
        kiosk.channel = "kiosk"
        guard case .invalid(let channelProblems) = try await widgets.answer(widget, answers: kiosk) else { Issue.record("kiosk accepted"); return }
        #expect(channelProblems.map(\.field) == ["channel"])
        var badID = ResponseDraft(ratings: ["5"])
        badID.id = "../../x"
        guard case .invalid(let idProblems) = try await widgets.answer(widget, answers: badID) else { Issue.record("bad id accepted"); return }
        #expect(idProblems.map(\.field) == ["id"])
        #expect(try await fresh.store.responseCount() == 2)

        // The rollups count them by hand: website 1 response with 3 ratings (5, 4, 3: sum 12), mobile app 1 with 4 ratings of 2.
        let counts = try await fresh.store.quarterCounts(centre: "C01", quarter: Quarter(year: 2026, number: 2))
        #expect(counts["website"]?.responses == 1 && counts["website"]?.ratings == 3 && counts["website"]?.scoreSum == 12)
        #expect(counts["mobile_app"]?.responses == 1 && counts["mobile_app"]?.ratings == 4 && counts["mobile_app"]?.scoreSum == 8)
        #expect(counts["kiosk"] == nil)

        // Origins replaced; then revoked: gone for the service, kept in the list.
        let moved = try await widgets.setOrigins(widget.id, origins: ["https://moi.gov.bh", "http://localhost:8080"])
        #expect(moved.origins == ["https://moi.gov.bh", "http://localhost:8080"])
        await #expect(throws: UseCaseError.self) { try await widgets.setOrigins(widget.id, origins: []) }
        await #expect(throws: UseCaseError.self) { try await widgets.setOrigins(999, origins: ["https://a.bh"]) }
        try await widgets.revoke(widget.id)
        #expect(try await widgets.widget(key: widget.key) == nil)
        await #expect(throws: UseCaseError.self) { try await widgets.revoke(widget.id) }
        let listed = try await widgets.list()
        #expect(listed.count == 1 && listed[0].revokedAt == clock.now && listed[0].origins == moved.origins)
    }
}
