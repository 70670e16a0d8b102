import CXlsxWriter
import Foundation
import Logging
import RidaAggregation
import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Customers served from a workbook, as CSV ones: the same reading (numbers as Excel keeps them), the same checks.
@Suite struct ServedImportTests {
    func importer(_ store: SQLiteStore) -> Importer {
        var logger = Logger(label: "served-import-test")
        logger.logLevel = .critical
        var importer = Importer(store: store, validator: ResponseValidator(), logger: logger)
        importer.servedStore = store
        return importer
    }

    /// Excel row 2: C01's counter served 5,130 (a number cell, read "5130"); row 3 a count of 12.5, refused; row 4 the
    /// kiosk's 40, written as text.
    @Test func readsAWorkbookAndRefusesACountThatIsNotWhole() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let path = db.folder.appendingPathComponent("served.xlsx").path
        let workbook = try #require(workbook_new(path))
        let sheet = workbook_add_worksheet(workbook, "Served")
        for (c, name) in ["centre", "channel", "quarter", "customers"].enumerated() { _ = worksheet_write_string(sheet, 0, lxw_col_t(c), name, nil) }
        for (r, row) in [("C01", "counter", 5_130.0), ("C01", "call_centre", 12.5)].enumerated() {
            _ = worksheet_write_string(sheet, lxw_row_t(r + 1), 0, row.0, nil)
            _ = worksheet_write_string(sheet, lxw_row_t(r + 1), 1, row.1, nil)
            _ = worksheet_write_string(sheet, lxw_row_t(r + 1), 2, "2026-Q1", nil)
            _ = worksheet_write_number(sheet, lxw_row_t(r + 1), 3, row.2, nil)
        }
        for (c, value) in ["C01", "kiosk", "2026-q1", "40"].enumerated() { _ = worksheet_write_string(sheet, 3, lxw_col_t(c), value, nil) }
        #expect(workbook_close(workbook) == LXW_NO_ERROR)

        let summary = try await importer(store).importServed(at: path, now: instant("2026-05-01T12:00:00+03:00"))
        #expect(summary.format == .xlsx)
        #expect(summary.tally.accepted == 2 && summary.tally.rejected == 1 && summary.replaced == 0)
        #expect(summary.rejected.map(\.line) == [3])
        #expect(summary.rejected.first?.problems.map(\.reason) == [#""12.5" is not a whole number of 0 or more (digits only, no separators)"#])
        let q1 = Quarter(year: 2026, number: 1)
        #expect(try await store.servedCounts(quarter: q1, centre: "C01") == [
            ServedCount(centre: "C01", channel: "counter", quarter: q1, customers: 5_130),
            ServedCount(centre: "C01", channel: "kiosk", quarter: q1, customers: 40),
        ])
    }

    /// Arabic-Indic digits are refused, as in `sla_days`, and a file without the customers column is refused whole,
    /// naming the column, with nothing stored.
    @Test func refusesArabicIndicDigitsAndAFileWithoutItsColumns() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let now = instant("2026-05-01T12:00:00+03:00")
        let digits = try db.file("digits.csv", "centre,channel,quarter,customers\nC01,counter,2026-Q1,٥١٣٠\n")
        let summary = try await importer(store).importServed(at: digits, now: now)
        #expect(summary.tally.accepted == 0 && summary.rejected.map(\.line) == [2])
        #expect(summary.rejected.first?.problems.map(\.field) == ["customers"])

        let missing = try db.file("missing.csv", "centre,channel,quarter\nC01,counter,2026-Q1\n")
        let error = await #expect(throws: ImportError.self) { try await importer(store).importServed(at: missing, now: now) }
        #expect(error?.description.contains("customers") == true)
        #expect(try await store.servedCounts(quarter: Quarter(year: 2026, number: 1), centre: nil).isEmpty)
        // Both recorded: the first finished (its row rejected), the second refused with the sentence that said why.
        let records = try await store.imports()
        #expect(records.count == 2 && records.filter { $0.reason != nil }.map(\.source) == ["missing.csv"])
    }
}
