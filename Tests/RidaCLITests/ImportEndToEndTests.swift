import Foundation
import RidaTesting
import Testing

/// `rida import` and `rida mapping draft` as a new user meets them with another tool's export.
@Suite struct ImportEndToEndTests {
    static func fixture(_ path: String) -> String {
        repositoryRoot().appendingPathComponent("Tests/RidaImportTests/Fixtures/\(path)").path
    }

    /// A mapping with a misspelt key is refused before anything is read: exit 2, no database, no rejects file.
    @Test func aMisspeltMappingKeyLeavesNothingBehind() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let mapping = try db.file("m.json", """
            {"fields": {"centre": {"value": "C01"}, "channel": {"value": "website"}, "submitted_at": {"column": "When"},
             "q1": {"column": "Q"}}, "ratingLabel": {"Good": 4}}
            """)
        let rejects = db.folder.appendingPathComponent("rejects.csv").path
        let result = try runRida(["import", "--db", db.path, "--mapping", mapping, "--rejects", rejects, try db.file("f.csv", "When,Q\n2026-01-01 10:00,Good\n")])
        #expect(result.status == 2)
        #expect(result.stderr == "rida: The mapping \(mapping) is not usable: ratingLabel: unknown key; did you mean ratingLabels?.\n")
        #expect(!FileManager.default.fileExists(atPath: db.path))
        #expect(!FileManager.default.fileExists(atPath: rejects))
    }

    /// A file refused whole is listed by `rida imports` with its SHA-256 and why; no empty rejects file is written.
    @Test func aRefusedFileIsRecordedAndWritesNoRejects() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let mapping = try db.file("m.json", """
            {"fields": {"centre": {"value": "C01"}, "channel": {"value": "website"}, "submitted_at": {"column": "When"},
             "q1": {"column": "Other"}}}
            """)
        let file = try db.file("export.csv", "When,Other,Other\n2026-01-01 10:00,5,4\n")
        let rejects = db.folder.appendingPathComponent("rejects.csv").path
        let result = try runRida(["import", "--db", db.path, "--mapping", mapping, "--rejects", rejects, file])
        #expect(result.status == 2)
        let sentence = "The header of \(file) repeats column names the mapping reads without saying which: "
            + "fields.q1 reads \"Other\" (2 columns of that name): add \"occurrence\" to each of these rules "
            + "(1 for the first column of that name, 2 for the second)."
        #expect(result.stderr == "rida: \(sentence)\n")
        #expect(result.stdout.contains("No rows rejected; \(rejects) was not written."))
        #expect(!FileManager.default.fileExists(atPath: rejects))
        let imports = try runRida(["imports", "--db", db.path])
        #expect(imports.status == 0)
        // sha256sum of "When,Other,Other\n2026-01-01 10:00,5,4\n".
        #expect(imports.stdout.contains("export.csv"))
        #expect(imports.stdout.contains("refused"))
        #expect(imports.stdout.contains("#1 refused: \(sentence)"))
    }

    /// With centres in the registry, an unknown one is rejected unless --register-centres.
    @Test func knownCentresAndRegisterCentres() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        #expect(try runRida(["centres", "add", "C01", "--db", db.path]).status == 0)
        let file = try db.file("r.csv", "id,centre,channel,submitted_at,q1,q2,q3,q4\na,C0l,kiosk,2026-01-10T09:00:00+03:00,5,,,\n")
        let strict = try runRida(["import", "--db", db.path, file])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("line 2, centre: C0l: unknown centre; did you mean C01?"))
        let open = try runRida(["import", "--db", db.path, "--register-centres", file])
        #expect(open.status == 0, "\(open.stdout)")
        #expect(open.stdout.contains("1 accepted"))
    }

    /// The Qualtrics fixture: the draft recognises the tool, skips its two extra rows, reads its zone, and finds the
    /// four agree/disagree items (the first rating-like columns in file order); a check stores nothing.
    @Test func draftsAMappingAndChecksWithIt() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let draftPath = db.folder.appendingPathComponent("draft.json").path
        let qualtrics = Self.fixture("qualtrics/faculty-hiring-conjoint-excerpt.csv")
        let drafted = try runRida(["mapping", "draft", qualtrics, "--output", draftPath])
        #expect(drafted.status == 0, "\(drafted.stderr)")
        #expect(drafted.stderr.contains("a Qualtrics export"))
        let draft = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: draftPath))) as? [String: Any])
        #expect(draft["skipRows"] as? Int == 2)
        #expect(draft["timeZone"] as? String == "America/New_York")
        let fields = try #require(draft["fields"] as? [String: [String: Any]])
        #expect(fields["submitted_at"]?["column"] as? String == "RecordedDate")
        #expect(fields["submitted_at"]?["dateFormat"] as? String == "M/d/yy H:mm")
        #expect(fields["id"]?["column"] as? String == "ResponseId")
        #expect(fields["q1"]?["column"] as? String == "Q3.27_1")
        #expect(fields["q4"]?["column"] as? String == "Q3.27_4")
        #expect((draft["description"] as? String)?.contains("TODO: centre") == true)
        let check = try runRida(["import", "--db", db.path, "--mapping", draftPath, "--check", qualtrics])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("100 valid, 0 rejected; nothing stored (--check)."))
        #expect(!FileManager.default.fileExists(atPath: db.path))
    }
}
