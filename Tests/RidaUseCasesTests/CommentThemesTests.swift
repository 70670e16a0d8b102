import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// `rida report --themes` and the documents' themes section, through `ShowReport` and `CommentThemes` on a real store
/// holding RidaTesting's `ThemeFixture` (22 comments at C01 in 2026-Q1, their themes worked out by hand in
/// RidaAggregationTests' `ThemeTests`), and one comment at C09 that tries to write HTML.
@Suite struct CommentThemesTests {
    static let now = instant("2026-05-01T12:00:00+03:00")

    func seeded(_ kind: StoreKind) async throws -> (FreshStore, ShowReport) {
        let fresh = try await kind.open()
        _ = try await fresh.store.save(ThemeFixture.responses() + [
            response("x1", centre: "C09", at: "2026-03-01T10:00:00+03:00", [5, 5, 5, 5], comment: "<b>Fees</b> & \"more\""),
        ], receivedAt: Self.now)
        let themes = CommentThemes(store: fresh.store, lexicon: .starter, channels: .standard)
        let show = ShowReport(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now }, themes: themes)
        return (fresh, show)
    }

    @Test(arguments: StoreKind.all) func theJSONCountsEachThemeItsLowRatingsAndTheUnmatched(_ kind: StoreKind) async throws {
        let (fresh, show) = try await seeded(kind)
        defer { fresh.remove() }
        let report = try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .json, themes: true))
        #expect(report.fileName == "rida-report-2026-Q1-C01-themes.json")
        #expect(report.contentType == "application/json; charset=utf-8")
        let digest = try JSONDecoder().decode(ThemeDigest.self, from: report.bytes)
        // By hand (ThemeTests): comments 22, 14 low-rated; waiting time 6 (6 low), praise 4 (0), 3 in no theme.
        #expect(digest.all.comments == 22 && digest.all.lowRated == 14)
        #expect(digest.all.themes.map(\.comments) == [6, 3, 2, 2, 2, 2, 3, 4])
        #expect(digest.all.themes.map(\.lowRated) == [6, 1, 1, 2, 2, 2, 3, 0])
        #expect(digest.all.unmatched == 3 && digest.all.unmatchedLowRated == 0)
        #expect(digest.channels.map(\.channel) == ["counter", "kiosk", "website"])
        #expect(digest.channels.map(\.comments) == [11, 5, 6])
        #expect(digest.all.themes[0].examples.map(\.text) == ["تأخّر الموعد", "الانتظـــار طويل جداً", "The wait was too long"])
        #expect(digest.all.themes[0].examples.map(\.day) == ["2026-01-05", "2026-02-01", "2026-02-11"])

        // One channel: the kiosk's five comments only.
        let kiosk = try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", channel: "kiosk", format: .json, themes: true))
        let kioskDigest = try JSONDecoder().decode(ThemeDigest.self, from: kiosk.bytes)
        #expect(kioskDigest.all.comments == 5 && kioskDigest.all.themes[0].comments == 2 && kioskDigest.all.unmatched == 1)
    }

    @Test(arguments: StoreKind.all) func theCSVHasARowPerChannelAndThemeWithItsExamples(_ kind: StoreKind) async throws {
        let (fresh, show) = try await seeded(kind)
        defer { fresh.remove() }
        let report = try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .csv, themes: true))
        let text = String(decoding: report.bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{FEFF}quarter,channel,theme,label.ar,label.en,comments,lowRated,example1,example2,example3\r\n"))
        let rows = text.split(separator: "\r\n").dropFirst().map(String.init)
        // Three channels and all, nine rows each (eight themes and the unmatched).
        #expect(rows.count == 4 * 9)
        #expect(rows.contains("2026-Q1,all,waiting_time,وقت الانتظار,Waiting time,6,6,تأخّر الموعد,الانتظـــار طويل جداً,The wait was too long"))
        #expect(rows.contains("2026-Q1,all,unmatched,بلا موضوع,No theme,3,0,,,"))
        #expect(rows.contains("2026-Q1,kiosk,fees,الرسوم,Fees,1,1,بالرسوم المرتفعة,,"))
        #expect(rows.contains("2026-Q1,website,website_app,الموقع الإلكتروني والتطبيق,Website and app,3,3,التطبيق لا يفتح,\"Parking was impossible, and the website kept crashing\",الموقع الإلكتروني بطيء"))
    }

    @Test(arguments: StoreKind.all) func theTextListsThemesAndExamplesPerChannel(_ kind: StoreKind) async throws {
        let (fresh, show) = try await seeded(kind)
        defer { fresh.remove() }
        let report = try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .text, themes: true))
        let text = String(decoding: report.bytes, as: UTF8.self)
        #expect(text.hasPrefix("Comment themes 2026-Q1, centre C01; lexicon starter.\n"))
        #expect(text.contains("\nAll channels: 22 comments, 14 low-rated\n"))
        #expect(text.contains("\nKiosk: 5 comments, 4 low-rated\n"))
        // t22: ratings 1, 2, 1, 1, mean 5 / 4 = 1.25.
        #expect(text.contains("    - 2026-01-05 C01 Service counter, mean 1.25: تأخّر الموعد\n"))
        let waiting = try #require(text.split(separator: "\n").first { $0.hasPrefix("Waiting time") })
        #expect(waiting.split(separator: " ").suffix(2) == ["3", "3"], "the counter's first table: 3 comments, 3 low-rated")
    }

    @Test(arguments: StoreKind.all) func theHTMLPageShowsTheThemesAndEscapesItsExamples(_ kind: StoreKind) async throws {
        let (fresh, show) = try await seeded(kind)
        defer { fresh.remove() }
        let page = String(decoding: try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .html)).bytes, as: UTF8.self)
        #expect(page.contains("<section id=\"themes\">\n<h2>موضوعات الملاحظات</h2>"))
        // Every channel together first (22 comments), then each channel.
        #expect(page.contains("<tr data-theme=\"waiting_time\"><th>وقت الانتظار</th><td class=\"num\">6</td><td class=\"num\">6</td><td class=\"num\">100.0%</td></tr>"))
        #expect(page.contains("<tr data-theme=\"staff_conduct\"><th>تعامل الموظفين</th><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">33.3%</td></tr>"))
        #expect(page.contains("<tr data-theme=\"unmatched\"><th>بلا موضوع</th><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">0.0%</td></tr>"))
        #expect(page.contains("<ol class=\"comments examples\" data-theme=\"waiting_time\">"))
        #expect(page.contains("<p dir=\"auto\">تأخّر الموعد</p>"))

        let escaped = String(decoding: try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C09", format: .html, language: .en)).bytes, as: UTF8.self)
        // C09 has one channel: its table is named after it, not "All channels", and there is no second table.
        #expect(escaped.contains("<h3>Service counter <small>(comments: 1)</small></h3>"))
        #expect(escaped.components(separatedBy: "<tr data-theme=\"fees\">").count == 2)
        #expect(page.contains("<h3>جميع القنوات <small>(الملاحظات: 22)</small></h3>"))
        #expect(escaped.contains("<tr data-theme=\"fees\"><th>Fees</th><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0.0%</td></tr>"))
        #expect(escaped.contains("<p dir=\"auto\">&lt;b&gt;Fees&lt;/b&gt; &amp; &quot;more&quot;</p>"))
        #expect(!escaped.contains("<b>Fees</b>"))

        // The public version: the figures, no example (it has no comments).
        let published = String(decoding: try await show.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .html, audience: .public)).bytes, as: UTF8.self)
        #expect(published.contains("<tr data-theme=\"waiting_time\"><th>وقت الانتظار</th><td class=\"num\">6</td>"))
        #expect(!published.contains("examples") && !published.contains("تأخّر الموعد") && !published.contains("الانتظـــار"))
    }

    @Test(arguments: StoreKind.all) func aSavedReportKeepsItsThemesAndPublishesThemWithoutExamples(_ kind: StoreKind) async throws {
        let (fresh, _) = try await seeded(kind)
        defer { fresh.remove() }
        let themes = CommentThemes(store: fresh.store, channels: .standard)
        let saved = SavedReports(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now }, themes: themes)
        let stored = try await saved.save(scope: "C01", quarter: Quarter(year: 2026, number: 1), by: "Quality team")
        let snapshot = try ReportSnapshot.decode(Data(stored.content.json.utf8))
        let digest = try #require(snapshot.themes)
        #expect(digest.all.comments == 22 && digest.all.themes.map(\.comments) == [6, 3, 2, 2, 2, 2, 3, 4] && digest.all.unmatched == 3)
        let published = try await saved.publish(stored.report.id)
        #expect(published.page.html.contains("<tr data-theme=\"praise\"><th>الثناء</th><td class=\"num\">4</td><td class=\"num\">0</td>"))
        #expect(!published.page.html.contains("شكراً لكم"))
        // Without a comment store, a snapshot has no themes, and its page no themes section.
        let plain = SavedReports(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now })
        let other = try await plain.save(scope: "C01", quarter: Quarter(year: 2026, number: 1), by: "Quality team")
        #expect(try ReportSnapshot.decode(Data(other.content.json.utf8)).themes == nil)
        #expect(!other.content.json.contains("\"themes\""))
    }

    @Test func themesAreForTextJSONAndCSVAndNeedAStoreThatReadsComments() async throws {
        let asked = ReportRequest(quarter: "2026-Q1", format: .html, themes: true)
        #expect(asked.problems(channels: .standard).map(\.field) == ["themes"])
        let fresh = try await StoreKind.sqliteMemory.open()
        defer { fresh.remove() }
        let show = ShowReport(store: fresh.store, policy: ThresholdPolicy(), channels: .standard, now: { Self.now })
        let error = try await #require(throws: UseCaseError.self) {
            try await show.run(ReportRequest(quarter: "2026-Q1", format: .text, themes: true))
        }
        #expect(error.code == "themes_unavailable")
    }
}
