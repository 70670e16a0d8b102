import Foundation
import RidaAggregation
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaReports

/// A small report worked by hand: C01's kiosk with 2 responses, C01's counter with 1, in 2026-Q1,
/// and the kiosk's previous quarter with 1 response.
func smallReport() -> QuarterlyReport {
    func counts(_ rows: [[Int?]]) -> Counts {
        var c = Counts()
        for (i, r) in rows.enumerated() {
            c.add(SurveyResponse(id: "\(i)", centre: "C01", channel: "kiosk", submittedAt: Instant(millisecondsSince1970: 0), ratings: r))
        }
        return c
    }
    let kiosk = GroupKey(centre: "C01", channel: "kiosk")
    let counter = GroupKey(centre: "C01", channel: "counter")
    return QuarterlyReport(
        scope: ReportScope(quarter: Quarter(year: 2026, number: 1)), zone: .bahrain, policy: ThresholdPolicy(), channels: .standard,
        current: [kiosk: counts([[5, 4, 4, 5], [2, 3, nil, nil]]), counter: counts([[4, 4, 4, 4]])],
        previous: [kiosk: counts([[3, 3, 3, 3]])])
}

@Suite struct RenderingTests {
    func golden(_ name: String) throws -> String {
        let url = repositoryRoot().appendingPathComponent("Tests/RidaReportsTests/Golden/\(name)")
        // Decoded by hand: Foundation's String(contentsOf:) drops a byte order mark, which the CSV must keep.
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Set RIDA_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review the diff.
    func check(_ rendered: String, against name: String) throws {
        if ProcessInfo.processInfo.environment["RIDA_UPDATE_GOLDEN"] == "1" {
            let url = repositoryRoot().appendingPathComponent("Tests/RidaReportsTests/Golden/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(rendered.utf8).write(to: url)
        }
        #expect(rendered == (try golden(name)))
    }

    @Test func rendersTheTextReportAsTheGoldenFile() throws {
        try check(TextRendering.render(smallReport()), against: "small-report.txt")
    }

    @Test func rendersTheJSONReportAsTheGoldenFile() throws {
        try check(try JSONRendering.render(smallReport()), against: "small-report.json")
    }

    @Test func rendersTheCSVReportAsTheGoldenFile() throws {
        try check(CSVRendering.render(smallReport()), against: "small-report.csv")
    }

    @Test func theJSONReportReadsBackToTheSameReport() throws {
        let report = smallReport()
        let decoded = try JSONDecoder().decode(QuarterlyReport.self, from: Data(try JSONRendering.render(report).utf8))
        #expect(decoded == report)
    }

    /// Issue 15 point 4's sentence: 412 responses from 5,130 customers served, 8.031…% shown as 8.0%; a channel served but
    /// not answered reads 0 of its count; the JSON keeps the counts and reads back the same.
    @Test func theTextReportSaysHowManyOfTheCustomersServedAnswered() throws {
        var report = smallReport()
        report.reach = [
            ChannelReach(centre: "C01", channel: "kiosk", responses: 412, customersServed: 5_130),
            ChannelReach(centre: "C01", channel: "website", responses: 0, customersServed: 1),
        ]
        let text = TextRendering.render(report)
        #expect(text.hasSuffix("""

            Response rates (responses ÷ customers served, as imported with rida import --kind served; invitations answered ÷ sent)
              C01 kiosk: 412 responses from 5,130 customers served (8.0%)
              C01 website: 0 responses from 1 customer served (0.0%)

            """))
        let json = try JSONRendering.render(report)
        #expect(json.contains(#""customersServed":5130"#) || json.contains(#""customersServed" : 5130"#))
        #expect(!json.contains("invitations") && !json.contains("Rate"))
        #expect(try JSONDecoder().decode(QuarterlyReport.self, from: Data(json.utf8)) == report)
        // Without counts, no key at all: the golden file above stands.
        #expect(!(try JSONRendering.render(smallReport())).contains("reach"))
    }

    @Test func theJSONReportAlwaysHasEveryKey() throws {
        let json = try JSONRendering.render(smallReport())
        // The counter has no previous quarter: its change is written as null, not left out.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.allSatisfy { $0.keys.contains("change") && $0.keys.contains("meanInterval") })
        #expect(groups[0]["change"] is NSNull)
    }

    @Test func theCSVHasAColumnForEveryValue() {
        let csv = CSVRendering.render(smallReport())
        let lines = csv.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let width = CSVRendering.header.count
        #expect(lines.count == 3)
        for line in lines { #expect(line.components(separatedBy: ",").count == width) }
    }

    /// Issue 15 point 4 and issue 16 in the CSV, by hand: the kiosk reached 40 customers served (2 responses: 0.05) and
    /// 8 invitations (5 opened, 2 answered: 0.25), with 3 responses set aside in a burst and 1 too fast, and 2 cases
    /// (1 in time, 1 pending); the website had 4 invitations and no response: a row of its own, figures empty.
    @Test func theCSVCarriesReachSetAsideAndCasesPerChannel() throws {
        var report = smallReport()
        report.reach = [
            ChannelReach(centre: "C01", channel: "kiosk", responses: 2, customersServed: 40, invitationsSent: 8, invitationsOpened: 5, invitationsAnswered: 2),
            ChannelReach(centre: "C01", channel: "website", responses: 0, invitationsSent: 4, invitationsOpened: 0, invitationsAnswered: 0),
        ]
        report.setAside = [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 3),
                           SetAsideCount(centre: "C01", channel: "kiosk", rule: .tooFast, responses: 1)]
        report.cases = [CaseCount(centre: "C01", channel: "kiosk", opened: 2, inTime: 1, late: 0, pending: 1)]
        let lines = CSVRendering.render(report).dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
        let header = lines[0]
        #expect(lines.count == 4 && lines.allSatisfy { $0.count == header.count })
        func cell(_ row: [String], _ column: String) throws -> String { row[try #require(header.firstIndex(of: column))] }
        let kiosk = try #require(lines.first { $0[2] == "kiosk" })
        #expect(try ["reach.customersServed", "reach.responseRate", "reach.invitationsSent", "reach.invitationsOpened",
                     "reach.invitationsAnswered", "reach.invitationRate"].map { try cell(kiosk, $0) } == ["40", "0.05", "8", "5", "2", "0.25"])
        #expect(try ["setAside.burst", "setAside.identical", "setAside.too-fast"].map { try cell(kiosk, $0) } == ["3", "0", "1"])
        #expect(try ["cases.opened", "cases.inTime", "cases.late", "cases.pending"].map { try cell(kiosk, $0) } == ["2", "1", "0", "1"])
        let counter = try #require(lines.first { $0[2] == "counter" })
        #expect(try cell(counter, "reach.customersServed") == "" && cell(counter, "setAside.burst") == "" && cell(counter, "cases.opened") == "")
        let website = try #require(lines.last)
        #expect(website[0...4] == ["2026-Q1", "C01", "website", "0", "0"])
        #expect(try cell(website, "mean") == "" && cell(website, "reach.invitationsSent") == "4" && cell(website, "reach.invitationRate") == "0.0")
        #expect(try cell(website, "reach.responseRate") == "")
    }

    @Test func alignsArabicByWhatATerminalShows() {
        let table = TextRendering.table(header: ["الخدمة", "n"], rows: [["تجديد جواز السفر", "12"], ["راضي جداً", "3"]], rightAligned: [1])
        let lines = table.split(separator: "\n").map(String.init)
        // «راضي جداً» is 8 characters on screen (the tanween joins its alef), so it is padded by 8 to the longer cell's 16.
        #expect("راضي جداً".count == 8)
        #expect(lines[2] == "تجديد جواز السفر  12")
        #expect(lines[3] == "راضي جداً" + String(repeating: " ", count: 8) + "   3")
    }
}
