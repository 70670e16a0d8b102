import Foundation
import Logging
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaImport

let importTime = instant("2026-05-01T09:00:00Z")

func importer(_ store: SQLiteStore, batchSize: Int = 3) -> Importer {
    Importer(store: store, validator: ResponseValidator(), batchSize: batchSize, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
}

@Suite struct ImporterTests {
    static let canonical = """
        id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment
        a1,C01,counter,2026-01-10T09:00:00+03:00,5,4,4,5,تجديد جواز السفر,3,"شكراً، خدمة ممتازة"
        a2,C01,kiosk,2026-01-10T09:05:00,1,2,,,Passport,,"Too slow, ""very"" slow
        second line"
        a3,C01,counter,2026-02-30T09:00:00+03:00,5,5,5,5,,,
        a4,C01,fax,2026-01-11T09:00:00+03:00,6,5,5,5,,,
        a5,C02,website,2026-03-31T23:30:00,,,,,,,
        a6,C02,website,2026-03-31T23:30:00,4,4,4,4,,,

        """

    @Test func importsValidRowsAndReportsEveryRejectedOne() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let summary = try await importer(store).importData(Data(Self.canonical.utf8), name: "kiosk.csv", now: importTime)
        #expect(summary.tally == SaveTally(accepted: 3, duplicates: 0, conflicts: 0, rejected: 3))
        // Line numbers are the file's: a2's comment spans lines 3 and 4.
        #expect(summary.rejected.map(\.line) == [5, 6, 7])
        let problems = summary.rejected.flatMap(\.problems)
        #expect(problems.contains { $0.line == 5 && $0.field == "submitted_at" && $0.reason.contains("not a date in the calendar") })
        #expect(problems.contains { $0.line == 6 && $0.field == "channel" })
        #expect(problems.contains { $0.line == 6 && $0.field == "q1" })
        #expect(problems.contains { $0.line == 7 && $0.field == nil && $0.reason.contains("no question was rated") })
        let a2 = try #require(try await store.response(id: "a2"))
        #expect(a2.comment == "Too slow, \"very\" slow\nsecond line")
        #expect(a2.ratings == [1, 2, nil, nil])
        // No offset: Bahrain time.
        #expect(a2.submittedAt == instant("2026-01-10T09:05:00+03:00"))
        #expect(try await store.response(id: "a1")?.comment == "شكراً، خدمة ممتازة")
        // 23:30 on 31 March in Bahrain is still Q1.
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C02", channel: "website")]?.responses == 1)
    }

    @Test func countsNothingTwiceWhenAFileIsImportedAgain() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        _ = try await importer(store).importData(Data(Self.canonical.utf8), name: "kiosk.csv", now: importTime)
        let again = try await importer(store).importData(Data(Self.canonical.utf8), name: "kiosk.csv", now: importTime)
        #expect(again.tally == SaveTally(accepted: 0, duplicates: 3, conflicts: 0, rejected: 3))
        #expect(try await store.responseCount() == 3)
        let imports = try await store.imports()
        #expect(imports.count == 2)
        #expect(imports.map(\.status) == ["finished", "finished"])
        #expect(imports[1].tally == again.tally)
    }

    @Test func reportsAConflictingIdAndKeepsTheFirst() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        _ = try await importer(store).importData(Data(Self.canonical.utf8), name: "kiosk.csv", now: importTime)
        let changed = "id,centre,channel,submitted_at,q1,q2,q3,q4\na1,C01,counter,2026-01-10T09:00:00+03:00,1,1,1,1\n"
        let summary = try await importer(store).importData(Data(changed.utf8), name: "changed.csv", now: importTime)
        #expect(summary.tally.conflicts == 1)
        #expect(summary.conflicts == [ConflictRow(line: 2, id: "a1", fields: ["q1", "q2", "q3", "q4", "service", "counter", "comment"])])
        #expect(try await store.response(id: "a1")?.ratings == [5, 4, 4, 5])
    }

    @Test func matchesColumnsByNameInAnyOrderWithAStageAndNoId() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let csv = """
            \u{FEFF}Q4,q3,q2,q1,Submitted_At,Channel,Centre,Stage,Extra\r
            5,4,3,2,2026-01-10T09:00:00Z,website,R01,before,x\r
            5,4,3,2,2026-01-10T09:00:00Z,website,R01,before,x\r
            1,1,1,1,2026-01-10T09:00:00Z,website,R01,during,y\r

            """
        let summary = try await importer(store).importData(Data(csv.utf8), name: "no-ids.csv", now: importTime)
        #expect(summary.tally.accepted == 3)  // identical rows in one file are two responses
        #expect(summary.ignoredColumns == ["Extra"])
        let again = try await importer(store).importData(Data(csv.utf8), name: "no-ids-again.csv", now: importTime)
        #expect(again.tally == SaveTally(accepted: 0, duplicates: 3, conflicts: 0, rejected: 0))
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        let group = try #require(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "R01", channel: "website")])
        #expect(group.stages == [2, 1, 0])
        #expect(group.scores[3] == [1, 0, 0, 0, 2])
    }

    /// Decision 15: an optional `entity` column or key; files without it keep the ids derived before it existed.
    @Test func readsTheOptionalEntityInCSVAndJSONLines() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let csv = """
            centre,channel,submitted_at,q1,q2,q3,q4,entity
            C07,counter,2026-01-10T09:00:00+03:00,5,5,5,5,E02
            C07,counter,2026-01-10T09:00:00+03:00,5,5,5,5,
            C07,counter,2026-01-10T09:00:00+03:00,5,5,5,5,"E0\n2"

            """
        var summary = try await importer(store).importData(Data(csv.utf8), name: "mall.csv", now: importTime)
        #expect(summary.tally == SaveTally(accepted: 2, duplicates: 0, conflicts: 0, rejected: 1))
        #expect(summary.rejected.first?.problems.first?.field == "entity")
        let lines = """
            {"id": "m1", "centre": "C07", "channel": "kiosk", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 4, "entity": "E03"}
            {"id": "m2", "centre": "C07", "channel": "kiosk", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 4}
            """
        summary = try await importer(store).importData(Data(lines.utf8), name: "mall.jsonl", now: importTime)
        #expect(summary.tally.accepted == 2)
        #expect(try await store.response(id: "m1")?.entity == "E03")
        #expect(try await store.response(id: "m2")?.entity == nil)
        // The same id naming another entity is a conflict on that field.
        summary = try await importer(store).importData(Data(lines.replacingOccurrences(of: "E03", with: "E02").utf8), name: "again.jsonl", now: importTime)
        #expect(summary.tally == SaveTally(accepted: 0, duplicates: 1, conflicts: 1, rejected: 0))
        // A row without an entity hashes as it did before the field existed (twelve fields); one with it, differently.
        var seen: [String: Int] = [:]
        let old: [String?] = ["", "C01", "counter", "2026-01-10T09:00:00+03:00", "5", "5", "5", "5", nil, nil, nil, nil]
        let before = Importer.derivedID(old, seen: &seen)
        seen = [:]
        #expect(Importer.derivedID(old + [nil], seen: &seen) == before)
        seen = [:]
        #expect(Importer.derivedID(old + ["E02"], seen: &seen) != before)
    }

    @Test func importsJSONLines() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let lines = """
            {"id": "j1", "centre": "C01", "channel": "call_centre", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 5, "q2": "4", "q3": null, "comment": "ممتاز"}
            {"id": "j2", "centre": "C01", "channel": "call_centre", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 4.5}
            {"id": "j3", "centre": "C01", "channel": "call_centre", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": true}
            {"id": "j4", "centre": "C01"
            ["not", "an", "object"]

            {"id": "j5", "centre": "C01", "channel": "chat", "submitted_at": "2026-02-01T10:00:00+03:00", "q4": 1, "stage": "during"}
            """
        let summary = try await importer(store).importData(Data(lines.utf8), name: "ivr.jsonl", now: importTime)
        #expect(summary.tally.accepted == 2)
        #expect(summary.tally.rejected == 4)
        #expect(summary.rejected.map(\.line) == [2, 3, 4, 5])
        #expect(summary.rejected[0].problems.first?.field == "q1")
        #expect(summary.rejected[1].problems.first?.reason.contains("true or false") == true)
        #expect(summary.rejected[2].problems.first?.reason.contains("malformed JSON") == true)
        #expect(try await store.response(id: "j1")?.ratings == [5, 4, nil, nil])
        #expect(try await store.response(id: "j1")?.comment == "ممتاز")
        #expect(try await store.response(id: "j5")?.stage == .during)
    }

    @Test func recordsTheFilesSHA256AsSha256sumComputesIt() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let path = try db.file("kiosk.csv", Self.canonical)
        let summary = try await importer(store).importFile(at: path, now: importTime)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(summary.sha256 == String(expected))
        let record = try #require(try await store.imports().first)
        #expect(record.sha256 == String(expected))
        #expect(record.source == "kiosk.csv")
        #expect(record.byteCount == Int64(Self.canonical.utf8.count))
    }
}

@Suite struct ImportFileErrorTests {
    func attempt(_ bytes: [UInt8], name: String = "x.csv", mapping: ImportMapping? = nil) async throws -> ImportError? {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        do {
            _ = try await importer(store).importData(Data(bytes), name: name, mapping: mapping, now: importTime)
            return nil
        } catch let error as ImportError {
            // Nothing was stored for a file that could not be read; its refusal is recorded with why.
            #expect(try await store.responseCount() == 0)
            #expect(try await store.imports().map(\.reason) == [error.description])
            return error
        }
    }

    @Test func refusesAFileThatIsNotUTF8() async throws {
        // "راضي" in Windows-1256.
        let header = Array("id,centre,channel,submitted_at,q1,q2,q3,q4,comment\n".utf8)
        let error = try await attempt(header + Array("1,C01,counter,2026-01-01T10:00:00Z,5,5,5,5,".utf8) + [0xD1, 0xC7, 0xD6, 0xED, 0x0A])
        #expect(error?.description.contains("is not UTF-8 text") == true)
        let utf16 = try await attempt([0xFF, 0xFE] + Array("i\0d\0".utf8))
        #expect(utf16?.description.contains("UTF-16") == true)
    }

    @Test func refusesABinaryFile() async throws {
        let error = try await attempt([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x0D, 0x0A], name: "responses.csv")
        #expect(error?.description.contains("not a text file") == true)
        // A ZIP that is no workbook.
        let zip = try await attempt([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00], name: "responses.xlsx")
        #expect(zip?.description == "responses.xlsx is not an Excel workbook Rida can read: it is not a ZIP archive, as .xlsx files are; "
            + "save it as .xlsx (Excel 2007 or later) or export it as CSV.")
    }

    @Test func refusesAWrongHeaderNamingWhatIsMissing() async throws {
        let error = try await attempt(Array("id,centre,when,q1,q2,q3,q4\n1,C01,2026-01-01,5,5,5,5\n".utf8))
        guard case .wrongHeader(_, let missing, let found, _) = error else {
            Issue.record("expected a wrong-header error, got \(String(describing: error))")
            return
        }
        #expect(missing == ["channel", "submitted_at"])
        #expect(found.contains("when"))
        #expect(error?.description.contains("--mapping") == true)
    }

    @Test func refusesAnEmptyFileAndASemicolonFile() async throws {
        #expect(try await attempt([]).map { "\($0)" }?.contains("empty") == true)
        #expect(try await attempt(Array("\u{FEFF}\n\n".utf8)).map { "\($0)" }?.contains("empty") == true)
        // Semicolons are found and read: what is refused is the header's missing columns, not the delimiter.
        let semicolons = try await attempt(Array("id;centre;channel\n1;C01;counter\n".utf8))
        guard case .wrongHeader(_, let missing, let found, _) = semicolons else {
            Issue.record("expected a wrong-header error, got \(String(describing: semicolons))")
            return
        }
        #expect(missing == ["submitted_at", "q1", "q2", "q3", "q4"])
        #expect(found == ["id", "centre", "channel"])
    }

    @Test func everyFileErrorIsOneSentence() async throws {
        let errors: [ImportError] = [
            .unreadable(file: "f", reason: "there is no such file"), .empty(file: "f"), .notText(file: "f"),
            .notUTF8(file: "f", encoding: nil), .notCSV(file: "f", reason: "r"),
            .wrongHeader(file: "f", missing: ["a"], found: ["b"], hint: "use a mapping."), .duplicateColumn(file: "f", column: "c"),
            .badMapping(file: "m", problems: [Problem(field: "fields", reason: "says nothing of centre")]),
            .notWorkbook(file: "f", reason: "it has no sheets"), .ambiguousColumns(file: "f", rules: ["fields.q1 reads \"Other\" (2 columns of that name)"]),
            .dateOrder(file: "f", field: "submitted_at", format: "yyyy-dd-MM", fits: "yyyy-MM-dd", swapped: 3, unparsed: 0),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"), "\(error)")
            #expect(error.description.hasSuffix("."), "\(error)")
        }
    }
}
