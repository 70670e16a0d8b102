import Foundation
import RidaAggregation
import RidaAssessment
@testable import RidaImport
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// The mapping's additions (timeZone, skipRows, occurrence, missing), the refusals of a mapping or a file, and the
/// trace a refused file leaves. Each refusal's sentence is checked whole.
@Suite struct MappingAdditionsTests {
    func load(_ json: String) throws(ImportError) -> ImportMapping {
        try ImportMapping.load(Data(json.utf8), name: "m.json")
    }

    func refusal(_ json: String) -> String? {
        do {
            _ = try load(json)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func refusesEveryUnknownKeyWithItsPathAndTheClosestKnownKey() {
        let text = refusal("""
            {"fields": {"centre": {"value": "C01"}, "channel": {"value": "kiosk"},
                        "submitted_at": {"column": "When", "dateFromat": "dd/MM/yyyy"}, "q1": {"column": "Q", "ocurrence": 2}},
             "ratingLabel": {"Good": 4}, "timezone": "UTC", "zzz": 1}
            """)
        #expect(text == "The mapping m.json is not usable: ratingLabel: unknown key; did you mean ratingLabels?; "
            + "timezone: unknown key; did you mean timeZone?; zzz: unknown key; the keys here are description, format, delimiter, "
            + "fields, ratingLabels, timeZoneAbbreviations, timeZone, skipRows, missing, sheet; "
            + "fields.q1.ocurrence: unknown key; did you mean occurrence?; fields.submitted_at.dateFromat: unknown key; did you mean dateFormat?.")
    }

    @Test func refusesABadZoneSkipCountOccurrenceOrMissingOutsideRatings() {
        let text = refusal("""
            {"fields": {"centre": {"value": "C01", "missing": ["x"]}, "channel": {"value": "kiosk"},
                        "submitted_at": {"column": "When"}, "q1": {"columns": ["A", "B"], "occurrence": 2}, "q2": {"column": "C", "occurrence": 0}},
             "timeZone": "Mars/Olympus", "skipRows": -1}
            """)
        #expect(text == "The mapping m.json is not usable: fields.centre.missing: only ratings (q1 to q4) can be missing; "
            + "fields.q1.occurrence: goes with \"column\": it says which of several columns of that name to read; "
            + "fields.q2.occurrence: counts from 1 (the first column of that name), not 0; "
            + "timeZone: \"Mars/Olympus\" is neither a time zone name (UTC, America/Denver, Asia/Bahrain) nor an offset such as +03:00; "
            + "skipRows: must be 0 or more, not -1.")
    }

    /// Two rows after the header that are not data; dates in +05:00 (09:00 there is 04:00 UTC) and in America/Denver
    /// (summer, UTC−6: 2025-07-01 18:00 there is 2025-07-02 00:00 UTC, 03:00 in Bahrain); an ISO date with its own offset
    /// keeps it; the second "Score" column is read; "I don't know" and "0" skip the question but keep the row.
    @Test func readsZonesSkipsRowsChoosesOccurrencesAndSkipsMissingRatings() async throws {
        let csv = """
            Id,When,Score,Score,Other
            ,question texts,How was it?,How long did it take?,
            ,{"ImportId":"x"},,,
            r1,2025-03-31 23:30,5,4,
            r2,2025-06-30T23:30:00+03:00,I don't know,2,
            r3,2025-03-31 23:30,3,0,
            r4,2025-03-31 23:30,I don't know,0,

            """
        let mapping = try load("""
            {"skipRows": 2, "timeZone": "+05:00", "missing": ["I don't know"],
             "fields": {"id": {"column": "Id"}, "centre": {"value": "C01"}, "channel": {"value": "website"},
                        "submitted_at": {"column": "When"}, "q1": {"column": "Score", "occurrence": 1},
                        "q2": {"column": "Score", "occurrence": 2, "missing": ["0"]}}}
            """)
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let summary = try await importer(store).importData(Data(csv.utf8), name: "x.csv", mapping: mapping, now: importTime)
        #expect(summary.tally == SaveTally(accepted: 3, duplicates: 0, conflicts: 0, rejected: 1))
        #expect(summary.rejected.map(\.line) == [7])
        #expect(summary.rejected.first?.problems.map(\.reason) == ["no question was rated: a response rates at least one of q1 to q4"])
        let r1 = try #require(try await store.response(id: "r1"))
        #expect(r1.submittedAt == instant("2025-03-31T18:30:00Z"))
        #expect(r1.ratings == [5, 4, nil, nil])
        #expect(try await store.response(id: "r2")?.submittedAt == instant("2025-06-30T20:30:00Z"))
        #expect(try await store.response(id: "r2")?.ratings == [nil, 2, nil, nil])
        #expect(try await store.response(id: "r3")?.ratings == [3, nil, nil, nil])

        let denver = try load("""
            {"timeZone": "America/Denver", "fields": {"centre": {"value": "C01"}, "channel": {"value": "website"},
             "submitted_at": {"column": "When", "dateFormat": "M/d/yyyy H:mm"}, "q1": {"column": "Q"}}}
            """)
        let summer = try await importer(store).importData(Data("When,Q\n7/1/2025 18:00,5\n".utf8), name: "d.csv", mapping: denver, now: importTime)
        #expect(summer.tally.accepted == 1)
        let counts = try await store.counts(for: [Quarter(year: 2025, number: 3)])
        #expect(counts[Quarter(year: 2025, number: 3)]?[GroupKey(centre: "C01", channel: "website")]?.responses == 1)
    }

    @Test func findsTheDelimiterAndSaysWhatItFoundWhenThereIsNone() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let semicolons = "id;centre;channel;submitted_at;q1;q2;q3;q4;comment\ns1;C01;counter;2026-01-10T09:00:00+03:00;5;4;;;Leisure, sport\n"
        #expect(try await importer(store).importData(Data(semicolons.utf8), name: "s.csv", now: importTime).tally.accepted == 1)
        let tabs = "id\tcentre\tchannel\tsubmitted_at\tq1\tq2\tq3\tq4\nt1\tC01\tkiosk\t2026-01-10T09:00:00+03:00\t3\t\t\t\n"
        #expect(try await importer(store).importData(Data(tabs.utf8), name: "t.csv", now: importTime).tally.accepted == 1)
        do {
            _ = try await importer(store).importData(Data("id|centre|channel\n1|C01|kiosk\n".utf8), name: "p.csv", now: importTime)
            Issue.record("a file with no delimiter Rida knows is refused")
        } catch let error as ImportError {
            #expect(error.description == "p.csv is not a CSV file Rida can read: its first line (\"id|centre|channel\") has no commas, "
                + "semicolons or tabs between column names; export the file as CSV with its header, or give the delimiter it uses "
                + "in a mapping (\"delimiter\": \"|\").")
        }
    }

    /// `yyyy-dd-MM` reads 2026-01-05 as 1 May (a swap) and cannot read 2026-01-20 at all; `yyyy-MM-dd HH:mm` reads both.
    /// The file is refused before anything is stored, and the refusal is recorded with the file's SHA-256.
    @Test func refusesADateFormatWithDayAndMonthSwappedAndRecordsTheRefusal() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let csv = "When,Q\n2026-01-05 10:00,5\n2026-01-20 10:00,4\n"
        let mapping = try load("""
            {"fields": {"centre": {"value": "C01"}, "channel": {"value": "website"},
             "submitted_at": {"column": "When", "dateFormat": "yyyy-dd-MM HH:mm"}, "q1": {"column": "Q"}}}
            """)
        do {
            _ = try await importer(store).importData(Data(csv.utf8), name: "dates.csv", mapping: mapping, mappingName: "m.json", now: importTime)
            Issue.record("the swapped format is refused")
        } catch let error as ImportError {
            #expect(error.description == "The dates of dates.csv do not fit the mapping's dateFormat \"yyyy-dd-MM HH:mm\" for submitted_at: "
                + "1 row read only with day and month swapped and 1 row not at all, while \"yyyy-MM-dd HH:mm\" reads every row: "
                + "set \"dateFormat\": \"yyyy-MM-dd HH:mm\"; nothing was stored.")
            #expect(try await store.responseCount() == 0)
            let record = try #require(try await store.imports().first)
            #expect(record.source == "dates.csv")
            #expect(record.status == "failed")
            #expect(record.mapping == "m.json")
            #expect(record.reason == error.description)
            #expect(record.sha256 == sha256Hex(Data(csv.utf8)))
            #expect(record.tally == SaveTally())
        }
        // A check records nothing.
        _ = try? await importer(store).importData(Data(csv.utf8), name: "dates.csv", mapping: mapping, now: importTime, checkOnly: true)
        #expect(try await store.imports().count == 1)
    }

    @Test func rejectsAResponseNamingAnUnknownCentreWithTheClosestRegisteredOne() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        try await store.saveCentre(Centre(id: "C01"), at: importTime)
        try await store.saveCentre(Centre(id: "R07"), at: importTime)
        var strict = importer(store)
        strict.knownCentres = Set(try await store.centres().map(\.id))
        let csv = "id,centre,channel,submitted_at,q1,q2,q3,q4\na,C01,kiosk,2026-01-10T09:00:00+03:00,5,,,\n"
            + "b,C0l,kiosk,2026-01-10T09:00:00+03:00,5,,,\nc,Z99,kiosk,2026-01-10T09:00:00+03:00,5,,,\n"
        let summary = try await strict.importData(Data(csv.utf8), name: "c.csv", now: importTime)
        #expect(summary.tally.accepted == 1)
        #expect(summary.rejected.map { $0.problems.map(\.description) } == [
            ["line 3, centre: C0l: unknown centre; did you mean C01? register it first (rida centres add C0l) or import with --register-centres"],
            ["line 4, centre: Z99: unknown centre; register it first (rida centres add Z99) or import with --register-centres"],
        ])
        #expect(try await store.centres().map(\.id) == ["C01", "R07"])
    }
}

/// `rida mapping draft`'s library side on real exports: what it recognises, what it leaves as TODO.
@Suite struct MappingDraftTests {
    static func draft(_ path: String) throws -> (MappingDraft, [String: Any]) {
        let url = repositoryRoot().appendingPathComponent("Tests/RidaImportTests/Fixtures/\(path)")
        let draft = try MappingDraft.draft(try Data(contentsOf: url), name: url.lastPathComponent)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(draft.json.utf8)) as? [String: Any])
        // The draft loads as a mapping as it is.
        _ = try ImportMapping.load(Data(draft.json.utf8), name: "draft.json")
        return (draft, json)
    }

    /// Typeform: UTC, ISO dates, no rating-like column (its 0/1 items are yes/no, its numbers hours and months), so a TODO.
    @Test func draftsATypeformMapping() throws {
        let (draft, json) = try Self.draft("typeform/2016-new-coders-survey-part-1-excerpt.csv")
        #expect(draft.tool == "Typeform")
        #expect(json["timeZone"] as? String == "UTC")
        let fields = try #require(json["fields"] as? [String: [String: Any]])
        #expect(fields["submitted_at"]?["column"] as? String == "Submit Date (UTC)")
        // "2016-03-31 00:20:07" is ISO 8601 already: no dateFormat needed.
        #expect(fields["submitted_at"]?["dateFormat"] == nil)
        #expect(fields["id"]?["column"] as? String == "#")
        #expect(fields["q1"]?["column"] as? String == "TODO: a rating column")
        #expect(draft.todo.contains { $0.hasPrefix("q1 to q4: no column looks like a 1–5 rating") })
    }

    /// LimeSurvey: no zone in the file (a TODO), ISO dates (no dateFormat), no known 5-point scale in its 9-point items.
    @Test func draftsALimeSurveyMapping() throws {
        let (draft, json) = try Self.draft("limesurvey/results-survey945827-202004302207.csv")
        #expect(draft.tool == "LimeSurvey")
        #expect(json["timeZone"] == nil)
        let fields = try #require(json["fields"] as? [String: [String: Any]])
        #expect(fields["submitted_at"]?["column"] as? String == "submitdate. Date submitted")
        #expect(fields["submitted_at"]?["dateFormat"] == nil)
        #expect(fields["id"]?["column"] as? String == "id. Response ID")
        #expect(draft.todo.contains { $0.hasPrefix("timeZone: LimeSurvey writes its server's time") })
    }

    /// The Google Forms export in ../shared/data: its "… PM EST" dates recognised with the abbreviation's offset and its
    /// three 1–5 items found; imported with the draft as it is, the same 298 of 408 rows are valid as through the
    /// hand-written example mapping (MappingTests).
    @Test func draftsAGoogleFormsMappingThatReadsAsTheHandWrittenOne() async throws {
        let file = repositoryRoot().appendingPathComponent("../shared/data/google-forms-export/assignment-survey-history.csv").standardized
        try #require(FileManager.default.fileExists(atPath: file.path), "the shared data folder sits beside the repository")
        let draft = try MappingDraft.draft(try Data(contentsOf: file), name: file.lastPathComponent)
        #expect(draft.tool == "Google Forms")
        let mapping = try ImportMapping.load(Data(draft.json.utf8), name: "draft.json")
        #expect(mapping.fields["submitted_at"]?.dateFormat == "yyyy/MM/dd h:mm:ss a zzz")
        #expect(mapping.timeZoneAbbreviations == ["EST": "-05:00"])
        #expect(mapping.fields["q3"]?.column == "How satisfied are you with the homework key?")
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let summary = try await importer(try db.open(), batchSize: 100).importFile(at: file.path, mapping: mapping, now: importTime, checkOnly: true)
        #expect(summary.tally.accepted == 298)
        #expect(summary.tally.rejected == 110)
    }

    /// The LibreOffice workbook: the guide's Arabic labels found on four columns, «لا أعرف» as missing.
    @Test func draftsAMappingForAWorkbookWithArabicLabels() throws {
        let (_, json) = try Self.draft("xlsx/kiosk-survey.xlsx")
        #expect(json["format"] as? String == "xlsx")
        let fields = try #require(json["fields"] as? [String: [String: Any]])
        #expect(fields["submitted_at"]?["column"] as? String == "التاريخ")
        #expect(["q1", "q2", "q3", "q4"].map { fields[$0]?["column"] as? String } == ["الموظف", "الوقت", "الدقة", "التقييم العام"])
        #expect(json["ratingLabels"] as? [String: Int] == ["غير راضي جداً": 1, "غير راضي": 2, "محايد": 3, "راضي": 4, "راضي جداً": 5])
        #expect(json["missing"] as? [String] == ["لا أعرف"])
    }
}

/// The tools' own headers, in the shapes their documentation shows (small files written here, not real exports).
@Suite struct MappingDraftToolTests {
    struct Case: Sendable, CustomStringConvertible {
        var tool: String
        var csv: String
        var date: String
        var format: String?
        var zone: String?
        var skip: Int?
        var description: String { tool }
    }

    static let cases = [
        Case(tool: "SurveyMonkey", csv: """
            Respondent ID,Collector ID,Start Date,End Date,How satisfied were you?
            ,,,,Response
            114,2001,06/10/2022 07:48:07 AM,06/10/2022 08:09:25 AM,Very satisfied
            115,2001,06/11/2022 09:00:00 AM,06/11/2022 09:05:00 AM,Dissatisfied

            """, date: "End Date", format: "MM/dd/yyyy hh:mm:ss a", zone: nil, skip: 1),
        Case(tool: "KoboToolbox", csv: """
            start;end;satisfaction;_id;_uuid;_submission_time
            2023-05-01T07:58:00.000+03:00;2023-05-01T08:00:00.000+03:00;4;1;a1;2023-05-01T05:00:03
            2023-05-02T07:58:00.000+03:00;2023-05-02T08:00:00.000+03:00;2;2;a2;2023-05-02T05:00:09

            """, date: "_submission_time", format: nil, zone: "UTC", skip: nil),
        Case(tool: "Microsoft Forms", csv: """
            ID,Start time,Completion time,Email,Name,Rate the service
            1,1/5/2024 10:15:20,1/5/2024 10:17:02,anonymous,,5
            2,1/6/2024 11:00:00,1/6/2024 11:01:40,anonymous,,3

            """, date: "Completion time", format: "M/d/yyyy H:mm:ss", zone: nil, skip: nil),
    ]

    @Test(arguments: cases) func recognisesTheTool(_ c: Case) throws {
        let draft = try MappingDraft.draft(Data(c.csv.utf8), name: "export.csv")
        #expect(draft.tool == c.tool)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(draft.json.utf8)) as? [String: Any])
        let fields = try #require(json["fields"] as? [String: [String: Any]])
        #expect(fields["submitted_at"]?["column"] as? String == c.date)
        #expect(fields["submitted_at"]?["dateFormat"] as? String == c.format)
        #expect(json["timeZone"] as? String == c.zone)
        #expect(json["skipRows"] as? Int == c.skip)
        #expect(fields["q1"]?["column"] != nil && fields["q1"]?["column"] as? String != "TODO: a rating column")
        _ = try ImportMapping.load(Data(draft.json.utf8), name: "draft.json")
    }
}
