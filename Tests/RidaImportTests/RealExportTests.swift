import Foundation
import Logging
import RidaAggregation
@testable import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Real exports that nobody here wrote (Tests/RidaImportTests/Fixtures/*/SOURCE.txt says where each comes from),
/// imported as they are through the example mappings in docs/examples. Every expected figure was counted
/// independently with Python's csv module; the script is in each test's comment.
@Suite struct RealExportTests {
    static func fixture(_ path: String) -> String {
        repositoryRoot().appendingPathComponent("Tests/RidaImportTests/Fixtures/\(path)").path
    }

    static func mapping(_ name: String) throws -> ImportMapping {
        let url = repositoryRoot().appendingPathComponent("docs/examples/\(name)")
        return try ImportMapping.load(try Data(contentsOf: url), name: name)
    }

    /// Responses per quarter, and per question the count of each score (score 1 first), over every group.
    static func figures(_ store: SQLiteStore, _ quarters: [Quarter]) async throws -> ([Quarter: Int], [[Int]]) {
        let counts = try await store.counts(for: quarters)
        var all = Counts()
        for group in counts.values.flatMap(\.values) { all.add(group) }
        return (counts.mapValues { $0.values.reduce(0) { $0 + $1.responses } }.filter { $0.value > 0 }, all.scores)
    }

    /// Typeform (freeCodeCamp 2016, the 2,658 responses submitted on 31 March and 1 April 2016 UTC).
    /// The header repeats "Other" four times and "None" twice: the mapping reads the first "Other" by occurrence.
    /// Python: rows = list(csv.DictReader(f)); rated = [r for r in rows if r[REC] != ""] → 136 (98 "1", 38 "0");
    /// quarter of Submit Date (UTC) + 3 h → 2016-Q1 94, 2016-Q2 42. Read as Bahrain time instead (no timeZone),
    /// the same rows split 109 / 27: 15 responses submitted between 21:00 and 24:00 UTC on 31 March land in the
    /// wrong quarter. The first rated row: ca651eb8794b1839735fd80f21837b54, 2016-03-31 00:20:07 UTC, "0".
    @Test func importsATypeformExportWithItsRepeatedHeaderNamesAndUTCDates() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let file = Self.fixture("typeform/2016-new-coders-survey-part-1-excerpt.csv")
        let summary = try await importer(store, batchSize: 500).importFile(
            at: file, mapping: try Self.mapping("typeform-mapping.json"), mappingName: "typeform-mapping.json", now: importTime)
        #expect(summary.tally == SaveTally(accepted: 136, duplicates: 0, conflicts: 0, rejected: 2522))
        #expect(summary.rejected.allSatisfy { $0.problems.map(\.reason) == ["no question was rated: a response rates at least one of q1 to q4"] })
        let (quarters, scores) = try await Self.figures(store, [Quarter(year: 2016, number: 1), Quarter(year: 2016, number: 2)])
        #expect(quarters == [Quarter(year: 2016, number: 1): 94, Quarter(year: 2016, number: 2): 42])
        #expect(scores[0] == [38, 0, 0, 0, 98])
        let first = try #require(try await store.response(id: "ca651eb8794b1839735fd80f21837b54"))
        #expect(first.submittedAt == instant("2016-03-31T00:20:07Z"))
        #expect(first.ratings == [1, nil, nil, nil])
        #expect(first.service?.contains("Front-End Web Developer") == true)

        // Without the mapping's zone the dates would be Bahrain time: 15 responses in the wrong quarter.
        let other = try TemporaryDatabase()
        defer { other.remove() }
        let local = try other.open()
        var noZone = try Self.mapping("typeform-mapping.json")
        noZone.timeZone = nil
        _ = try await importer(local, batchSize: 500).importFile(at: file, mapping: noZone, now: importTime)
        let (misplaced, _) = try await Self.figures(local, [Quarter(year: 2016, number: 1), Quarter(year: 2016, number: 2)])
        #expect(misplaced == [Quarter(year: 2016, number: 1): 109, Quarter(year: 2016, number: 2): 27])
    }

    /// The same export read by a mapping that names "Other" and "None" without an occurrence: refused before anything
    /// is read, with both rules in one sentence.
    @Test func refusesEveryAmbiguousRuleOfATypeformMappingAtOnce() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        var mapping = try Self.mapping("typeform-mapping.json")
        mapping.fields["comment"] = FieldRule(column: "Other")
        mapping.fields["counter"] = FieldRule(column: "None")
        let file = Self.fixture("typeform/2016-new-coders-survey-part-1-excerpt.csv")
        await #expect(throws: ImportError.self) {
            _ = try await importer(store).importFile(at: file, mapping: mapping, now: importTime)
        }
        do {
            _ = try await importer(store).importFile(at: file, mapping: mapping, now: importTime)
        } catch let error as ImportError {
            #expect(error.description == "The header of \(file) repeats column names the mapping reads without saying which: "
                + "fields.counter reads \"None\" (2 columns of that name); fields.comment reads \"Other\" (4 columns of that name): "
                + "add \"occurrence\" to each of these rules (1 for the first column of that name, 2 for the second).")
        }
        #expect(try await store.responseCount() == 0)
    }

    /// Qualtrics (a conjoint survey, the first 100 responses): three header rows, dates in America/New_York (EST in
    /// January, UTC−5), agree/disagree labels. Python: rows = list(csv.reader(f))[3:] → 100, each answers at least one
    /// of Q3.27_1..4; scores (1 = Disagree strongly … 5 = Agree strongly): Q3.27_1 [6, 11, 8, 31, 44],
    /// Q3.27_2 [40, 37, 7, 11, 5], Q3.27_3 [4, 3, 5, 33, 55], Q3.27_4 [6, 9, 12, 38, 35]; all recorded on 1/6/18, so
    /// 2018-Q1. R_XyQ1FoRBT8YBBwR: recorded 1/6/18 9:11 EST = 14:11 UTC; Agree strongly, Disagree strongly, Agree
    /// strongly, Agree strongly.
    @Test func importsAQualtricsExportSkippingItsExtraHeaderRows() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let summary = try await importer(store, batchSize: 40).importFile(
            at: Self.fixture("qualtrics/faculty-hiring-conjoint-excerpt.csv"), mapping: try Self.mapping("qualtrics-mapping.json"),
            now: importTime)
        #expect(summary.tally == SaveTally(accepted: 100, duplicates: 0, conflicts: 0, rejected: 0))
        let (quarters, scores) = try await Self.figures(store, [Quarter(year: 2018, number: 1)])
        #expect(quarters == [Quarter(year: 2018, number: 1): 100])
        #expect(scores == [[6, 11, 8, 31, 44], [40, 37, 7, 11, 5], [4, 3, 5, 33, 55], [6, 9, 12, 38, 35]])
        let first = try #require(try await store.response(id: "R_XyQ1FoRBT8YBBwR"))
        #expect(first.submittedAt == instant("2018-01-06T14:11:00Z"))
        #expect(first.ratings == [5, 1, 5, 5])
    }

    /// LimeSurvey (65 responses, 40 of them incomplete). Python: rows = [r for r in list(csv.reader(f))[1:] if r];
    /// submitdate empty in 40 rows (23 of which rated none of the four items) → 25 stored, all "1980-01-01 00:00:00"
    /// (LimeSurvey's date for anonymised responses) in America/Halifax, UTC−4 → 04:00 UTC, 1980-Q1. The 9-point
    /// labels folded 1-2→1, 3-4→2, 5→3, 6-7→4, 8-9→5: q1 [10, 2, 1, 8, 4], q2 [2, 2, 2, 10, 9], q3 [3, 7, 3, 6, 6],
    /// q4 [7, 6, 3, 7, 2]. Response 8: "4. Slightly disagree", "9. Completely agree", "4. Slightly disagree",
    /// "1. Completely disagree" → 2, 5, 2, 1.
    /// By default (`survey.earliestDate` 2015-01-01) the anonymised date 1980-01-01 is refused on every one of the 65 rows,
    /// with the sentence that names the setting; with the setting off (null), the 25 complete rows are stored.
    @Test func importsALimeSurveyExportInItsServersZone() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let file = Self.fixture("limesurvey/results-survey945827-202004302207.csv")
        let refused = try await importer(store, batchSize: 10).importFile(at: file, mapping: try Self.mapping("limesurvey-mapping.json"), now: importTime)
        #expect(refused.tally == SaveTally(accepted: 0, duplicates: 0, conflicts: 0, rejected: 65))
        #expect(refused.rejected.filter { $0.problems.contains { $0.field == "submitted_at" && $0.reason.contains("survey.earliestDate") } }.count == 25)
        var anyDate = ResponseValidator()
        anyDate.earliestDate = nil
        let summary = try await Importer(store: store, validator: anyDate, batchSize: 10, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            .importFile(at: file, mapping: try Self.mapping("limesurvey-mapping.json"), now: importTime)
        #expect(summary.tally == SaveTally(accepted: 25, duplicates: 0, conflicts: 0, rejected: 40))
        #expect(summary.rejected.allSatisfy { $0.problems.contains { $0.field == "submitted_at" && $0.reason == "is missing" } })
        #expect(summary.rejected.filter { $0.problems.count == 2 }.count == 23)
        let (quarters, scores) = try await Self.figures(store, [Quarter(year: 1979, number: 4), Quarter(year: 1980, number: 1)])
        #expect(quarters == [Quarter(year: 1980, number: 1): 25])
        #expect(scores == [[10, 2, 1, 8, 4], [2, 2, 2, 10, 9], [3, 7, 3, 6, 6], [7, 6, 3, 7, 2]])
        let eight = try #require(try await store.response(id: "8"))
        #expect(eight.submittedAt == instant("1980-01-01T04:00:00Z"))
        #expect(eight.ratings == [2, 5, 2, 1])
    }
}
