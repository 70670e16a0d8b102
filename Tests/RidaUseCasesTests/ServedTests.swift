import Foundation
import Logging
import RidaAggregation
@testable import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// Customers served per centre, channel and quarter (issue 15 point 4): imported from a file, each count replacing the one
/// stored for its key, and each channel's response rate in the quarterly report, worked out by hand on `Fixture`.
@Suite struct ServedTests {
    func importer(_ f: Fixture) -> ImportFile {
        var logger = Logger(label: "served-test")
        logger.logLevel = .critical
        var importFile = ImportFile(store: f.store, validator: ResponseValidator(), logger: logger, now: { Fixture.now })
        importFile.kind = .served
        return importFile
    }

    /// The fixture's counts: C01's counter (4 responses in 2026-Q1) served 30, its call centre (no response) 75, C03's
    /// kiosk (2 responses) 7; C01's counter served 100 in 2026-Q2, another quarter.
    static let counts = """
        centre,channel,quarter,customers
        C01,counter,2026-Q1,30
        C01,call_centre,2026-Q1,75
        C03,kiosk,2026-Q1,7
        C01,counter,2026-Q2,100

        """

    @Test(arguments: StoreKind.all) func importsCountsNamingEachBadRowAndReplacingOnReimport(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        let q1 = try #require(Quarter("2026-Q1"))
        // Semicolons, sniffed. Line 2 is good; line 3 names a channel the deployment lacks; line 4 a fifth quarter and a
        // negative count; line 5 a count with a separator; line 6 gives line 2's key again; line 7 lacks its centre.
        let bad = try f.folder.file("bad.csv", """
            centre;channel;quarter;customers
            C01;counter;2026-Q1;12
            C01;fax;2026-Q1;12
            C01;kiosk;2026-Q5;-4
            C03;kiosk;2026-Q1;1,200
            C01;counter;2026-Q1;13
            ;kiosk;2026-Q1;3

            """)
        var summary = try await importer(f).run(bad)
        #expect(summary.tally.accepted == 1 && summary.tally.rejected == 5 && summary.replaced == 0)
        #expect(summary.rejected.map(\.line) == [3, 4, 5, 6, 7])
        #expect(summary.rejected.map { $0.problems.compactMap(\.field) } == [["channel"], ["quarter", "customers"], ["customers"], ["quarter"], ["centre"]])
        #expect(summary.rejected[0].problems[0].description.contains("\"fax\" is not one of the deployment's channels"))
        #expect(summary.rejected[3].problems[0].reason.contains("already counted on line 2"))
        #expect(try await f.store.servedCounts(quarter: q1, centre: nil) == [ServedCount(centre: "C01", channel: "counter", quarter: q1, customers: 12)])

        // The good file: C01's counter counted again (12 replaced by 30), three new counts.
        summary = try await importer(f).run(try f.folder.file("served.csv", Self.counts))
        #expect(summary.tally.accepted == 4 && summary.tally.rejected == 0 && summary.replaced == 1)
        #expect(try await f.store.servedCounts(quarter: q1, centre: nil) == [
            ServedCount(centre: "C01", channel: "call_centre", quarter: q1, customers: 75),
            ServedCount(centre: "C01", channel: "counter", quarter: q1, customers: 30),
            ServedCount(centre: "C03", channel: "kiosk", quarter: q1, customers: 7),
        ])
        #expect(try await f.store.servedCounts(quarter: q1, centre: "C03").map(\.customers) == [7])

        // A correction of one count replaces it and leaves the others.
        summary = try await importer(f).run(try f.folder.file("fix.csv", "centre,channel,quarter,customers\nC03,kiosk,2026-Q1,8\n"))
        #expect(summary.tally.accepted == 1 && summary.replaced == 1)
        #expect(try await f.store.servedCounts(quarter: q1, centre: nil).map(\.customers) == [75, 30, 8])
        // Each import recorded under the kind "served", with its tallies: 1 accepted and 5 rejected, then 4, then 1.
        let records = try await f.store.imports().filter { $0.kind == "served" }.sorted { $0.id < $1.id }
        #expect(records.map(\.tally.accepted) == [1, 4, 1] && records.map(\.tally.rejected) == [5, 0, 0])
        #expect(records.allSatisfy { $0.status == "finished" })
    }

    @Test(arguments: StoreKind.all) func theReportGivesEachCountedChannelItsResponseRate(_ kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { f.remove() }
        _ = try await importer(f).run(try f.folder.file("served.csv", Self.counts))

        // E01 in 2026-Q1, the text path: C01's counter 4 of 30 = 13.33…% → 13.3%; its call centre 0 of 75 = 0.0%;
        // C03's kiosk 2 of 7 = 28.57…% → 28.6%. C01's counter comes first (its group's order), the call centre after.
        let text = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: .text)).text
        #expect(text.contains("""
            Response rates (responses ÷ customers served, as imported with rida import --kind served; invitations answered ÷ sent)
              C01 counter: 4 responses from 30 customers served (13.3%)
              C01 call_centre: 0 responses from 75 customers served (0.0%)
              C03 kiosk: 2 responses from 7 customers served (28.6%)

            """))

        // The JSON keeps the counts only, no rate and no invitations (nil until they exist); C01 alone drops C03.
        let json = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .json))
        let object = try #require(try JSONSerialization.jsonObject(with: json.bytes) as? [String: Any])
        let reach = try #require(object["reach"] as? [[String: Any]])
        #expect(reach.count == 2)
        #expect(reach[0] as NSDictionary == ["centre": "C01", "channel": "counter", "responses": 4, "customersServed": 30] as NSDictionary)
        #expect(reach[1] as NSDictionary == ["centre": "C01", "channel": "call_centre", "responses": 0, "customersServed": 75] as NSDictionary)
        // A quarter without counts has no reach at all, and its text no section.
        let q3 = try await f.showReport.run(ReportRequest(quarter: "2026-Q3", centre: "C03", format: .json))
        #expect(try #require(try JSONSerialization.jsonObject(with: q3.bytes) as? [String: Any])["reach"] == nil)
        #expect(!(try await f.showReport.run(ReportRequest(quarter: "2026-Q3", centre: "C03", format: .text)).text.contains("Response rates")))

        // The page (the snapshot path, in the same read as the figures), in both languages, numbers in <bdi>.
        let english = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: .html, language: .en)).text
        #expect(english.contains("<section id=\"reach\">"))
        #expect(english.contains("<bdi>4</bdi> responses from <bdi>30</bdi> customers served (<bdi>13.3%</bdi>)"))
        #expect(english.contains("<bdi>0</bdi> responses from <bdi>75</bdi> customers served (<bdi>0.0%</bdi>)"))
        let arabic = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: .html)).text
        #expect(arabic.contains("عدد الردود <bdi>2</bdi> من أصل <bdi>7</bdi> من العملاء الذين خدمتهم القناة (<bdi>28.6%</bdi>)"))
        // The page of the quarter before has no section.
        let q4 = try await f.showReport.run(ReportRequest(quarter: "2025-Q4", entity: "E01", format: .html, language: .en)).text
        #expect(!q4.contains("id=\"reach\""))
        // The workbook's Summary, read back: a header row, then per item its responses, customers served and the rate
        // as a number (4 ÷ 30, which Excel shows as 13.3%).
        let workbook = try await f.showReport.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: .xlsx, language: .en))
        let summary = try XLSXSheet(data: workbook.bytes, sheet: "Summary", file: "report.xlsx").rows.map(\.cells)
        let header = try #require(summary.firstIndex { $0.first == "Response rates" })
        #expect(summary[header] == ["Response rates", "Channel", "Responses", "Customers served", "Response rate", "Invitations sent",
                                   "Opened", "Answered", "Invitations answered"])
        func item(_ offset: Int) -> [String?] { Array(summary[header + offset].dropFirst().prefix(3)) }
        func rate(_ offset: Int) -> Double? { summary[header + offset].count > 4 ? summary[header + offset][4].flatMap { Double($0) } : nil }
        #expect(item(1) == ["Service counter", "4", "30"] && abs((rate(1) ?? -1) - 4.0 / 30.0) < 1e-12)
        #expect(item(2) == ["Call centre", "0", "75"] && rate(2) == 0)
        #expect(item(3) == ["Kiosk", "2", "7"] && abs((rate(3) ?? -1) - 2.0 / 7.0) < 1e-12)
    }
}
