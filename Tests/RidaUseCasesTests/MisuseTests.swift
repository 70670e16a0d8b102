import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// Issue 16 point 2 on real stores (SQLite and PostgreSQL): the misuse rules run as responses are stored, set aside
/// what they flag, keep the rollups equal to a recount of the responses counted, and the quality team's reinstatement
/// counts them again, recorded. Figures are worked out by hand below.
@Suite struct MisuseTests {
    static let now = instant("2026-02-01T12:00:00+03:00")

    /// Five customers at C01's kiosk 1 (key 1) on 2026-02-01, far enough from each other and from the burst that no
    /// rule applies to them: 09:00, 09:05 (a comment), 09:10, then 09:23 and 09:30 (all fives, with a comment).
    static func customers(source: String? = "key:1") -> [SurveyResponse] {
        var list = [
            response("o1", channel: "kiosk", at: "2026-02-01T09:00:00+03:00", [4, 4, 3, 5]),
            response("o2", channel: "kiosk", at: "2026-02-01T09:05:00+03:00", [2, 3, 2, 3], comment: "الانتظار طويل"),
            response("o3", channel: "kiosk", at: "2026-02-01T09:10:00+03:00", [5, 4, 5, 4]),
            response("o4", channel: "kiosk", at: "2026-02-01T09:23:00+03:00", [3, 3, 4, 3]),
            response("o5", channel: "kiosk", at: "2026-02-01T09:30:00+03:00", [5, 5, 5, 5], comment: "ممتاز"),
        ]
        for i in list.indices { list[i].source = source }
        return list
    }

    /// Sixty fives in one minute from the same kiosk, 09:20:00 to 09:20:59, one a second.
    static func hammering(source: String = "key:1", comment: String? = nil) -> [SurveyResponse] {
        (0..<60).map { second in
            var r = response(String(format: "h%02d", second), channel: "kiosk",
                             at: String(format: "2026-02-01T09:20:%02d+03:00", second), [5, 5, 5, 5], comment: second == 7 ? comment : nil)
            r.source = source
            return r
        }
    }

    static let scope = ReportScope(quarter: Quarter("2026-Q1")!, centre: "C01")

    func report(_ store: any RidaStorage) async throws -> QuarterlyReport {
        try await store.quarterlyReport(Self.scope, policy: ThresholdPolicy(), channels: .standard)
    }

    @Test(arguments: StoreKind.all) func aHammeredKioskMovesNoFigure(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let customers = Self.customers(), burst = Self.hammering()
        // As they arrive: the customers before the burst, the burst's first ten together, then the rest one by one, then
        // the customers after it.
        _ = try await store.save(Array(customers[0..<3]), receivedAt: Self.now)
        _ = try await store.save(Array(burst[0..<10]), receivedAt: Self.now)
        // Ten are not yet a burst (more than ten): ten identical answers without a comment in 9 s are (five in 120 s),
        // which names each of them before "too fast" (h01…h09 came a second after the one before).
        #expect(try await store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: "C01")
                == [SetAsideCount(centre: "C01", channel: "kiosk", rule: .identical, responses: 10)])
        for r in burst[10...] { _ = try await store.save([r], receivedAt: Self.now) }
        // Then a burst: the first ten are named again by the earlier rule, the counts unchanged (below).
        _ = try await store.save(Array(customers[3...]), receivedAt: Self.now)

        let report = try await report(store)
        let kiosk = try #require(report.groups.first { $0.channel == "kiosk" })
        // By hand, the five customers alone: q1 4 2 5 3 5, q2 4 3 4 3 5, q3 3 2 5 4 5, q4 5 3 4 3 5.
        // 20 ratings summing to 77 (mean 3.85); 18 of them at least 3, 12 at least 4.
        #expect(kiosk.responses == 5)
        #expect(kiosk.ratings == 20)
        #expect(kiosk.mean == 77.0 / 20.0)
        #expect(kiosk.share3 == 18.0 / 20.0)
        #expect(kiosk.share4 == 12.0 / 20.0)
        // The same figures as a store holding only the customers.
        let alone = try await kind.open()
        defer { alone.remove() }
        _ = try await alone.store.save(customers, receivedAt: Self.now)
        #expect(try await self.report(alone.store).groups == report.groups)

        // Kept, and said: sixty set aside at C01's kiosk, by the burst rule.
        #expect(try await store.responseCount() == 65)
        #expect(try await store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: "C01")
                == [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60)])
        let listed = try await store.setAsideResponses(centre: "C01", quarter: nil, limit: 1_000)
        #expect(Set(listed.map(\.id)) == Set(burst.map(\.id)))
        #expect(listed.allSatisfy { $0.source == "key:1" && $0.rule == .burst })
        #expect(try await store.check(.full).isEmpty, "the rollups equal a recount of the responses counted")
    }

    @Test(arguments: StoreKind.all) func aBurstReinstatedIsCountedAgainForGoodAndRecorded(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save(Self.customers() + Self.hammering(comment: "لعب أطفال"), receivedAt: Self.now)
        let scope = ReportScope(quarter: Quarter("2026-Q1")!, centre: "C01")
        // The set-aside comment is out of the reports' comments; the customers' two are in.
        #expect(try await store.comments(in: scope).map(\.text).sorted() == ["الانتظار طويل", "ممتاز"])

        let reinstate = ReinstateResponses(store: store, now: { Self.now })
        // Refused with every problem: no reason, no one deciding, a span reversed.
        let refused = await #expect(throws: UseCaseError.self) {
            try await reinstate.run(.burst(source: "key:1", from: instant("2026-02-01T09:21:00+03:00"),
                                           through: instant("2026-02-01T09:20:00+03:00")), by: " ", reason: "")
        }
        #expect(refused?.problems.compactMap(\.field) == ["by", "reason", "through"])

        let ids = try await reinstate.run(.burst(source: "key:1", from: instant("2026-02-01T09:20:00+03:00"),
                                                 through: instant("2026-02-01T09:20:59+03:00")),
                                          by: "Quality team, C01", reason: "a school visit, each child answered")
        #expect(Set(ids) == Set((0..<60).map { String(format: "h%02d", $0) }))
        let kiosk = try #require(try await report(store).groups.first { $0.channel == "kiosk" })
        // 65 responses: the customers' 77 over 20 ratings and sixty times four fives (1200 over 240).
        #expect(kiosk.responses == 65)
        #expect(kiosk.ratings == 260)
        #expect(kiosk.mean == (77.0 + 1_200.0) / 260.0)
        #expect(try await store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: "C01").isEmpty)
        #expect(try await store.comments(in: scope).map(\.text).sorted() == ["الانتظار طويل", "لعب أطفال", "ممتاز"])
        #expect(try await store.check(.full).isEmpty)

        // Again: nothing left to reinstate.
        #expect(try await reinstate.run(.ids(["h00", "o1", "nobody"]), by: "Quality", reason: "again").isEmpty)
        // A new press a second after the burst is set aside itself; the reinstated sixty stay counted.
        var late = response("h60", channel: "kiosk", at: "2026-02-01T09:21:00+03:00", [5, 5, 5, 5])
        late.source = "key:1"
        _ = try await store.save([late], receivedAt: Self.now)
        #expect(try await report(store).groups.first { $0.channel == "kiosk" }?.responses == 65)
        #expect(try await store.setAsideResponses(centre: nil, quarter: nil, limit: 10).map(\.id) == ["h60"])
        #expect(try await store.check(.full).isEmpty)

        // Each reinstatement recorded with its rule, who and why, read as a copy reads the table.
        let copying = try #require(store as? any StoreCopying)
        let decisions = try await copying.readingSnapshot { reader in
            var found: [[CopyValue]] = []
            try await reader.rows(of: "misuseDecision", columns: ["responseId", "rule", "decidedBy", "reason", "decidedAt"],
                                  batchSize: 100) { found += $0 }
            return found
        }
        #expect(decisions.count == 60)
        #expect(Set(decisions.map { $0[0] }) == Set((0..<60).map { CopyValue.text(String(format: "h%02d", $0)) }))
        #expect(decisions.allSatisfy {
            Array($0[1...]) == [.text("burst"), .text("Quality team, C01"), .text("a school visit, each child answered"), .text(Self.now.iso8601)]
        })
    }

    /// A saved report freezes what was set aside with the figures it was left out of; its published page says so.
    @Test(arguments: StoreKind.all) func aSavedReportFreezesWhatWasSetAside(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        _ = try await fresh.store.save(Self.customers() + Self.hammering(), receivedAt: Self.now)
        let reports = SavedReports(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now })
        let saved = try await reports.save(scope: "C01", quarter: Quarter("2026-Q1")!, by: "Quality lead")
        let (content, _) = try await fresh.store.savedReportContent(saved.report.id)
        let snapshot = try JSONDecoder().decode(ReportSnapshot.self, from: Data(try #require(content).json.utf8))
        #expect(snapshot.report.setAside == [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60)])
        #expect(snapshot.report.groups.first { $0.channel == "kiosk" }?.responses == 5)
        let page = try await reports.render(saved.report.id, format: .html, language: .en)
        #expect(String(decoding: page.document.bytes, as: UTF8.self).contains("<section id=\"set-aside\">"))
    }

    /// Several instances: one kiosk's burst arriving through two PostgreSQL stores at once, the even seconds through one
    /// and the odd through the other, is set aside whole and subtracted once (each save reads the device's timeline under
    /// its advisory lock, so the later one sees the earlier).
    @Test(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
    func oneDevicesBurstThroughTwoInstancesAtOnceIsSetAsideOnce() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        let stores = [database.store, other]
        _ = try await stores[0].save(Array(Self.customers()[0..<3]), receivedAt: Self.now)
        let burst = Self.hammering()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, store) in stores.enumerated() {
                group.addTask {
                    for r in burst.enumerated().filter({ $0.offset % 2 == n }).map(\.element) {
                        _ = try await store.save([r], receivedAt: Self.now)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await stores[1].save(Array(Self.customers()[3...]), receivedAt: Self.now)
        #expect(try await report(other).groups.first { $0.channel == "kiosk" }?.responses == 5)
        #expect(try await other.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: "C01")
                == [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60)])
        #expect(try await database.store.check(.full).isEmpty)
        await other.close()
    }

    /// A key that sends far more at one instant than a save reads of its timeline (`MisuseRules.timelineCap`): every
    /// one is still set aside, and the rollups still equal the recount.
    @Test(arguments: StoreKind.all) func aFloodAtOneInstantIsSetAsideWhole(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let flood: [SurveyResponse] = (0..<1_300).map { i in
            var r = response("f\(i)", channel: "kiosk", at: "2026-02-01T11:00:00+03:00", [5, 5, 5, 5])
            r.source = "key:6"
            return r
        }
        for start in stride(from: 0, to: flood.count, by: 100) {
            _ = try await fresh.store.save(Array(flood[start..<min(start + 100, flood.count)]), receivedAt: Self.now)
        }
        #expect(try await fresh.store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: "C01").map(\.responses).reduce(0, +) == 1_300)
        #expect(try await report(fresh.store).groups.isEmpty)
        #expect(try await fresh.store.check(.full).isEmpty)
    }

    @Test(arguments: StoreKind.all) func anOfflineQueueDeliveredAtOnceIsCountedByTheDevicesClock(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        // An hour of customers, one every two minutes by the kiosk's clock, delivered in one batch when it is back online.
        let queue: [SurveyResponse] = (0..<30).map { i in
            var r = response("q\(i)", channel: "kiosk", at: String(format: "2026-02-01T10:%02d:00+03:00", 2 * i), [4, 5, 4, 5])
            r.source = "key:2"
            return r
        }
        _ = try await fresh.store.save(queue, receivedAt: Self.now)
        #expect(try await report(fresh.store).groups.first?.responses == 30)
        #expect(try await fresh.store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: nil).isEmpty)
    }

    @Test(arguments: StoreKind.all) func importsAndUnwatchedChannelsAreNeverChecked(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        // A file imported (no source): sixty fives at the same second, all counted.
        _ = try await fresh.store.save(Self.hammering().map { var r = $0; r.source = nil; return r }, receivedAt: Self.now)
        // An IVR platform's key: many callers at once, rightly; its channel is not watched by default.
        let calls: [SurveyResponse] = (0..<20).map { i in
            var r = response("ivr-\(i)", channel: "call-centre", at: "2026-02-01T11:00:00+03:00", [5, 5, 5, 5])
            r.source = "key:3"
            return r
        }
        _ = try await fresh.store.save(calls, receivedAt: Self.now)
        let groups = try await report(fresh.store).groups
        #expect(groups.map(\.responses).reduce(0, +) == 80)
        #expect(try await fresh.store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: nil).isEmpty)
    }

    @Test(arguments: StoreKind.all) func theReportSaysWhatWasSetAsidePerChannelAndRule(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        // Eight identical answers without comment, 20 s apart, from kiosk key 4 at C02: identical (5 in 120 s).
        let same: [SurveyResponse] = (0..<8).map { i in
            var r = response("s\(i)", centre: "C02", channel: "kiosk", at: String(format: "2026-02-02T10:%02d:%02d+03:00", i * 20 / 60, i * 20 % 60), [3, 3, 3, 3])
            r.source = "key:4"
            return r
        }
        // Two customers two seconds apart from kiosk key 5 at C02: the second too fast.
        var first = response("f1", centre: "C02", channel: "kiosk", at: "2026-02-02T12:00:00+03:00", [4, 4, 4, 4])
        var second = response("f2", centre: "C02", channel: "kiosk", at: "2026-02-02T12:00:02+03:00", [1, 1, 1, 1])
        first.source = "key:5"
        second.source = "key:5"
        _ = try await fresh.store.save(Self.customers() + Self.hammering() + same + [first, second], receivedAt: Self.now)

        let show = ShowReport(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now })
        let json = try await show.run(ReportRequest(quarter: "2026-Q1", format: .json))
        let report = try JSONDecoder().decode(QuarterlyReport.self, from: json.bytes)
        #expect(report.setAside == [
            SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60),
            SetAsideCount(centre: "C02", channel: "kiosk", rule: .identical, responses: 8),
            SetAsideCount(centre: "C02", channel: "kiosk", rule: .tooFast, responses: 1),
        ])
        // C02's kiosk counts f1 alone.
        #expect(report.groups.first { $0.centre == "C02" }?.responses == 1)
        // Narrowed to C01, only C01's.
        let c01 = try JSONDecoder().decode(QuarterlyReport.self, from: try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .json)).bytes)
        #expect(c01.setAside?.map(\.responses) == [60])
        let text = String(decoding: try await show.run(ReportRequest(quarter: "2026-Q1", format: .text)).bytes, as: UTF8.self)
        #expect(text.contains("Set aside by the misuse rules (69 responses"))
        #expect(text.contains("given faster than a person can read the questions"))
        let html = String(decoding: try await show.run(ReportRequest(quarter: "2026-Q1", format: .html, language: .en)).bytes, as: UTF8.self)
        #expect(html.contains("<section id=\"set-aside\">"))
        #expect(html.contains("the same answers repeated from one device in a short time</td><td class=\"num\">8</td>"))
    }

    /// Someone holding a leaked kiosk key tries to get the kiosk's real customers set aside by sending fakes dated next to
    /// them: an hour after the customers were counted, eleven fakes around o2 (09:04:30 to 09:05:20 by the clock they
    /// claim); and, in advance, eleven fakes dated 10:00:00 to 10:00:50, waiting for the customer who comes at 10:00:30.
    /// Only responses that arrived within ten minutes of each other are read together (`arrivalWindowSeconds`): the fakes
    /// are a burst of their own and set aside, and every customer stays counted.
    @Test(arguments: StoreKind.all) func aLeakedKeyCannotGetRealCustomersSetAside(_ kind: StoreKind) async throws {
        let fresh = try await kind.open(StoreConfiguration(durability: .normal))
        defer { fresh.remove() }
        let store = fresh.store
        let customers = Self.customers()
        _ = try await store.save(Array(customers[0..<3]), receivedAt: instant("2026-02-01T09:15:00+03:00"))
        func fakes(_ prefix: String, from start: String) -> [SurveyResponse] {
            (0..<11).map { i in
                var r = response("\(prefix)\(i)", channel: "kiosk", at: Instant(millisecondsSince1970: instant(start).millisecondsSince1970 + Int64(i) * 5_000).iso8601,
                                 [1, 1, 1, 1])
                r.source = "key:1"
                return r
            }
        }
        _ = try await store.save(fakes("back", from: "2026-02-01T09:04:30+03:00"), receivedAt: instant("2026-02-01T10:15:00+03:00"))
        _ = try await store.save(fakes("ahead", from: "2026-02-01T10:00:00+03:00"), receivedAt: instant("2026-02-01T09:16:00+03:00"))
        var late = response("o9", channel: "kiosk", at: "2026-02-01T10:00:30+03:00", [4, 5, 4, 5])
        late.source = "key:1"
        _ = try await store.save([late], receivedAt: instant("2026-02-01T10:00:40+03:00"))

        // Set aside: the 22 fakes (each eleven in under a minute, a burst), and no customer.
        let setAside = try await store.setAsideResponses(centre: "C01", quarter: nil, limit: 100)
        #expect(setAside.count == 22 && setAside.allSatisfy { $0.id.hasPrefix("back") || $0.id.hasPrefix("ahead") })
        let kiosk = try #require(try await report(store).groups.first { $0.channel == "kiosk" })
        // o1, o2, o3 and o9 by hand: q1 4 2 5 4, q2 4 3 4 5, q3 3 2 5 4, q4 5 3 4 5: 16 ratings summing to 62.
        #expect(kiosk.responses == 4 && kiosk.ratings == 16 && kiosk.mean == 62.0 / 16.0)

        // A burst arriving together is still caught whatever its clock says: sixty fives sent at once an hour later.
        _ = try await store.save(Self.hammering(), receivedAt: instant("2026-02-01T11:00:00+03:00"))
        #expect(try await store.setAsideResponses(centre: "C01", quarter: nil, limit: 100).count == 82)
    }
}
