import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `rida cases` through the built `rida`, on a file where a kiosk stored, a minute ago, one unhappy customer who asked
/// to be called and one happy one who did too (no case).
@Suite struct CasesEndToEndTests {
    let temp: TemporaryDatabase
    let quarter: String

    init() async throws {
        temp = try TemporaryDatabase()
        let store = try temp.open()
        let received = Instant(Date())
        let submitted = received.adding(milliseconds: -60_000)
        quarter = DeploymentZone.bahrain.quarter(at: submitted).description
        var unhappy = SurveyResponse(id: "u1", centre: "C01", channel: "kiosk", submittedAt: submitted, ratings: [1, 2, 2, 1], comment: "لم يرد أحد")
        unhappy.contact = FollowUpContact(phone: "+97333334444")
        var happy = SurveyResponse(id: "h1", centre: "C01", channel: "kiosk", submittedAt: submitted.adding(milliseconds: 30_000), ratings: [5, 5, 5, 5])
        happy.contact = FollowUpContact(email: "happy@example.bh")
        _ = try await store.save([unhappy, happy], receivedAt: received)
        try store.close()
    }

    func rida(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder, environment: environment)
    }

    @Test func aCaseIsListedWorkedReportedAndItsContactErased() throws {
        defer { temp.remove() }
        var result = try rida(["cases", "list"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)  // header, rule, the one case, the hint
        #expect(lines[2].contains("C01") && lines[2].contains("kiosk") && lines[2].contains("open") && lines[2].contains("+97333334444")
                && lines[2].contains("rated 2 or lower"))
        #expect(!result.stdout.contains("happy@example.bh"))
        result = try rida(["cases", "list", "--format", "json", "--status", "resolved"])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")

        result = try rida(["cases", "assign", "1", "فاطمة", "--by", "Quality lead", "--note", "سأتصل صباحاً"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Case 1 is فاطمة's, open, due "))
        result = try rida(["cases", "update", "1", "--status", "closed", "--by", "Fatima"])
        #expect(result.status == 2 && result.stderr.contains("Closing case 1 without contact needs a reason"))
        result = try rida(["cases", "update", "1", "--status", "open", "--by", "Fatima"])
        #expect(result.status != 0 && result.stderr.contains("a case opens by itself"))
        result = try rida(["cases", "update", "1", "--status", "resolved", "--by", "Fatima"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Case 1 is resolved, finished ") && result.stdout.contains("(in time)"))
        result = try rida(["cases", "update", "1", "--status", "contacted", "--by", "Fatima"])
        #expect(result.status == 2 && result.stderr.contains("Case 1 is resolved already"))
        result = try rida(["cases", "show", "2"])
        #expect(result.status == 2 && result.stderr.contains("There is no follow-up case 2."))

        result = try rida(["cases", "show", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Contact: +97333334444"))
        #expect(result.stdout.contains("Quality lead: assigned: فاطمة") && result.stdout.contains("Quality lead: note: سأتصل صباحاً")
                && result.stdout.contains("Fatima: resolved"))

        // The report counts it (resolved in time), and names nobody.
        result = try rida(["report", "--quarter", quarter, "--centre", "C01"])
        #expect(result.stdout.contains("Follow-up cases"))
        #expect(!result.stdout.contains("+97333334444") && !result.stdout.contains("سأتصل"))
        result = try rida(["report", "--quarter", quarter, "--centre", "C01", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let cases = try #require(report["cases"] as? [[String: Any]])
        #expect(cases.count == 1 && cases[0]["opened"] as? Int == 1 && cases[0]["inTime"] as? Int == 1 && cases[0]["late"] as? Int == 0)

        // With a retention of 30 days nothing is erased yet; with 0, the finished case's contact goes.
        result = try rida(["cases", "erase"])
        #expect(result.stdout == "No contact was due to be erased.\n")
        let config = try temp.file("rida.json", #"{"cases.retentionDays": 0}"#)
        result = try rida(["cases", "erase", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Erased the contacts of 1 finished case.\n")
        result = try rida(["cases", "show", "1"])
        #expect(result.stdout.contains("Contact: erased ") && !result.stdout.contains("+97333334444"))
        #expect(result.stdout.contains("rida: erased"))
        result = try rida(["db", "check"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func caseSettingsThatCannotBeMeantAreRefused() throws {
        defer { temp.remove() }
        let config = try temp.file("rida.json", #"""
            {"cases.score": 9, "cases.terms": {"*": "rude"}, "cases.weekend": ["fri"], "cases.holidays": ["2026-13-01"], "cases.dueWorkingDays": 0}
            """#)
        let result = try rida(["cases", "list", "--config", config])
        #expect(result.status == 2)
        for sentence in ["cases.score must be a whole number from 0 to 5", "cases.terms must be an object of centre ids",
                         "cases.weekend must be a list of English day names", "cases.holidays must be a list of dates",
                         "cases.dueWorkingDays must be a whole number from 1 to 60"] {
            #expect(result.stderr.contains(sentence), "\(sentence)")
        }
    }
}
