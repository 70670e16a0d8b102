import Foundation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

@Suite struct SavedReportsTests {
    @Test(arguments: StoreKind.all) func aReportIsSavedSubmittedPublishedFrozenAndCorrected(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let reports = f.savedReports
        let quarter = try #require(Quarter("2026-Q1"))

        let saved = try await reports.save(scope: "E01", quarter: quarter, by: "Quality lead")
        #expect(saved.report.status == .draft)
        #expect(saved.report.contentSha256 == saved.content.sha256)
        // E01's snapshot holds C01's counter (4 responses) and C03's kiosk (2 responses): 6 in all.
        let snapshot = try ReportSnapshot.decode(Data(saved.content.json.utf8))
        #expect(snapshot.report.groups.map(\.responses) == [4, 2])

        let action = try await reports.decide(ReportAction(report: saved.report.id, who: "Centre manager", what: "Train the counter staff",
                                                           due: "2026-06-30", status: .open, recordedAt: Fixture.now))
        #expect(try await reports.submit(saved.report.id).status == .submitted)

        let published = try await reports.publish(saved.report.id)
        #expect(published.report.status == .published)
        #expect(published.report.publishedAt == Fixture.now)
        // The frozen content holds the action recorded before publishing and the publication itself.
        let frozen = try ReportSnapshot.decode(Data(published.content.json.utf8))
        #expect(frozen.actions.map(\.id) == [action.id])
        #expect(frozen.publication?.report == saved.report.id)
        #expect(published.page.sha256 == ReportFreezing.sha256(Data(published.page.html.utf8)))
        #expect(published.report.pageSha256 == published.page.sha256)
        #expect(try await reports.verify(saved.report.id).check.holds)

        let again = try await #require(throws: UseCaseError.self) { try await reports.publish(saved.report.id) }
        #expect(again.kind == .conflict)
        #expect(again.code == "already_published")

        let correction = try await reports.correct(saved.report.id, by: "Quality lead")
        #expect(correction.report.replaces == saved.report.id)
        #expect(correction.report.status == .draft)
        // The correction carries the action over.
        #expect(correction.report.actions.map(\.copiedFrom) == [action.id])
        #expect(try await reports.list(scope: "E01").map(\.id) == [saved.report.id, correction.report.id])
    }

    @Test(arguments: StoreKind.all) func rendersTheStoredBytesOrANewRenderingOfTheStoredContent(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let reports = f.savedReports
        let saved = try await reports.save(scope: "C01", quarter: try #require(Quarter("2026-Q1")), by: "Quality lead")
        let draft = try await reports.render(saved.report.id, format: .html)
        // A draft is shown to the quality team by default, rendered again from its content: nothing frozen.
        #expect(draft.audience == .quality)
        #expect(draft.frozen == nil)
        #expect(draft.document.fileName == "rida-report-\(saved.report.id)-C01-2026-Q1-quality-ar.html")

        let published = try await reports.publish(saved.report.id)
        let page = try await reports.render(saved.report.id, format: .html)
        // A published report's public Arabic page is the page as published, byte for byte.
        #expect(page.audience == .public)
        #expect(page.document.bytes == Data(published.page.html.utf8))
        #expect(page.frozen?.sha256 == published.page.sha256)
        #expect(page.document.fileName == "rida-report-\(saved.report.id)-C01-2026-Q1.html")

        let json = try await reports.render(saved.report.id, format: .json)
        #expect(json.document.bytes == Data(published.content.json.utf8))
        #expect(json.frozen?.sha256 == published.content.sha256)
        #expect(json.document.contentType == "application/json; charset=utf-8")

        let english = try await reports.render(saved.report.id, format: .html, language: .en)
        #expect(english.frozen == nil)
        #expect(english.document.fileName == "rida-report-\(saved.report.id)-C01-2026-Q1-public-en.html")
    }

    @Test(arguments: StoreKind.all) func aReportThatDoesNotExistIsNotFound(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let error = try await #require(throws: AssessmentError.self) { try await f.savedReports.publish(42) }
        #expect(error.notFound)
    }

    @Test(arguments: StoreKind.all) func declinesAreRecordedAndListedByScope(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let reports = f.savedReports
        let quarter = try #require(Quarter("2026-Q2"))
        _ = try await reports.recordDecline(DeclineReason(scope: "E01", channel: "counter", quarter: quarter, reason: "Staff shortage",
                                                          who: "Quality lead", at: Fixture.now))
        _ = try await reports.recordDecline(DeclineReason(scope: "C03", channel: nil, quarter: quarter, reason: "Kiosk out of order",
                                                          who: "Quality lead", at: Fixture.now))
        #expect(try await reports.declines(scope: "E01").map(\.reason) == ["Staff shortage"])
        #expect(try await reports.declines(scope: nil).count == 2)
    }
}
