import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaReports

/// A python3 that has openpyxl (.ci/run installs it with pip).
let pythonWithOpenpyxl: String? = {
    for candidate in ["/usr/bin/env"] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: candidate)
        process.arguments = ["python3", "-c", "import openpyxl"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        process.waitUntilExit()
        if process.terminationStatus == 0 { return candidate }
    }
    return nil
}()

/// Reads a workbook with openpyxl and prints every sheet as JSON: its cells, whether it is right to left,
/// its frozen cell, and the number format of each cell.
let openpyxlDump = """
    import json, sys, openpyxl
    wb = openpyxl.load_workbook(sys.argv[1])
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        out[ws.title] = {
            "rtl": bool(ws.sheet_view.rightToLeft),
            "freeze": ws.freeze_panes,
            "rows": [[c.value for c in row] for row in ws.iter_rows()],
            "formats": [[c.number_format for c in row] for row in ws.iter_rows()],
        }
    print(json.dumps(out, ensure_ascii=False))
    """

@Suite struct WorkbookAndFreezingTests {
    /// A store with 2026-Q1 responses at C01's counter and kiosk, with services, counters and comments.
    func storeSnapshot(_ temp: TemporaryDatabase) async throws -> ReportSnapshot {
        let store = try temp.open()
        defer { try? store.close() }
        var responses: [SurveyResponse] = []
        for i in 0..<40 {
            responses.append(response("c\(i)", channel: "counter", at: "2026-02-0\(1 + i % 9)T10:00:00+03:00", [5 - i % 3, 4, i % 5 == 0 ? nil : 5, 3 + i % 3],
                                      service: i % 4 == 0 ? "Smart card renewal" : "تجديد جواز السفر", counter: "\(1 + i % 3)",
                                      comment: i % 10 == 0 ? "تعليق رقم \(i)" : nil))
        }
        for i in 0..<31 {
            responses.append(response("k\(i)", channel: "kiosk", at: "2026-03-0\(1 + i % 9)T10:00:00+03:00", [4, 4, 2 + i % 4, 5], service: "تجديد جواز السفر"))
        }
        for i in 0..<30 { responses.append(response("p\(i)", channel: "kiosk", at: "2025-11-01T10:00:00+03:00", [3, 3, 4, 4])) }
        _ = try await store.save(responses, receivedAt: instant("2026-04-01T09:00:00+03:00"))
        return try await store.reportSnapshot(subject: try await store.reportSubject(centre: "C01"), quarter: fixtureQuarter,
                                              policy: ThresholdPolicy(), channels: .standard, at: instant("2026-04-02T09:00:00+03:00"))
    }

    func dump(_ workbook: Data, in temp: TemporaryDatabase) throws -> [String: Any] {
        let path = temp.folder.appendingPathComponent("report.xlsx").path
        try workbook.write(to: URL(fileURLWithPath: path))
        let script = try temp.file("dump.py", openpyxlDump)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pythonWithOpenpyxl!)
        process.arguments = ["python3", script, path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The responses the misuse rules set aside are listed under the Summary's centres, per centre, channel and rule; a
    /// report where none was has no such rows.
    @Test(.enabled(if: pythonWithOpenpyxl != nil, "needs python3 with openpyxl (.ci/run installs it)"))
    func theSummaryListsWhatWasSetAside() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        var snapshot = try await storeSnapshot(temp)
        let without = try #require(try dump(try WorkbookReport.render(snapshot, language: .en), in: temp)["Summary"] as? [String: Any])
        snapshot.report.setAside = [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60),
                                    SetAsideCount(centre: "C01", channel: "kiosk", rule: .tooFast, responses: 2)]
        let with = try #require(try dump(try WorkbookReport.render(snapshot, language: .en), in: temp)["Summary"] as? [String: Any])
        let before = try #require(without["rows"] as? [[Any]]), after = try #require(with["rows"] as? [[Any]])
        #expect(after.count == before.count + 4)  // a blank row, the heading, two counts
        #expect(after[after.count - 3].first as? String == "Set aside by the misuse rules")
        #expect(after[after.count - 2][2] as? String == "burst" && after[after.count - 1][2] as? String == "too-fast")
        #expect(after[after.count - 2][1] as? String == snapshot.channelName("kiosk", .en))
        #expect((after[after.count - 2][3] as? NSNumber)?.intValue == 60)
        #expect((after[after.count - 1][3] as? NSNumber)?.intValue == 2)
    }

    @Test(.enabled(if: pythonWithOpenpyxl != nil, "needs python3 with openpyxl (.ci/run installs it)"))
    func openpyxlReadsTheWorkbookWithTheJSONReportsFigures() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let snapshot = try await storeSnapshot(temp)
        let book = try dump(try WorkbookReport.render(snapshot), in: temp)
        #expect(book["sheets"] as? [String] == WorkbookReport.sheetNames)

        // The JSON report, as `rida report --format json` prints it, is what the cells must say.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try JSONRendering.render(snapshot.report).utf8)) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        let channels = try #require(book["Channels"] as? [String: Any])
        #expect(channels["rtl"] as? Bool == true)
        #expect(channels["freeze"] as? String == "A2")
        let rows = try #require(channels["rows"] as? [[Any]])
        let formats = try #require(channels["formats"] as? [[String]])
        #expect(rows.count == 1 + groups.count)
        for (i, group) in groups.enumerated() {
            let row = rows[i + 1]
            #expect(row[0] as? String == group["centre"] as? String)
            #expect(row[2] as? String == group["channel"] as? String)
            #expect((row[4] as? NSNumber)?.intValue == group["responses"] as? Int)
            #expect((row[5] as? NSNumber)?.intValue == group["ratings"] as? Int)
            for (column, key) in [(6, "mean"), (9, "share3"), (10, "share4")] {
                let cell = try #require((row[column] as? NSNumber)?.doubleValue, "a number in column \(column)")
                let expected = try #require(group[key] as? Double)
                #expect(abs(cell - expected) < 1e-12, "\(key): \(cell) against \(expected)")
            }
            let thresholds = try #require(group["thresholds"] as? [String: Any])
            #expect(row[13] as? Bool == thresholds["atLeast3In80Percent"] as? Bool)
            #expect(row[14] as? Bool == thresholds["atLeast4In80Percent"] as? Bool)
            #expect(row[15] as? Bool == thresholds["meanAtLeast4"] as? Bool)
            #expect(formats[i + 1][9] == "0.0%" && formats[i + 1][6] == "0.00" && formats[i + 1][4] == "0")
        }

        // Questions: each group's score counts, as in the JSON.
        let questions = try #require((book["Questions"] as? [String: Any])?["rows"] as? [[Any]])
        #expect(questions.count == 1 + 4 * groups.count)
        for (i, group) in groups.enumerated() {
            let figures = try #require(group["questions"] as? [String: [String: Any]])
            for q in 0..<4 {
                let row = questions[1 + i * 4 + q]
                #expect(row[3] as? String == "q\(q + 1)")
                #expect(row[7...].compactMap { ($0 as? NSNumber)?.intValue } == figures["q\(q + 1)"]?["counts"] as? [Int])
            }
        }

        // Services and counters: the snapshot's breakdowns, small cells without figures.
        let services = try #require((book["Services"] as? [String: Any])?["rows"] as? [[Any]])
        let breakdown = try #require(snapshot.services.first)
        #expect(services.count == 1 + breakdown.rows.count)
        for (i, row) in breakdown.rows.enumerated() {
            #expect(services[i + 1][2] as? String == row.value)
            #expect((services[i + 1][3] as? NSNumber)?.intValue == row.figures?.responses)
        }
        let counters = try #require((book["Counters"] as? [String: Any])?["rows"] as? [[Any]])
        // Counters 1, 2 and 3 have 14, 13 and 13 responses at the counter: all shown.
        #expect(counters.dropFirst().map { ($0[3] as? NSNumber)?.intValue } == [14, 13, 13])

        // Trend: eight quarters of each channel and of all channels; the kiosk's 2025-Q4 has 30 responses.
        let trend = try #require((book["Trend"] as? [String: Any])?["rows"] as? [[Any]])
        #expect(trend.count == 1 + 8 * 3)
        #expect(trend.contains { $0[0] as? String == "kiosk" && $0[2] as? String == "2025-Q4" && ($0[3] as? NSNumber)?.intValue == 30 })

        // Comments: 4 at the counter, the low-rated first.
        let comments = try #require((book["Comments"] as? [String: Any])?["rows"] as? [[Any]])
        #expect(comments.count == 1 + 4)
        #expect(comments.dropFirst().allSatisfy { ($0[7] as? String)?.hasPrefix("تعليق رقم") == true })

        // In English, left to right; the public workbook has no Counters and no Comments (its Themes, no examples).
        let english = try dump(try WorkbookReport.render(snapshot, language: .en, audience: .public), in: temp)
        #expect(english["sheets"] as? [String] == ["Summary", "Channels", "Questions", "Services", "Trend", "Themes"])
        #expect((english["Summary"] as? [String: Any])?["rtl"] as? Bool == false)
    }

    /// The Themes sheet: every channel together, then each channel; a row per theme and one for the comments in none,
    /// with the examples for the quality team only. The snapshot's three comments (i = 0, 10, 20, 30 at the counter:
    /// "تعليق رقم N", in no theme) and one added by hand in two themes.
    @Test(.enabled(if: pythonWithOpenpyxl != nil, "needs python3 with openpyxl (.ci/run installs it)"))
    func theThemesSheetHasEachThemesCountsAndExamplesForTheQualityTeamOnly() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        var snapshot = try await storeSnapshot(temp)
        var entries = snapshot.comments.entries.sorted { $0.text < $1.text }
        entries.append(CommentEntry(centre: "C01", channel: "kiosk", day: "2026-03-09", service: nil, ratingSum: 4, ratingCount: 4,
                                    text: "=HYPERLINK(\"x\") the staff were rude and the queue long"))
        snapshot.themes = ThemeDigest.build(comments: entries, lexicon: .starter, channels: .standard, quarter: fixtureQuarter)
        let book = try dump(try WorkbookReport.render(snapshot, language: .en), in: temp)
        let sheet = try #require(book["Themes"] as? [String: Any])
        let rows = try #require(sheet["rows"] as? [[Any]])
        // A header, then 9 rows for all channels, 9 for the counter, 9 for the kiosk.
        #expect(rows.count == 1 + 3 * 9)
        #expect(rows[0].count == 10 && rows[0][0] as? String == "Channel id")
        let waiting = rows[1].map { "\($0)" }
        #expect(waiting.prefix(7) == ["all", "All channels", "waiting_time", "Waiting time", "1", "1", "1"])
        #expect(waiting[7] == "=HYPERLINK(\"x\") the staff were rude and the queue long")
        let unmatched = rows[9].map { "\($0)" }
        #expect(unmatched.prefix(7) == ["all", "All channels", "unmatched", "No theme", "\(entries.count - 1)", "0", "0"])
        #expect(rows[10][0] as? String == "counter" && rows[19][0] as? String == "kiosk")

        let published = try dump(try WorkbookReport.render(snapshot, language: .en, audience: .public), in: temp)
        let publicRows = try #require((published["Themes"] as? [String: Any])?["rows"] as? [[Any]])
        #expect(publicRows[0].count == 7, "no example columns")
        #expect(!"\(publicRows)".contains("HYPERLINK"))
    }

    @Test func aSnapshotReadsBackToItselfAndRendersTheSameBytes() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let snapshot = try await storeSnapshot(temp)
        let content = try ReportFreezing.content(snapshot)
        let back = try ReportSnapshot.decode(Data(content.json.utf8))
        #expect(back == snapshot)
        #expect(try ReportFreezing.content(back) == content)
        #expect(HTMLReport.render(back) == HTMLReport.render(snapshot))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs sha256sum"))
    func thePublishedContentsSHA256IsReproducedByAnotherProgram() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let snapshot = try await storeSnapshot(temp)
        let report = SavedReport(id: 7, scope: "C01", quarter: fixtureQuarter, status: .submitted, savedAt: snapshot.takenAt, savedBy: "Q",
                                 actions: [ReportAction(id: 1, report: 7, who: "Head of centre", what: "Open a second kiosk", due: "2026-06-30",
                                                        recordedAt: snapshot.takenAt)],
                                 replaces: 3)
        let (content, page) = try ReportFreezing.publication(of: snapshot, report: report, at: instant("2026-04-10T12:00:00+03:00"))
        for (text, sha) in [(content.json, content.sha256), (page.html, page.sha256)] {
            let file = try temp.file("frozen", text)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [file]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(printed.hasPrefix(sha + " "))
        }
        // The page is the public one, states the correction, and lists the action without who.
        #expect(page.html.contains("<html lang=\"ar\" dir=\"rtl\">") && !page.html.contains("id=\"comments\""))
        #expect(page.html.contains("وهو تصحيح يحل محل التقرير رقم 3"))
        #expect(page.html.contains("Open a second kiosk") && !page.html.contains("Head of centre"))
        let check = try ReportFreezing.verify(content: content, page: page)
        #expect(check.holds && check.pageMatches == true)
        // A changed byte anywhere is found.
        var tampered = content
        tampered.json = tampered.json.replacingOccurrences(of: "\"responses\":40", with: "\"responses\":41")
        #expect(tampered.json != content.json)
        #expect(try ReportFreezing.verify(content: tampered, page: page).holds == false)
    }
}
