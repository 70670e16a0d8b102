import CXlsxWriter
import Foundation
import RidaAggregation
@testable import RidaImport
@testable import RidaStore
import GRDB
import RidaSurvey
import RidaTesting
import Testing
import ZIPFoundation

/// Excel workbooks: one written by libxlsxwriter (shared strings, a date format, numbers), one built part by part here
/// (inline strings, the 1904 date system), and one saved by LibreOffice Calc (Fixtures/xlsx/SOURCE.txt).
@Suite struct WorkbookImportTests {
    /// Writes a workbook with libxlsxwriter: a first sheet "Notes" and the responses on "Responses", whose second row
    /// is left empty, so the data starts on Excel's row 3.
    static func writeWorkbook(_ path: String) throws {
        let workbook = try #require(workbook_new(path))
        let notes = workbook_add_worksheet(workbook, "Notes")
        _ = worksheet_write_string(notes, 0, 0, "Exported from the kiosk service", nil)
        let sheet = workbook_add_worksheet(workbook, "Responses")
        let date = workbook_add_format(workbook)
        format_set_num_format(date, "yyyy-mm-dd hh:mm")
        for (c, name) in ["Response", "Centre", "Submitted", "Staff", "Time", "Comment"].enumerated() {
            _ = worksheet_write_string(sheet, 0, lxw_col_t(c), name, nil)
        }
        // Excel rows 3 to 5 (0-based rows 2 to 4).
        let rows: [(String, String, lxw_datetime, String?, Double?, String)] = [
            ("x1", "C01", lxw_datetime(year: 2026, month: 3, day: 31, hour: 23, min: 30, sec: 0), "Very satisfied", 4, "Quick, polite"),
            ("x2", "C01", lxw_datetime(year: 2026, month: 4, day: 1, hour: 8, min: 15, sec: 0), "Dissatisfied", nil, "طابور طويل"),
            ("x3", "C01", lxw_datetime(year: 2026, month: 4, day: 2, hour: 9, min: 0, sec: 0), "Brilliant", 7, ""),
        ]
        for (k, row) in rows.enumerated() {
            let r = lxw_row_t(k + 2)
            _ = worksheet_write_string(sheet, r, 0, row.0, nil)
            _ = worksheet_write_string(sheet, r, 1, row.1, nil)
            var when = row.2
            _ = worksheet_write_datetime(sheet, r, 2, &when, date)
            if let staff = row.3 { _ = worksheet_write_string(sheet, r, 3, staff, nil) }
            if let time = row.4 { _ = worksheet_write_number(sheet, r, 4, time, nil) }
            if !row.5.isEmpty { _ = worksheet_write_string(sheet, r, 5, row.5, nil) }
        }
        #expect(workbook_close(workbook) == LXW_NO_ERROR)
    }

    static let mapping = """
        {"sheet": "Responses", "fields": {"id": {"column": "Response"}, "centre": {"column": "Centre"}, "channel": {"value": "kiosk"},
         "submitted_at": {"column": "Submitted"}, "q1": {"column": "Staff"}, "q2": {"column": "Time"}, "comment": {"column": "Comment"}},
         "ratingLabels": {"Very dissatisfied": 1, "Dissatisfied": 2, "Neutral": 3, "Satisfied": 4, "Very satisfied": 5}}
        """

    /// 23:30 on 31 March (Bahrain) is Q1; the other two are Q2. x3's "Brilliant" and 7 are not ratings: rejected on
    /// Excel's row 5, the row Excel shows.
    @Test func importsTheNamedSheetOfAWorkbookWrittenByLibxlsxwriter() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let path = db.folder.appendingPathComponent("kiosk.xlsx").path
        try Self.writeWorkbook(path)
        let mapping = try ImportMapping.load(Data(Self.mapping.utf8), name: "m.json")
        let summary = try await importer(store).importFile(at: path, mapping: mapping, now: importTime)
        #expect(summary.format == .xlsx)
        #expect(summary.tally == SaveTally(accepted: 2, duplicates: 0, conflicts: 0, rejected: 1))
        #expect(summary.rejected.map(\.line) == [5])
        #expect(Set(summary.rejected[0].problems.compactMap(\.field)) == ["q1", "q2"])
        let x1 = try #require(try await store.response(id: "x1"))
        #expect(x1.submittedAt == instant("2026-03-31T23:30:00+03:00"))
        #expect(x1.ratings == [5, 4, nil, nil])
        #expect(x1.comment == "Quick, polite")
        let x2 = try #require(try await store.response(id: "x2"))
        #expect(x2.submittedAt == instant("2026-04-01T08:15:00+03:00"))
        #expect(x2.ratings == [2, nil, nil, nil])
        #expect(x2.comment == "طابور طويل")
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "kiosk")]?.responses == 1)

        // Without "sheet" the first sheet is read, which is not the responses.
        var first = mapping
        first.sheet = nil
        do {
            _ = try await importer(store).importFile(at: path, mapping: first, now: importTime)
            Issue.record("the first sheet lacks the columns")
        } catch let error as ImportError {
            #expect(error.description.hasPrefix("The header of \(path) lacks the columns \"Response\", \"Centre\""))
        }
        var missing = mapping
        missing.sheet = "Sheet9"
        do {
            _ = try await importer(store).importFile(at: path, mapping: missing, now: importTime)
            Issue.record("there is no such sheet")
        } catch let error as ImportError {
            #expect(error.description == "\(path) is not an Excel workbook Rida can read: it has no sheet named \"Sheet9\" "
                + "(its sheets: Notes, Responses); save it as .xlsx (Excel 2007 or later) or export it as CSV.")
        }
    }

    /// A workbook in the 1904 date system with inline strings, as some Mac spreadsheets write it: serial 44652.5 is
    /// 44652.5 days after 1904-01-01, that is 2026-04-02 12:00 (1462 days later than the same serial in the 1900 system,
    /// which would be 2022-04-01 12:00).
    @Test func readsInlineStringsAndThe1904DateSystem() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let path = db.folder.appendingPathComponent("mac.xlsx").path
        try Self.writeParts(path)
        let summary = try await importer(store).importFile(at: path, now: importTime)
        #expect(summary.tally.accepted == 1)
        let id = try #require(try await store.writer.read { db in try String.fetchOne(db, sql: "SELECT id FROM response") })
        let response = try #require(try await store.response(id: id))
        #expect(response.submittedAt == instant("2026-04-02T12:00:00+03:00"))
        #expect(response.ratings == [3, nil, nil, nil])
        #expect(excelDate(44652.5, date1904: false) == "2022-04-01T12:00:00")
        #expect(excelDate(44652.5, date1904: true) == "2026-04-02T12:00:00")
    }

    /// The parts of a minimal workbook; the archive is closed when this returns.
    static func writeParts(_ path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        try add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/>\
            <sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
            """)
        try add("xl/styles.xml", """
            <?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>
            """)
        try add("xl/worksheets/sheet1.xml", """
            <?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1"><c r="A1" t="inlineStr"><is><t>centre</t></is></c><c r="B1" t="inlineStr"><is><t>channel</t></is></c>\
            <c r="C1" t="inlineStr"><is><t>submitted_at</t></is></c><c r="D1" t="inlineStr"><is><t>q1</t></is></c>\
            <c r="E1" t="inlineStr"><is><t>q2</t></is></c><c r="F1" t="inlineStr"><is><t>q3</t></is></c>\
            <c r="G1" t="inlineStr"><is><t>q4</t></is></c></row>\
            <row r="4"><c r="A4" t="inlineStr"><is><t>C02</t></is></c><c r="B4" t="inlineStr"><is><t>website</t></is></c>\
            <c r="C4" s="1"><v>44652.5</v></c><c r="D4"><v>3</v></c></row></sheetData></worksheet>
            """)
    }
    /// Fixtures/xlsx/kiosk-survey.xlsx, saved by LibreOffice Calc from kiosk-survey.csv: shared strings in Arabic, dates
    /// as serial numbers (46112.9791666667 is 2026-03-31 23:30, Bahrain time here), the first sheet. By hand: K-101
    /// rates 5, 4, 3, 5; K-102 2, 1, -, "لا أعرف" (missing); K-103 4, 4, 4, 4 at the counter; K-104's «ممتاز» is not a
    /// label of the scale: rejected on Excel's row 5.
    @Test func importsAWorkbookSavedByLibreOffice() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let mapping = try ImportMapping.load(Data("""
            {"fields": {"id": {"column": "رقم"}, "centre": {"column": "المركز"},
                        "channel": {"column": "القناة", "values": {"جهاز ذاتي": "kiosk", "منصة": "counter"}},
                        "submitted_at": {"column": "التاريخ"}, "q1": {"column": "الموظف"}, "q2": {"column": "الوقت"},
                        "q3": {"column": "الدقة"}, "q4": {"column": "التقييم العام"}, "comment": {"column": "الملاحظات"}},
             "ratingLabels": {"غير راضي جداً": 1, "غير راضي": 2, "محايد": 3, "راضي": 4, "راضي جداً": 5},
             "missing": ["لا أعرف"]}
            """.utf8), name: "m.json")
        let path = repositoryRoot().appendingPathComponent("Tests/RidaImportTests/Fixtures/xlsx/kiosk-survey.xlsx").path
        let summary = try await importer(store).importFile(at: path, mapping: mapping, now: importTime)
        #expect(summary.tally == SaveTally(accepted: 3, duplicates: 0, conflicts: 0, rejected: 1))
        #expect(summary.rejected.map(\.line) == [5])
        #expect(summary.rejected.first?.problems.first?.field == "q1")
        let k101 = try #require(try await store.response(id: "K-101"))
        #expect(k101.submittedAt == instant("2026-03-31T23:30:00+03:00"))
        #expect(k101.ratings == [5, 4, 3, 5])
        #expect(k101.channel == "kiosk")
        #expect(k101.comment == "خدمة سريعة، شكراً")
        #expect(try await store.response(id: "K-102")?.ratings == [2, 1, nil, nil])
        #expect(try await store.response(id: "K-103")?.channel == "counter")
        #expect(try await store.response(id: "K-103")?.submittedAt == instant("2026-04-01T09:10:00+03:00"))
    }
}
