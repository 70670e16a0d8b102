import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaAggregation
import RidaAssessment
import RidaHTTP
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `/v1/reports` through a real server on a local socket, over a real SQLite file.
@Suite struct ReportsRouterTests {
    static let quarter = Quarter(year: 2026, number: 1)
    static let comment = "الموظف كان متعاوناً جداً"

    /// C01 (entity E01, Arabic names) with counter and kiosk responses in 2026-Q1, services, counters and a comment;
    /// and الرفاع, a centre whose id is Arabic, first seen in the responses.
    func seeded() async throws -> Harness {
        let h = try await Harness()
        try await h.store.saveEntity(Entity(id: "E01", nameAr: "هيئة المعلومات", nameEn: "Information Authority"))
        try await h.store.saveCentre(Centre(id: "C01", entity: "E01", nameAr: "مركز المحرق", nameEn: "Muharraq centre",
                                            kind: .headquarters, channels: ["counter", "kiosk"]), at: h.now)
        var responses: [SurveyResponse] = []
        for i in 0..<12 {
            responses.append(response("c\(i)", at: "2026-01-1\(i % 9)T10:00:00+03:00", [5 - i % 3, 4, 4, 5],
                                      service: "تجديد جواز السفر", counter: "\(1 + i % 2)", comment: i == 0 ? Self.comment : nil))
        }
        for i in 0..<5 { responses.append(response("k\(i)", channel: "kiosk", [2 + i % 4, nil, 4, 4])) }
        responses.append(response("r1", centre: "الرفاع", [3, 3, 3, 3]))
        _ = try await h.store.save(responses, receivedAt: h.now)
        return h
    }

    /// The snapshot the service renders: the store's, with the comment themes of the same scope.
    func snapshot(_ h: Harness, centre: String? = "C01", entity: String? = nil) async throws -> ReportSnapshot {
        let subject = try await h.store.reportSubject(centre: centre, entity: entity)
        var snapshot = try await h.store.reportSnapshot(subject: subject, quarter: Self.quarter, policy: h.settings.policy,
                                                        channels: h.settings.channels, at: h.now)
        let scope = ReportScope(quarter: Self.quarter, centre: centre, entity: entity, centres: entity == nil ? nil : subject.centres.map(\.id))
        snapshot.themes = ThemeDigest.build(comments: try await h.store.comments(in: scope), lexicon: h.settings.lexicon,
                                            channels: h.settings.channels, quarter: Self.quarter)
        return snapshot
    }

    @Test func servesTheHTMLReportInArabicRightToLeftAsTheLibraryRendersIt() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let snapshot = try await snapshot(h)
        let entitySnapshot = try await self.snapshot(h, centre: nil, entity: "E01")
        try await h.test(.live) { client in
            let page = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=html", key: h.quality)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentDisposition] == #"inline; filename="rida-report-2026-Q1-C01.html""#)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(page.text.contains("مركز المحرق"))
            #expect(page.text.contains(Self.comment))
            #expect(page.text == HTMLReport.render(snapshot, language: .ar, audience: .quality))

            let english = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=html&lang=en", key: h.evaluator)
            #expect(english.text.contains(#"<html lang="en" dir="ltr">"#))
            #expect(english.text == HTMLReport.render(snapshot, language: .en, audience: .quality))
            #expect(english.headers[.contentDisposition] == #"inline; filename="rida-report-2026-Q1-C01-en.html""#)

            let published = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=html&public=true", key: h.admin)
            #expect(published.text == HTMLReport.render(snapshot, language: .ar, audience: .public))
            #expect(!published.text.contains(Self.comment))

            let entity = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&entity=E01&format=html", key: h.quality)
            #expect(entity.status == .ok)
            #expect(entity.text == HTMLReport.render(entitySnapshot, language: .ar, audience: .quality))
            #expect(entity.text.contains("هيئة المعلومات"))
        }
    }

    @Test func servesTheWorkbookAsTheLibraryRendersIt() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let snapshot = try await snapshot(h)
        let expected = try WorkbookReport.render(snapshot, language: .ar, audience: .quality)
        let publicVersion = try WorkbookReport.render(snapshot, language: .en, audience: .public)
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        try await h.test(.live) { client in
            let answer = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=xlsx", key: h.quality)
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(answer.headers[.contentDisposition] == #"attachment; filename="rida-report-2026-Q1-C01.xlsx""#)
            let bytes = Data(answer.body.readableBytesView)
            #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a zip file")
            #expect(bytes == expected)
            let english = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=xlsx&lang=en&public=true", key: h.quality)
            #expect(Data(english.body.readableBytesView) == publicVersion)
            #expect(english.headers[.contentDisposition] == #"attachment; filename="rida-report-2026-Q1-C01-public-en.xlsx""#)
            let sheets = try readWorkbook(bytes, in: temp)
            #expect(sheets != nil || !openpyxlInstalled, "openpyxl is installed, so the workbook is read back")
            if let sheets {
                #expect(sheets["sheets"] as? [String] == WorkbookReport.sheetNames)
                #expect((sheets["Summary"] as? [String: Any])?["rtl"] as? Bool == true)
            }
        }
    }

    @Test func servesCSVWithAByteOrderMarkAndArabicIntact() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let report = try await h.store.quarterlyReport(ReportScope(quarter: Self.quarter, centre: "الرفاع"), policy: h.settings.policy,
                                                       channels: h.settings.channels)
        try await h.test(.live) { client in
            let answer = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=%D8%A7%D9%84%D8%B1%D9%81%D8%A7%D8%B9&format=csv", key: h.quality)
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(answer.headers[.contentDisposition] == #"attachment; filename="rida-report-2026-Q1-______.csv""#)
            let bytes = Array(answer.body.readableBytesView)
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
            #expect(answer.text == CSVRendering.render(report))
            let rows = answer.text.split(separator: "\r\n")
            #expect(rows.count == 2)
            #expect(rows[1].hasPrefix("2026-Q1,الرفاع,counter,1,4,3.0"))
        }
    }

    @Test func refusesBadParametersWithASentenceNamingThem() async throws {
        let h = try await seeded()
        defer { h.remove() }
        try await h.test(.live) { client in
            func problem(_ query: String) async throws -> (HTTPResponse.Status, String?, String) {
                let answer = try await client.get("/v1/reports/quarterly?" + query, key: h.quality)
                let error = try #require(try answer.json()["error"] as? [String: Any])
                let field = (error["problems"] as? [[String: Any]])?.first?["field"] as? String
                return (answer.status, field, error["message"] as? String ?? "")
            }
            let both = try await problem("quarter=2026-Q1&centre=C01&entity=E01&format=html")
            #expect(both.0 == .unprocessableContent)
            #expect(both.1 == "entity")
            #expect(both.2 == "The parameter entity cannot be given with centre: give centre or entity, not both.")
            #expect(try await problem("quarter=2026-Q5&format=html").1 == "quarter")
            let language = try await problem("format=html&lang=fr")
            #expect(language.1 == "lang")
            #expect(language.2 == "The parameter lang must be ar or en, not \"fr\".")
            #expect(try await problem("format=pdf").2 == "The parameter format must be json, csv, html or xlsx, not \"pdf\".")
            #expect(try await problem("format=csv&public=true").1 == "public")
            #expect(try await problem("format=html&public=yes").1 == "public")
            let centre = try await problem("quarter=2026-Q1&centre=C99&format=html")
            #expect(centre.0 == .notFound)
            #expect(centre.2.contains("There is no centre C99"))
            let entity = try await problem("quarter=2026-Q1&entity=E99&format=xlsx")
            #expect(entity.0 == .notFound)
            // The API sends the store's sentence alone: no command of the command line.
            #expect(entity.2 == "There is no entity E99 in the registry.")
        }
    }

    @Test func servesSavedReportsAndThePublishedBytesWithTheirHash() async throws {
        let h = try await seeded()
        defer { h.remove() }
        let snapshot = try await snapshot(h)
        let saved = try await h.store.saveReport(scope: "C01", quarter: Self.quarter, by: "Quality lead", at: h.now,
                                                 content: try ReportFreezing.content(snapshot))
        let frozen = try ReportFreezing.publication(of: snapshot, report: saved, at: h.now)
        _ = try await h.store.publishReport(saved.id, content: frozen.content, page: frozen.page, actions: [], at: h.now)
        let draft = try await h.store.saveReport(scope: "E01", quarter: Self.quarter, by: "Quality lead", at: h.now,
                                                 content: try ReportFreezing.content(try await self.snapshot(h, centre: nil, entity: "E01")))
        let stored = try await h.store.savedReportContent(saved.id)
        let content = try #require(stored.content)
        let page = try #require(stored.page)
        try await h.test(.live) { client in
            let list = try await client.get("/v1/reports/saved", key: h.evaluator)
            #expect(list.status == .ok)
            let reports = try #require(try list.json()["reports"] as? [[String: Any]])
            #expect(reports.map { $0["id"] as? Int } == [Int(saved.id), Int(draft.id)])
            #expect(reports.map { $0["status"] as? String } == ["published", "draft"])
            #expect(reports[0]["contentSha256"] as? String == content.sha256)
            let onlyE01 = try await client.get("/v1/reports/saved?scope=E01&quarter=2026-Q1", key: h.quality).json()
            #expect((onlyE01["reports"] as? [[String: Any]])?.count == 1)

            let json = try await client.get("/v1/reports/saved/\(saved.id)", key: h.quality)
            #expect(json.status == .ok)
            #expect(json.headers[.contentType] == "application/json; charset=utf-8")
            #expect(Array(json.body.readableBytesView) == Array(content.json.utf8))
            #expect(json.headers[HTTPField.Name("X-Content-SHA256")!] == content.sha256)
            #expect(ReportFreezing.sha256(Data(json.body.readableBytesView)) == content.sha256)
            #expect(json.headers[.eTag] == "\"\(content.sha256)\"")
            #expect(json.headers[HTTPField.Name("X-Engine-Version")!] == content.engineVersion)

            let html = try await client.get("/v1/reports/saved/\(saved.id)?format=html", key: h.quality)
            #expect(html.headers[.contentType] == "text/html; charset=utf-8")
            #expect(Array(html.body.readableBytesView) == Array(page.html.utf8))
            #expect(html.headers[HTTPField.Name("X-Content-SHA256")!] == page.sha256)
            #expect(ReportFreezing.sha256(Data(html.body.readableBytesView)) == page.sha256)
            #expect(html.text.contains(#"dir="rtl""#))

            let english = try await client.get("/v1/reports/saved/\(saved.id)?format=html&lang=en", key: h.quality)
            let back = try ReportSnapshot.decode(Data(content.json.utf8))
            #expect(english.text == HTMLReport.render(back, language: .en, audience: .public))
            #expect(english.headers[HTTPField.Name("X-Content-SHA256")!] == nil, "a rendering is not the frozen bytes")
            let qualityPage = try await client.get("/v1/reports/saved/\(saved.id)?format=html&audience=quality", key: h.quality)
            #expect(qualityPage.text == HTMLReport.render(back, language: .ar, audience: .quality))

            let workbook = try await client.get("/v1/reports/saved/\(saved.id)?format=xlsx", key: h.quality)
            #expect(workbook.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(Data(workbook.body.readableBytesView) == (try WorkbookReport.render(back, language: .ar, audience: .public)))

            let draftPage = try await client.get("/v1/reports/saved/\(draft.id)?format=html", key: h.quality)
            #expect(draftPage.status == .ok)
            #expect(draftPage.headers[HTTPField.Name("X-Content-SHA256")!] == nil)

            #expect(try await client.get("/v1/reports/saved/999", key: h.quality).status == .notFound)
            #expect(try await client.get("/v1/reports/saved/abc", key: h.quality).status == .notFound)
            #expect(try await client.get("/v1/reports/saved/\(saved.id)?audience=all", key: h.quality).status == .unprocessableContent)
        }
    }

    @Test func refusesSubmitterKeysWithASentence() async throws {
        let h = try await seeded()
        defer { h.remove() }
        _ = try await h.store.saveReport(scope: "C01", quarter: Self.quarter, by: "Quality lead", at: h.now)
        try await h.test(.live) { client in
            for path in ["/v1/reports/quarterly?format=html", "/v1/reports/quarterly?format=xlsx", "/v1/reports/quarterly?format=csv",
                         "/v1/reports/saved", "/v1/reports/saved/1"] {
                let answer = try await client.get(path, key: h.submitter)
                #expect(answer.status == .forbidden, "\(path)")
                let error = try #require(try answer.json()["error"] as? [String: Any])
                #expect(error["message"] as? String == "This key submits responses; reports are read with a quality, evaluator or admin key.")
                #expect(try await client.get(path, key: nil).status == .unauthorized)
            }
        }
    }
}

/// Whether python3 has openpyxl (.ci/run installs it).
let openpyxlInstalled: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import openpyxl"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

/// A workbook read back by openpyxl, when python3 has it (.ci/run installs it): its sheet names and, per sheet,
/// whether it is right to left. Nil without openpyxl.
func readWorkbook(_ bytes: Data, in temp: TemporaryDatabase) throws -> [String: Any]? {
    let path = temp.folder.appendingPathComponent("read.xlsx").path
    try bytes.write(to: URL(fileURLWithPath: path))
    let script = try temp.file("read.py", """
        import json, sys
        try:
            import openpyxl
        except ImportError:
            print("null"); sys.exit(0)
        wb = openpyxl.load_workbook(sys.argv[1])
        out = {"sheets": wb.sheetnames}
        for ws in wb.worksheets:
            out[ws.title] = {"rtl": bool(ws.sheet_view.rightToLeft)}
        print(json.dumps(out, ensure_ascii=False))
        """)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, path]
    let out = Pipe()
    process.standardOutput = out
    guard (try? process.run()) != nil else { return nil }  // no python3
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "openpyxl could not read the workbook")
    return try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) as? [String: Any]
}
