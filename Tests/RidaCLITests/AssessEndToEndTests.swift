import Foundation
import RidaTesting
import Testing

/// The built `rida`, driven as an evaluator would: register, open, record, import a checklist, status, show.
@Suite struct AssessEndToEndTests {
    let temp: TemporaryDatabase

    init() throws {
        temp = try TemporaryDatabase()
    }

    func rida(_ arguments: [String]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder, environment: ["RIDA_EVALUATOR": "Evaluator A"])
    }

    /// 30 responses rating 5 on each of the centre's two channels in each quarter of 2025.
    func responsesCSV() -> String {
        var csv = "id,centre,channel,submitted_at,q1,q2,q3,q4\n"
        for (q, month) in ["02", "05", "08", "11"].enumerated() {
            for channel in ["counter", "kiosk"] {
                for i in 0..<30 { csv += "q\(q)-\(channel)-\(i),C01,\(channel),2025-\(month)-10T10:00:00+03:00,5,5,5,5\n" }
            }
        }
        return csv
    }

    /// Decision 15 in the registry: who runs a centre, who serves there, and the guide's exclusions refused at opening.
    @Test func centresRecordOperatorsServingEntitiesAndExclusions() throws {
        defer { temp.remove() }
        var result = try rida(["centres", "add", "C07", "--kind", "headquarters", "--channels", "counter", "--operator", "private"])
        #expect(result.status != 0 && result.stderr.contains("it needs the government entities serving there"), "\(result.stderr)")
        result = try rida(["centres", "add", "C07", "--kind", "headquarters", "--channels", "counter", "--operator", "private", "--serves", "E02,E03"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = """
            centre,entity,kind,channels,operator,serves,excluded
            H01,E05,headquarters,counter,government,,health
            T01,E05,headquarters,counter,,,temporary

            """
        result = try rida(["centres", "import", try temp.file("centres.csv", csv)])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["centres", "import", try temp.file("bad.csv", "centre,operator,excluded\nX1,state,closed\n")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 2, operator: \"state\" is not government, private or civil-society"))
        #expect(result.stderr.contains("line 2, excluded: \"closed\" is not health, financial, education, temporary or none"))
        result = try rida(["centres", "list", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let centres = try #require(json["centres"] as? [[String: Any]])
        #expect(centres.map { $0["id"] as? String } == ["C07", "H01", "T01"])
        #expect(centres[0]["operator"] as? String == "private")
        #expect(centres[0]["servingEntities"] as? [String] == ["E02", "E03"])
        #expect(centres[1]["exclusion"] as? String == "health")
        #expect(try rida(["centres", "history", "C07"]).stdout.contains("run by private  serving E02,E03"))
        result = try rida(["assess", "open", "--framework", "1", "--centre", "H01", "--cycle", "2026"])
        #expect(result.status != 0 && result.stderr.contains("which the guide leaves out of its assessment"), "\(result.stderr)")
        #expect(result.stderr.contains("التابعة للقطاع الصحي"))
        // C07, run privately, is assessed entity by entity.
        result = try rida(["assess", "open", "--framework", "1", "--centre", "C07", "--cycle", "2026"])
        #expect(result.status != 0 && result.stderr.contains("give --entity, one of E02, E03"), "\(result.stderr)")
        result = try rida(["assess", "open", "--framework", "1", "--centre", "C07", "--entity", "E03", "--cycle", "2026"])
        #expect(result.status == 0 && result.stdout.hasPrefix("Opened C07@E03-2026"), "\(result.stderr)")
        #expect(try rida(["centres", "add", "T01", "--excluded", "none"]).status == 0)
        result = try rida(["assess", "open", "--framework", "1", "--centre", "T01", "--cycle", "2026"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func openRecordStatusShow() throws {
        defer { temp.remove() }
        let responses = try temp.file("responses.csv", responsesCSV())
        #expect(try rida(["import", responses, "--quiet"]).status == 0)
        var result = try rida(["centres", "list"])
        #expect(result.stdout.contains("centre C01 needs its entity, kind, channels"))

        result = try rida(["centres", "add", "C01", "--entity", "E01", "--kind", "headquarters", "--channels", "counter,kiosk",
                           "--ar", "مركز المحرق", "--en", "Muharraq centre"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["assess", "open", "--framework", "1", "--centre", "C01", "--cycle", "2025"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Opened C01-2025"))

        // One criterion by hand, with a file as evidence.
        let photo = try temp.file("sign.txt", "the sign on the façade")
        result = try rida(["assess", "record", "C01-2025", "1.1.6", "--verdict", "met", "--mechanism", "field-visit",
                           "--note", "اللافتة واضحة", "--evidence", photo])
        #expect(result.status == 0, "\(result.stderr)")
        // Not applicable is refused where the guide makes nothing conditional, and needs its reason where it does.
        result = try rida(["assess", "record", "C01-2025", "3.4.1", "--verdict", "n/a", "--note", "the mall's toilets"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("3.4.1 cannot be not applicable"))
        result = try rida(["assess", "record", "C01-2025", "2.1.3", "--verdict", "n/a"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("needs a note saying why its condition «في حال تقديم المركز لخدمات تتطلب رسوم دفع» does not hold"))

        // The rest from a filled-in checklist: every criterion evaluators check, met.
        result = try rida(["assess", "checklist", "C01-2025", "--out", "checklist.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let blank = try String(contentsOf: temp.folder.appendingPathComponent("checklist.csv"), encoding: .utf8)
        let rows = blank.split(separator: "\r\n").dropFirst()
        // 94 less 2.3.2 and 2.3.3, decided from data (2.3.1 and 2.3.5 are the evaluator's), and the two descriptive items.
        #expect(rows.count == 94)
        #expect(rows.suffix(2).map { String($0.split(separator: ",")[0]) } == ["strengths", "areas-to-develop"])
        var filled = "criterion,verdict,note,mechanism\n"
        for row in rows {
            let id = row.split(separator: ",")[0]
            switch id {
            case "1.1.6": continue
            case "2.1.3": filled += "\(id),n/a,The centre charges no fee for any of its services,field-visit\n"
            case "2.3.5": filled += "\(id),not-met,No screen shows satisfaction at the centre,field-visit\n"
            case "strengths": filled += "\(id),,Staff explain each step clearly,\n"
            default: filled += "\(id),met,,field-visit\n"
            }
        }
        _ = try temp.file("filled.csv", filled)
        result = try rida(["assess", "import", "C01-2025", "filled.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("91 verdicts recorded for C01-2025, and 1 text of the descriptive evaluation."))
        result = try rida(["assess", "describe", "C01-2025", "--areas-to-develop", "No live display of satisfaction"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["assess", "describe", "C01-2025", "--services", "x"])
        #expect(result.status != 0 && result.stderr.contains("services: is on the other framework's form"))

        // Basic: 66 met and 2.1.3 not applicable; gold: 92 met, 1 not applicable, 2.3.5 not met.
        result = try rida(["assess", "status", "C01-2025"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Shield reached: silver shield (second class) (provisional: the assessment is open) — 66 met and 1 not applicable of 67"))
        #expect(result.stdout.contains("To reach the gold shield (first class): 92 met and 1 not applicable of 94; not met (1): 2.3.5"))
        #expect(result.stdout.contains("2.3.2  met (provisional)"))
        #expect(result.stdout.contains("2.3.5  for the evaluator (provisional) (recorded: not met, Evaluator A)"))

        result = try rida(["assess", "show", "C01-2025", "--format", "text"])
        #expect(result.stdout.contains("النتيجة النهائية: 66 مستوفى و1 لا ينطبق من 67"))
        #expect(result.stdout.contains("لا ينطبق: The centre charges no fee for any of its services"))
        #expect(result.stdout.contains("نقاط القوة: Staff explain each step clearly — Evaluator A"))
        #expect(result.stdout.contains("الجوانب التي تحتاج إلى تطوير: No live display of satisfaction — Evaluator A"))
        result = try rida(["assess", "show", "C01-2025", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((json["lines"] as? [Any])?.count == 94)
        #expect(((json["classification"] as? [String: Any])?["reached"] as? String) == "silver")

        result = try rida(["assess", "show", "C01-2025", "--format", "html", "--out", "form.html"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOf: temp.folder.appendingPathComponent("form.html"), encoding: .utf8)
        #expect(html.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(html.contains("@page { size: A4"))
        #expect(html.contains("استمارة تقييم مراكز خدمة العملاء الحكومية (المقر)"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        result = try rida(["assess", "show", "C01-2025", "--format", "html", "--lang", "en"])
        #expect(result.stdout.contains("<html lang=\"en\" dir=\"ltr\">"))

        result = try rida(["assess", "history", "C01-2025", "--criterion", "1.1.6"])
        #expect(result.stdout.contains("Evaluator A"))
        #expect(result.stdout.contains("file sign.txt (sha256 "))

        // The report command keeps working as before, with its subcommands beside it.
        result = try rida(["report", "--quarter", "2025-Q1", "--centre", "C01"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Quarterly satisfaction report 2025-Q1"))

        // Closing freezes the four computed lines on the four quarters of 2025.
        result = try rida(["assess", "close", "C01-2025"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Closed C01-2025: 4 computed verdicts frozen on 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4."))
        result = try rida(["assess", "status", "C01-2025"])
        #expect(result.stdout.contains("Closed by Evaluator A at "))
        #expect(result.stdout.contains("2.3.2  met —"))
        result = try rida(["assess", "record", "C01-2025", "1.1.1", "--verdict", "not-met", "--note", "late"])
        #expect(result.status != 0 && result.stderr.contains("its verdicts are final"))

        try printsOnA4(html)
    }

    /// An entity's remote service through a cycle: responses on its remote channel, Tawasul records, quarterly reports
    /// with actions (one followed up and one corrected), a decline with its reason, the checklist, and the shield.
    @Test func frameworkTwoFromResponsesToTheRemoteServiceShield() throws {
        defer { temp.remove() }
        var csv = "id,centre,channel,submitted_at,stage,q1,q2,q3,q4\n"
        for (q, month) in ["02", "05", "08", "11"].enumerated() {
            // Means 5.0, 4.5, 5.0, 5.0: Q2 declines.
            for i in 0..<30 {
                let score = q == 1 && i < 15 ? 4 : 5
                csv += "w\(q)-\(i),R01,website,2025-\(month)-10T10:00:00+03:00,\(i % 2 == 0 ? "before" : "after"),\(score),\(score),\(score),\(score)\n"
            }
        }
        #expect(try rida(["import", try temp.file("remote.csv", csv), "--quiet"]).status == 0)
        var result = try rida(["centres", "add", "R01", "--entity", "E01", "--kind", "remote", "--channels", "website,kiosk"])
        #expect(result.status != 0 && result.stderr.contains("R01 is a remote centre but kiosk is a channel of the other kind"))
        #expect(try rida(["centres", "add", "R01", "--entity", "E01", "--kind", "remote", "--channels", "website"]).status == 0)
        result = try rida(["centres", "history", "R01"])
        #expect(result.stdout.split(separator: "\n").count == 2)  // first seen in the import, then completed
        #expect(result.stdout.contains("entity E01  remote  website"))

        let tawasul = """
            id,entity,channel,topic,received_at,answered_at,sla_days,status
            T1,E01,website,Login,2025-02-01T09:00:00+03:00,2025-02-02T09:00:00+03:00,5,closed
            T2,E01,website,login,2025-05-01T09:00:00+03:00,2025-05-02T09:00:00+03:00,5,closed
            T3,E01,website,Payment,2025-08-01T09:00:00+03:00,2025-08-02T09:00:00+03:00,5,closed

            """
        result = try rida(["import", "--kind", "tawasul", try temp.file("tawasul.csv", tawasul)])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["assess", "open", "--framework", "2", "--entity", "E01", "--cycle", "2025"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["centres", "add", "R01", "--kind", "headquarters", "--channels", "counter"])
        #expect(result.status != 0 && result.stderr.contains("assessed in E01-2025"))

        for q in 1...4 {
            result = try rida(["report", "save", "--quarter", "2025-Q\(q)", "--scope", "E01"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try rida(["report", "decide", "\(q)", "--who", "Head of e-services", "--what", "Review the login page", "--due", "2026-03-31"]).status == 0)
            #expect(try rida(["report", "submit", "\(q)"]).status == 0)
        }
        result = try rida(["report", "action", "1", "1", "--status", "done", "--note", "New login page live"])
        #expect(result.status == 0 && result.stdout.contains("Action #1 on report #1 is now done."), "\(result.stderr)")
        result = try rida(["report", "action", "1", "1", "--status", "dropped"])
        #expect(result.status != 0 && result.stderr.contains("needs a note"))
        result = try rida(["report", "action", "1", "1", "--history"])
        #expect(result.stdout.contains("open  Head of e-services") && result.stdout.contains("done  Evaluator A: New login page live"))
        result = try rida(["report", "publish", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["report", "correct", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["report", "list", "--scope", "E01", "--quarter", "2025-Q1"])
        #expect(result.stdout.contains("#5  E01  2025-Q1  draft") && result.stdout.contains("carried over from action #1"))

        result = try rida(["assess", "status", "E01-2025"])
        #expect(result.stdout.contains("3.2.3  not met"), "\(result.stdout)")
        #expect(try rida(["report", "decline", "--scope", "E01", "--channel", "website", "--quarter", "2025-Q2", "--reason", "انقطاع النظام"]).status == 0)

        // Every criterion evaluators check, met; 2.3.2 has no contact records, so it is recorded by hand with its reason.
        #expect(try rida(["assess", "checklist", "E01-2025", "--out", "checklist.csv"]).status == 0)
        let blank = try String(contentsOf: temp.folder.appendingPathComponent("checklist.csv"), encoding: .utf8)
        var filled = "criterion,verdict,note,mechanism\n"
        for row in blank.split(separator: "\r\n").dropFirst() { filled += "\(row.split(separator: ",")[0]),met,,file-review\n" }
        _ = try temp.file("filled.csv", filled)
        result = try rida(["assess", "import", "E01-2025", "filled.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try rida(["assess", "record", "E01-2025", "2.3.2", "--verdict", "met", "--mechanism", "file-review",
                           "--note", "The call centre's own log: 91% answered within three days"])
        #expect(result.status == 0, "\(result.stderr)")
        // Tawasul shows no recurrence (login in Q1 and Q2, payment in Q3): met needs the evaluator's confirmation.
        result = try rida(["assess", "status", "E01-2025"])
        #expect(result.stdout.contains("3.2.4  for the evaluator"), "\(result.stdout)")
        result = try rida(["assess", "record", "E01-2025", "3.2.4", "--verdict", "met", "--mechanism", "file-review",
                           "--note", "Survey comments and the call centre's log show no recurring remark"])
        #expect(result.status == 0, "\(result.stderr)")
        // Q3 → Q4 is unchanged at 5.00: no improvement, so its reason is recorded too.
        #expect(try rida(["report", "decline", "--scope", "E01", "--channel", "website", "--quarter", "2025-Q4", "--reason", "Already at the top of the scale"]).status == 0)

        result = try rida(["assess", "status", "E01-2025"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Shield reached: remote-service shield"), "\(result.stdout)")
        for line in ["3.2.1  for the evaluator (provisional) (recorded: met", "3.2.2  met", "3.2.3  met", "3.2.4  for the evaluator (provisional) (recorded: met",
                     "3.2.5  met", "3.2.7  met"] {
            #expect(result.stdout.contains(line), "\(line)")
        }
        result = try rida(["assess", "show", "E01-2025", "--format", "text"])
        #expect(result.stdout.contains("استمارة تقييم"))
    }

    /// Prints the form in headless Chromium and checks it makes A4 pages.
    func printsOnA4(_ html: String) throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium, FileManager.default.isExecutableFile(atPath: "/usr/bin/pdfinfo") else { return }
        let page = temp.folder.appendingPathComponent("print.html")
        try Data(html.utf8).write(to: page)
        let pdf = temp.folder.appendingPathComponent("form.pdf")
        let print = Process()
        print.executableURL = URL(fileURLWithPath: chromium)
        print.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(temp.folder.path)/chromium",
                           "--print-to-pdf=\(pdf.path)", page.absoluteString]
        print.standardOutput = FileHandle.nullDevice
        print.standardError = FileHandle.nullDevice
        try print.run()
        print.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: pdf.path))
        let info = Process()
        info.executableURL = URL(fileURLWithPath: "/usr/bin/pdfinfo")
        info.arguments = [pdf.path]
        let out = Pipe()
        info.standardOutput = out
        try info.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        info.waitUntilExit()
        #expect(text.contains("(A4)"), "pdfinfo: \(text)")
        let pages = text.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(pages >= 3)  // basic and advanced forms, the advanced one on a page of its own
    }
}
