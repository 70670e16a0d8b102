import Foundation
import RidaTesting
import Testing

/// `rida report --themes` through the built `rida`: RidaTesting's `ThemeFixture` imported as a CSV file (22 comments at
/// C01, their themes worked out by hand in ThemeTests), the starter lexicon and a deployment's own.
@Suite struct ThemesEndToEndTests {
    let temp: TemporaryDatabase

    init() throws {
        temp = try TemporaryDatabase()
    }

    func rida(_ arguments: [String]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder)
    }

    func imported() throws {
        let result = try rida(["import", try temp.file("comments.csv", ThemeFixture.csv()), "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func listsTheThemesAsTextCSVAndJSON() throws {
        defer { temp.remove() }
        try imported()
        var result = try rida(["report", "--themes", "--quarter", "2026-Q1", "--centre", "C01"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Comment themes 2026-Q1, centre C01; lexicon starter.\n"))
        #expect(result.stdout.contains("\nAll channels: 22 comments, 14 low-rated\n"))
        #expect(result.stdout.contains("    - 2026-01-05 C01 Service counter, mean 1.25: تأخّر الموعد\n"))

        result = try rida(["report", "--themes", "--quarter", "2026-Q1", "--centre", "C01", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.contains("2026-Q1,all,waiting_time,وقت الانتظار,Waiting time,6,6,تأخّر الموعد,الانتظـــار طويل جداً,The wait was too long"))
        #expect(rows.contains("2026-Q1,all,praise,الثناء,Praise,4,0,المُوَظَّفة متعاونة جداً,شكراً لكم,أشكر الموظفين على سرعة الإنجاز"))
        #expect(rows.contains("2026-Q1,all,unmatched,بلا موضوع,No theme,3,0,,,"))

        result = try rida(["report", "--themes", "--quarter", "2026-Q1", "--channel", "website", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let all = try #require(object["all"] as? [String: Any])
        // The website's six comments: t07, t08, t14, t16, t17, t20; four low-rated; none unmatched.
        #expect(all["comments"] as? Int == 6 && all["lowRated"] as? Int == 4 && all["unmatched"] as? Int == 0)
        let themes = try #require(all["themes"] as? [[String: Any]])
        #expect(themes.map { $0["comments"] as? Int } == [1, 0, 0, 1, 1, 1, 3, 2])
    }

    @Test func aDeploymentsOwnLexiconAndItsProblems() throws {
        defer { temp.remove() }
        try imported()
        let lexicon = try temp.file("ours.json", """
            {"lexicon": "ours", "themes": [
              {"id": "queue", "label": {"ar": "الطابور", "en": "Queue"}, "terms": {"ar": ["انتظار"], "en": ["wait", "queue"]}}
            ]}
            """)
        let config = try temp.file("rida.json", "{\"themes.lexicon\": \"\(lexicon)\"}")
        var result = try rida(["report", "--themes", "--quarter", "2026-Q1", "--format", "csv", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        // انتظار: t01 (الانتظار); wait: t11, t12 (waited, and queue); nothing else: 19 unmatched of 22.
        let rows = result.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.contains("2026-Q1,all,queue,الطابور,Queue,3,3,الانتظـــار طويل جداً,The wait was too long,Waited two HOURS in the queue"))
        #expect(rows.contains("2026-Q1,all,unmatched,بلا موضوع,No theme,19,11,,,"))

        let bad = try temp.file("bad.json", """
            {"lexicon": "bad", "themes": [{"id": "fees", "label": {"ar": "الرسوم", "en": "Fees"}, "terms": {"en": ["fee", "fees"]}}]}
            """)
        let badConfig = try temp.file("bad-config.json", "{\"themes.lexicon\": \"\(bad)\"}")
        result = try rida(["report", "--themes", "--quarter", "2026-Q1", "--config", badConfig])
        #expect(result.status == 2)
        #expect(result.stderr.contains("The themes lexicon \(bad) has problems: theme \"fees\": the term \"fees\" is the same as \"fee\" once normalised."),
                "\(result.stderr)")
    }

    @Test func themesAreRefusedWithTheDocumentFormats() throws {
        defer { temp.remove() }
        let result = try rida(["report", "--themes", "--format", "html"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("themes applies to the text, json and csv formats only"), "\(result.stderr)")
    }
}
