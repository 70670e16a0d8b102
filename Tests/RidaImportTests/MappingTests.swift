import Foundation
import RidaAggregation
import GRDB
@testable import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaImport

@Suite struct MappingTests {
    func mapping(_ name: String) throws -> ImportMapping {
        let url = repositoryRoot().appendingPathComponent("docs/examples/\(name)")
        return try ImportMapping.load(try Data(contentsOf: url), name: name)
    }

    /// The real Google Forms export in ../shared/data, imported as it is through the documented mapping.
    /// Expected figures computed independently with Python's csv module: 408 rows, 298 with at least one
    /// of the three ratings (the rest are homework reviews whose key was not seen), by quarter in Bahrain
    /// time (EST + 8 h): 2021-Q4 161, 2022-Q1 38, 2022-Q2 5, 2022-Q3 20, 2022-Q4 7, 2023-Q1 50, 2023-Q2 14,
    /// 2023-Q3 1, 2023-Q4 2. Scores over the three items: 255 fives, 114 fours, 42 threes, 6 twos, 1 one.
    @Test func importsTheGoogleFormsExportAsItIs() async throws {
        let file = repositoryRoot().appendingPathComponent("../shared/data/google-forms-export/assignment-survey-history.csv").standardized
        try #require(FileManager.default.fileExists(atPath: file.path), "the shared data folder sits beside the repository")
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let summary = try await importer(store, batchSize: 100).importFile(
            at: file.path, mapping: try mapping("google-forms-mapping.json"), mappingName: "google-forms-mapping.json", now: importTime)
        #expect(summary.tally == SaveTally(accepted: 298, duplicates: 0, conflicts: 0, rejected: 110))
        #expect(summary.rejected.allSatisfy { $0.problems.count == 1 && $0.problems[0].reason.contains("no question was rated") })

        let quarters = (2021...2023).flatMap { y in (1...4).map { Quarter(year: y, number: $0) } }
        let counts = try await store.counts(for: quarters)
        let perQuarter = counts.mapValues { $0.values.reduce(0) { $0 + $1.responses } }
        #expect(perQuarter == [
            Quarter(year: 2021, number: 4): 161, Quarter(year: 2022, number: 1): 38, Quarter(year: 2022, number: 2): 5,
            Quarter(year: 2022, number: 3): 20, Quarter(year: 2022, number: 4): 7, Quarter(year: 2023, number: 1): 50,
            Quarter(year: 2023, number: 2): 14, Quarter(year: 2023, number: 3): 1, Quarter(year: 2023, number: 4): 2,
        ])
        var all = Counts()
        for group in counts.values.flatMap(\.values) { all.add(group) }
        #expect(all.scores[0] == [0, 0, 0, 0, 0])
        #expect(zip(zip(all.scores[1], all.scores[2]), all.scores[3]).map { $0.0 + $0.1 + $1 } == [1, 6, 42, 114, 255])

        // The first row, by hand: 2021/12/21 8:47:17 PM EST is 2021-12-22T01:47:17Z.
        let first = try #require(try await store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM response ORDER BY submittedAt, rowid LIMIT 1")
        })
        let response = try #require(try await store.response(id: first))
        #expect(response.submittedAt == instant("2021-12-22T01:47:17Z"))
        #expect(response.ratings == [nil, 4, nil, nil])
        #expect(response.service == "Project")
        #expect(response.counter == "1")
        #expect(response.comment?.hasPrefix("The last section says \"Student outlines") == true)

        // Imported again: every row is a duplicate, nothing counted twice.
        let again = try await importer(store, batchSize: 100).importFile(
            at: file.path, mapping: try mapping("google-forms-mapping.json"), now: importTime)
        #expect(again.tally == SaveTally(accepted: 0, duplicates: 298, conflicts: 0, rejected: 110))
    }

    @Test func readsArabicScaleLabelsColumnNamesAndDayMonthDates() async throws {
        let csv = """
            رقم الاستبيان,المركز,القناة,التاريخ,الموظف,الوقت,الدقة,القناة - التقييم,الخدمة,الملاحظات
            101,C01,منصة,31/03/2026 23:30,راضي جداً,راضي,محايد,غير راضي جدا,إصدار بطاقة الهوية,"الموظف ممتاز، لكن الانتظار طويل"
            102,C01,جهاز ذاتي,01/04/2026 08:00,راضي جداً,,,,,
            103,C01,منصة,32/03/2026 10:00,راضي,راضي,راضي,راضي,,
            104,C01,منصة,01/04/2026 09:00,ممتاز,راضي,راضي,راضي,,

            """
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let summary = try await importer(store).importData(Data(csv.utf8), name: "legacy.csv", mapping: try mapping("arabic-labels-mapping.json"), now: importTime)
        #expect(summary.tally.accepted == 2)
        #expect(summary.rejected.map(\.line) == [4, 5])
        #expect(summary.rejected[0].problems[0].field == "submitted_at")
        #expect(summary.rejected[1].problems[0].field == "q1")
        let r101 = try #require(try await store.response(id: "101"))
        // «غير راضي جدا» without its tanween still reads as 1.
        #expect(r101.ratings == [5, 4, 3, 1])
        #expect(r101.channel == "counter")
        #expect(r101.submittedAt == instant("2026-03-31T23:30:00+03:00"))
        #expect(r101.comment == "الموظف ممتاز، لكن الانتظار طويل")
        #expect(try await store.response(id: "102")?.channel == "kiosk")
    }

    @Test func listsEveryProblemOfAMapping() {
        let json = """
            {"fields": {"centre": {"column": "a", "value": "b"}, "rating": {"column": "r"}, "q1": {"columns": []},
                        "q2": {"column": "x", "dateFormat": "yyyy"}},
             "ratingLabels": {"great": 7}, "delimiter": ";;", "timeZoneAbbreviations": {"EST": "five"}}
            """
        do {
            _ = try ImportMapping.load(Data(json.utf8), name: "m.json")
            Issue.record("the mapping has problems")
        } catch {
            guard case .badMapping(_, let problems) = error else {
                Issue.record("expected badMapping")
                return
            }
            let fields = problems.compactMap(\.field)
            for expected in ["fields.centre", "fields.rating", "fields.q1.columns", "fields.q2.dateFormat", "ratingLabels",
                             "delimiter", "timeZoneAbbreviations.EST"] {
                #expect(fields.contains(expected), "\(expected) in \(problems)")
            }
            #expect(problems.contains { $0.reason.contains("channel") })
            #expect(problems.contains { $0.reason.contains("submitted_at") })
        }
    }

    @Test func saysWhichMappedColumnsTheFileLacks() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        do {
            _ = try await importer(store).importData(Data("Timestamp,Other\n".utf8), name: "f.csv",
                                                     mapping: try mapping("google-forms-mapping.json"), now: importTime)
            Issue.record("the file lacks the mapped columns")
        } catch let error as ImportError {
            #expect(error.description.contains("How satisfied are you with the homework key?"))
        }
    }
}
