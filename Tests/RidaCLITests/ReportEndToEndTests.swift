import Foundation
import RidaTesting
import Testing

/// The built `rida`, driven as a quality team would: the report as HTML and a workbook, then saved, acted on,
/// published, checked, re-rendered byte for byte, and corrected.
@Suite struct ReportEndToEndTests {
    let temp: TemporaryDatabase

    init() throws {
        temp = try TemporaryDatabase()
    }

    func rida(_ arguments: [String]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder, environment: ["RIDA_EVALUATOR": "Quality team"])
    }

    func imported() throws {
        var csv = "id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment\n"
        for i in 0..<36 {
            csv += "r\(i),C01,counter,2026-02-10T10:00:00+03:00,\(4 + i % 2),4,5,\(3 + i % 3),تجديد جواز السفر,\(1 + i % 2),\(i % 9 == 0 ? "\"الانتظار طويل، جداً\"" : "")\n"
        }
        for i in 0..<5 { csv += "s\(i),C02,kiosk,2026-03-01T10:00:00+03:00,2,2,1,2,Smart card,,\n" }
        #expect(try rida(["import", try temp.file("responses.csv", csv), "--quiet"]).status == 0)
    }

    func sha256(_ file: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    @Test func rendersTheHTMLAndTheWorkbookForACentreAndAnEntity() throws {
        defer { temp.remove() }
        try imported()
        var result = try rida(["report", "--quarter", "2026-Q1", "--centre", "C01", "--format", "html", "--out", "c01.html"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOf: temp.folder.appendingPathComponent("c01.html"), encoding: .utf8)
        #expect(html.contains("<html lang=\"ar\" dir=\"rtl\">") && html.contains("الانتظار طويل، جداً") && html.contains("تجديد جواز السفر"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        result = try rida(["report", "--quarter", "2026-Q1", "--centre", "C01", "--format", "html", "--public", "--lang", "en"])
        #expect(result.stdout.contains("<html lang=\"en\" dir=\"ltr\">") && !result.stdout.contains("الانتظار طويل"))

        result = try rida(["report", "--quarter", "2026-Q1", "--format", "xlsx", "--out", "all.xlsx"])
        #expect(result.status == 0, "\(result.stderr)")
        let xlsx = try Data(contentsOf: temp.folder.appendingPathComponent("all.xlsx"))
        #expect(xlsx.starts(with: [0x50, 0x4B]))  // a zip container

        // An entity's report covers its registered centres only.
        result = try rida(["centres", "add", "C02", "--entity", "E02", "--kind", "remote", "--channels", "kiosk"])
        #expect(result.status != 0 && result.stderr.contains("C02 is a remote centre but kiosk is a channel of the other kind"))
        #expect(try rida(["centres", "add", "C02", "--entity", "E02", "--kind", "headquarters", "--channels", "kiosk"]).status == 0)
        result = try rida(["report", "--quarter", "2026-Q1", "--entity", "E02", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"entity\" : \"E02\"") && result.stdout.contains("\"C02\"") && !result.stdout.contains("\"C01\""))
        result = try rida(["report", "--quarter", "2026-Q1", "--entity", "E09", "--format", "html"])
        // The store's sentence says what is wrong; the command line adds the command that shows the entities.
        #expect(result.status != 0 && result.stderr.contains("There is no entity E09 in the registry: rida centres entities lists them."))
        result = try rida(["report", "--quarter", "2026-Q1", "--format", "csv", "--public"])
        #expect(result.status != 0 && result.stderr.contains("The parameter public applies to the html and xlsx formats only"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs sha256sum"))
    func savesActsPublishesVerifiesAndCorrects() throws {
        defer { temp.remove() }
        try imported()
        var result = try rida(["report", "save", "--quarter", "2026-Q1", "--scope", "C01"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Report #1 saved for C01, 2026-Q1 (draft, content SHA-256 "))
        #expect(try rida(["report", "decide", "1", "--who", "رئيس المركز", "--what", "فتح منصة إضافية", "--due", "2026-06-30"]).status == 0)
        #expect(try rida(["report", "submit", "1"]).status == 0)
        result = try rida(["report", "publish", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let pageSha = try #require(result.stdout.split(separator: "\n").first { $0.contains("page SHA-256") }?.split(separator: " ").dropFirst(2).first)

        // The published page, written again, is byte for byte what was published: another program hashes it the same.
        result = try rida(["report", "render", "1", "--out", "published.html"])
        #expect(result.status == 0, "\(result.stderr)")
        let published = temp.folder.appendingPathComponent("published.html").path
        #expect(try sha256(published) == String(pageSha))
        let page = try String(contentsOfFile: published, encoding: .utf8)
        #expect(page.contains("فتح منصة إضافية") && !page.contains("رئيس المركز") && !page.contains("id=\"comments\""))
        result = try rida(["report", "verify", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("matches the stored one") && result.stdout.contains("byte for byte the published page"))
        // The content's own hash, reproduced from the JSON it holds.
        result = try rida(["report", "render", "1", "--format", "json", "--out", "content.json"])
        var content = try Data(contentsOf: temp.folder.appendingPathComponent("content.json"))
        content.removeLast()  // the newline the command adds
        try content.write(to: temp.folder.appendingPathComponent("content-exact.json"))
        let list = try rida(["report", "list"]).stdout
        #expect(list.contains("content SHA-256 \(try sha256(temp.folder.appendingPathComponent("content-exact.json").path))"))

        // Frozen: nothing moves it, and a correction is a new version pointing to it.
        result = try rida(["report", "publish", "1"])
        #expect(result.status != 0 && result.stderr.contains("already published"))
        result = try rida(["report", "refresh", "1"])
        #expect(result.status != 0)
        result = try rida(["report", "correct", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Report #2 saved as a draft correcting #1"))
        #expect(try rida(["report", "publish", "2"]).status == 0)
        let after = try rida(["report", "list"]).stdout
        #expect(after.contains("#1  C01  2026-Q1  published") && after.contains("replaced by #2"))
        #expect(after.contains("#2  C01  2026-Q1  published") && after.contains("corrects #1"))
        result = try rida(["report", "render", "2"])
        #expect(result.stdout.contains("تصحيح يحل محل التقرير رقم 1"))
        // The first is still what it was.
        #expect(try sha256(published) == String(pageSha))
        result = try rida(["report", "render", "1", "--out", "again.html"])
        #expect(try sha256(temp.folder.appendingPathComponent("again.html").path) == String(pageSha))
    }
}
