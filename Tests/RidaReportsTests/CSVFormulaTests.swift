import RidaAggregation
import RidaSurvey
import Testing
@testable import RidaReports

/// Formula injection: names a submitter chose reach the CSV report as text a spreadsheet shows, never runs.
@Suite struct CSVFormulaTests {
    func report(centre: String) -> QuarterlyReport {
        var counts = Counts()
        counts.add(SurveyResponse(id: "1", centre: centre, channel: "kiosk", submittedAt: Instant(millisecondsSince1970: 0), ratings: [5, 4, 4, 5]))
        var previous = Counts()
        previous.add(SurveyResponse(id: "2", centre: centre, channel: "kiosk", submittedAt: Instant(millisecondsSince1970: 0), ratings: [5, 5, 5, 5]))
        let key = GroupKey(centre: centre, channel: "kiosk")
        return QuarterlyReport(scope: ReportScope(quarter: Quarter(year: 2026, number: 1)), zone: .bahrain, policy: ThresholdPolicy(),
                               channels: .standard, current: [key: counts], previous: [key: previous])
    }

    @Test(arguments: [
        ("=HYPERLINK(\"http://evil\",\"C01\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"C01\"\")\""),
        ("@SUM(1)", "'@SUM(1)"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ])
    func neutralisesACentreThatLooksLikeAFormula(_ centre: String, _ cell: String) throws {
        let csv = CSVRendering.render(report(centre: centre))
        let row = try #require(csv.components(separatedBy: "\r\n").dropFirst().first)
        #expect(row.hasPrefix("2026-Q1," + cell + ",kiosk,1,4,4.5,"), "\(row)")
    }

    @Test func keepsANegativeChangeANumber() throws {
        // Mean 4.5 now against 5 in the quarter before: a change of -0.5, written as the number it is.
        let csv = CSVRendering.render(report(centre: "C01"))
        let row = try #require(csv.components(separatedBy: "\r\n").dropFirst().first)
        #expect(row.contains(",-0.5,"), "\(row)")
        #expect(!row.contains("'-"))
    }
}
