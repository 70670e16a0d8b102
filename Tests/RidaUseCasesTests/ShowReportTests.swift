import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

@Suite struct ShowReportTests {
    @Test(arguments: StoreKind.all) func rendersOneCentresCSVWithItsFiguresNameAndType(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let report = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .csv))
        #expect(report.contentType == "text/csv; charset=utf-8")
        #expect(report.fileName == "rida-report-2026-Q1-C01.csv")
        #expect(report.bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        // C01's counter: 4 responses, 16 ratings, mean 64 / 16 = 4.0; q1 answered 4 times, mean (5+4+3+4)/4 = 4.0,
        // counts of 1…5: 0, 0, 1, 2, 1.
        #expect(report.csvRows.count == 1)
        #expect(report.csvRows[0].hasPrefix("2026-Q1,C01,counter,4,16,4.0,4,4.0,0,0,1,2,1,"))
    }

    @Test(arguments: StoreKind.all) func anEntityCoversEachOfItsCentres(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let report = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: .csv))
        #expect(report.fileName == "rida-report-2026-Q1-E01.csv")
        // E01 is C01 (counter: 4 responses, mean 4.0) and C03 (kiosk: 2 responses of 5s, 8 ratings, mean 5.0).
        #expect(report.csvRows.count == 2)
        #expect(report.csvRows[0].hasPrefix("2026-Q1,C01,counter,4,16,4.0,"))
        #expect(report.csvRows[1].hasPrefix("2026-Q1,C03,kiosk,2,8,5.0,"))
    }

    @Test(arguments: StoreKind.all) func withoutAQuarterTheLatestWithResponses(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let report = try await f.showReport.run(ReportRequest(centre: "C01", channel: "counter", format: .csv))
        // 2026-Q2 holds one response of 2s: 4 ratings, mean 2.0.
        #expect(report.fileName == "rida-report-2026-Q2-C01-counter.csv")
        #expect(report.csvRows == report.csvRows.filter { $0.hasPrefix("2026-Q2,C01,counter,1,4,2.0,") })
        #expect(report.csvRows.count == 1)
    }

    @Test(arguments: StoreKind.all) func namesEachDocumentAfterItsAudienceAndLanguage(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let page = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .html, language: .en, audience: .public))
        #expect(page.contentType == "text/html; charset=utf-8")
        #expect(page.fileName == "rida-report-2026-Q1-C01-public-en.html")
        #expect(page.text.hasPrefix("<!DOCTYPE html>") || page.text.hasPrefix("<!doctype html>"))
        let workbook = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", format: .xlsx))
        #expect(workbook.fileName == "rida-report-2026-Q1-all.xlsx")
        #expect(workbook.bytes.starts(with: [0x50, 0x4B]))  // "PK": a ZIP archive
        let text = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", format: .text))
        #expect(text.fileName == "rida-report-2026-Q1-all.txt")
        #expect(text.contentType == "text/plain; charset=utf-8")
    }

    @Test func listsEveryProblemOfARequestAtOnce() async throws {
        let asked = ReportRequest(quarter: "2026-Q5", centre: "C01", entity: "E01", channel: "fax", format: .csv, audience: .public)
        let problems = asked.problems(channels: .standard)
        #expect(problems.map(\.field) == ["quarter", "entity", "channel", "public"])
        let f = try await Fixture()
        defer { f.remove() }
        let error = try await #require(throws: UseCaseError.self) { try await f.showReport.run(asked) }
        #expect(error.kind == .invalid)
        #expect(error.code == "invalid_parameter")
        #expect(error.problems == problems)
        #expect(error.description.hasPrefix(#"The parameter quarter "2026-Q5" is not a quarter; write it as YEAR-Qn, for example 2026-Q1. "#))
        #expect(ReportRequest(quarter: "2026-Q1", format: .html, audience: .public).problems(channels: .standard).isEmpty)
    }

    @Test(arguments: StoreKind.all) func anUnknownCentreIsNotFoundNeverAnEmptyReport(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let error = try await #require(throws: UseCaseError.self) {
            try await f.showReport.run(ReportRequest(quarter: "2026-Q1", centre: "C99", format: .json))
        }
        #expect(error.kind == .notFound)
        #expect(error.code == "unknown_centre")
        #expect(error.description == "There is no centre C99: neither the registry nor any stored response names it.")
        // Asking did not register it.
        #expect(try await f.store.centre("C99") == nil)
    }

    @Test(arguments: StoreKind.all) func aKnownCentreInAQuarterWithoutResponsesIsAReportOfNone(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let report = try await f.showReport.run(ReportRequest(quarter: "2026-Q3", centre: "C03", format: .csv))
        #expect(report.csvRows.isEmpty)
        #expect(report.text.hasPrefix("\u{FEFF}quarter,centre,channel,responses"))
    }

    @Test(arguments: StoreKind.all) func anEntityWithoutCentresIsAConflictAndAnEmptyDatabaseHasNoLatestQuarter(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let conflict = try await #require(throws: AssessmentError.self) {
            try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E02", format: .json))
        }
        #expect(!conflict.notFound)
        #expect(conflict.description.hasPrefix("The entity E02 has no centres in the registry"))
        let empty = try await kind.open()
        defer { empty.remove() }
        await #expect(throws: UseCaseError.noResponses) {
            try await ShowReport(store: empty.store, policy: Fixture.policy, channels: .standard, now: { Fixture.now }).run(ReportRequest())
        }
    }
}
