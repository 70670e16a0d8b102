import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `rida import --kind served` and the report's response rates through the built `rida`, on a file holding C01's
/// counter with 7 responses in 2026-Q1.
@Suite struct ServedEndToEndTests {
    let temp: TemporaryDatabase

    init() async throws {
        temp = try TemporaryDatabase()
        let store = try temp.open()
        let responses = (1...7).map { day in
            SurveyResponse(id: "r\(day)", centre: "C01", channel: "counter",
                           submittedAt: instant(String(format: "2026-02-%02dT10:00:00+03:00", day)), ratings: [5, 4, 4, 5])
        }
        _ = try await store.save(responses, receivedAt: instant("2026-05-01T12:00:00+03:00"))
        try store.close()
    }

    func rida(_ arguments: [String]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder)
    }

    @Test func importedCountsGiveTheReportItsResponseRates() throws {
        defer { temp.remove() }
        // Tabs, sniffed; line 3 names a channel the deployment lacks: refused with its line, the rest stored.
        let bad = try temp.file("bad.tsv", "centre\tchannel\tquarter\tcustomers\nC01\tcounter\t2026-Q1\t35\nC01\tfax\t2026-Q1\t9\n")
        var result = try rida(["import", "--kind", "served", bad])
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad.tsv: 1 counts of customers served stored (1 new, replaced 0), 1 rejected (import #"))
        #expect(result.stdout.contains("line 3") && result.stdout.contains("channel") && result.stdout.contains("\"fax\""))

        // The corrected file: C01's counter 40 (replacing 35), its call centre 75.
        let good = try temp.file("served.csv", "centre,channel,quarter,customers\nC01,counter,2026-Q1,40\nC01,call_centre,2026-Q1,75\n")
        result = try rida(["import", "--kind", "served", good])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("served.csv: 2 counts of customers served stored (1 new, replaced 1), 0 rejected"))

        // 7 of 40 = 17.5%; the call centre, served but not answered, 0 of 75.
        result = try rida(["report", "--quarter", "2026-Q1", "--centre", "C01"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("  C01 counter: 7 responses from 40 customers served (17.5%)\n"))
        #expect(result.stdout.contains("  C01 call_centre: 0 responses from 75 customers served (0.0%)\n"))

        // A mapping is refused with --kind served: the file has its own columns.
        result = try rida(["import", "--kind", "served", "--mapping", good, good])
        #expect(result.status != 0 && result.stderr.contains("--kind served reads the columns centre,channel,quarter,customers"))
    }
}
