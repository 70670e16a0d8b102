import Foundation
import RidaTesting
import Testing

/// The built `rida`, run as a user runs it, on real files.
@Suite struct EndToEndTests {
    static let csv = """
        id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment
        k1,C01,kiosk,2026-01-05T09:00:00+03:00,5,5,4,4,تجديد جواز السفر,K1,"ممتاز، شكراً"
        k2,C01,kiosk,2026-02-05T09:00:00+03:00,4,4,4,,Passport,K1,
        k3,C01,kiosk,2026-03-31T23:59:00+03:00,2,3,1,2,,,"slow, ""very"" slow"
        k4,C01,kiosk,2026-04-01T00:00:00+03:00,5,5,5,5,,,
        c1,C01,counter,2026-01-06T10:00:00+03:00,3,3,3,3,,2,
        bad,C01,counter,2026-01-06T10:00:00+03:00,9,3,3,3,,2,

        """

    @Test func importsACSVFileAndReportsItsFiguresAsJSON() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let file = try db.file("responses.csv", Self.csv)
        let rejects = db.folder.appendingPathComponent("rejects.csv").path

        let imported = try runRida(["import", "--db", db.path, file, "--rejects", rejects])
        #expect(imported.status == 1, "a rejected row makes the exit status 1")
        #expect(imported.stdout.contains("5 accepted, 0 duplicate, 0 conflict, 1 rejected"))
        #expect(imported.stdout.contains("line 7, q1: \"9\" is not a rating"))
        let rejectedBytes = try Data(contentsOf: URL(fileURLWithPath: rejects))
        #expect(rejectedBytes.starts(with: [0xEF, 0xBB, 0xBF]), "a UTF-8 BOM for spreadsheet programs")
        let rejected = String(decoding: rejectedBytes.dropFirst(3), as: UTF8.self)
        #expect(rejected.hasPrefix("id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment,rida_file,rida_line,rida_problems"))
        #expect(rejected.contains("bad,C01,counter,2026-01-06T10:00:00+03:00,9,3,3,3,,2,,"))

        let report = try runRida(["report", "--db", db.path, "--quarter", "2026-Q1", "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(json["quarter"] as? String == "2026-Q1")
        #expect(json["timeZone"] as? String == "Asia/Bahrain")
        #expect(json["reading"] as? String == "ratings")
        #expect(json["minimumResponses"] as? Int == 30)
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.map { $0["channel"] as? String } == ["counter", "kiosk"])

        // The kiosk in Q1, by hand: k1 (5,5,4,4), k2 (4,4,4,-), k3 (2,3,1,2); k4 is in Q2.
        // Ratings 11, sum 18 + 12 + 8 = 38; ≥3: 4 + 3 + 1 = 8; ≥4: 4 + 3 + 0 = 7.
        let kiosk = groups[1]
        #expect(kiosk["centre"] as? String == "C01")
        #expect(kiosk["quarter"] as? String == "2026-Q1")
        #expect(kiosk["responses"] as? Int == 3)
        #expect(kiosk["ratings"] as? Int == 11)
        #expect(close(kiosk["mean"], 38.0 / 11.0))
        #expect(close(kiosk["share3"], 8.0 / 11.0))
        #expect(close(kiosk["share4"], 7.0 / 11.0))
        // Numbers are written unrounded, in the shortest form that reads back exactly.
        #expect(report.stdout.contains("\"share3\" : \(8.0 / 11.0)"))
        #expect(report.stdout.contains("\"share4\" : \(7.0 / 11.0)"))
        let questions = try #require(kiosk["questions"] as? [String: [String: Any]])
        #expect(questions["q1"]?["counts"] as? [Int] == [0, 1, 0, 1, 1])
        #expect(questions["q4"]?["answers"] as? Int == 2)
        #expect(questions["q4"]?["mean"] as? Double == 3.0)
        let thresholds = try #require(kiosk["thresholds"] as? [String: Any])
        #expect(thresholds["atLeast3In80Percent"] as? Bool == false)  // 5·8 = 40 < 44
        #expect(thresholds["meanAtLeast4"] as? Bool == false)
        #expect(kiosk["sufficient"] as? Bool == false)
        #expect(kiosk["change"] is NSNull)
        let interval = try #require(kiosk["share3Interval"] as? [String: Double])
        #expect(interval["low"]! < 8.0 / 11.0 && 8.0 / 11.0 < interval["high"]!)

        // The centre's roll-up: 4 responses, 15 ratings, sum 38 + 12 = 50.
        let centres = try #require(json["centres"] as? [[String: Any]])
        #expect(centres.count == 1)
        #expect(centres[0]["channel"] is NSNull)
        #expect(centres[0]["responses"] as? Int == 4)
        #expect(close(centres[0]["mean"], 50.0 / 15.0))

        // Q2 holds k4, and its change against Q1 is 20/4 − 38/11.
        let q2 = try runRida(["report", "--db", db.path, "--quarter", "2026-Q2", "--format", "json", "--channel", "kiosk"])
        let q2json = try #require(try JSONSerialization.jsonObject(with: Data(q2.stdout.utf8)) as? [String: Any])
        let change = try #require((q2json["groups"] as? [[String: Any]])?.first?["change"] as? [String: Any])
        #expect(change["previousQuarter"] as? String == "2026-Q1")
        #expect(close(change["mean"], 5.0 - 38.0 / 11.0))
    }

    @Test func printsTextAndCSVReportsWithArabicIntact() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let file = try db.file("responses.csv", Self.csv)
        _ = try runRida(["import", "--db", db.path, file])
        let text = try runRida(["report", "--db", db.path, "--quarter", "2026-q1"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Quarterly satisfaction report 2026-Q1"))
        #expect(text.stdout.contains("C01     kiosk"))
        let csv = try runRida(["report", "--db", db.path, "--quarter", "2026-Q1", "--format", "csv"])
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("\u{FEFF}quarter,centre,channel,responses,ratings,mean"))
        #expect(lines.count == 4)  // header, two groups, and the empty string after the last CRLF
        #expect(lines[2].hasPrefix("2026-Q1,C01,kiosk,3,11,"))
        let survey = try runRida(["survey", "show", "appendix-3", "--lang", "ar"])
        #expect(survey.stdout.contains("كفاءة الموظف وأسلوب تعامله وقدرته على الإجابة على الاستفسارات"))
        #expect(survey.stdout.contains("5 = راضي جداً"))
    }

    @Test func importingTheSameFileTwiceCountsNothingTwice() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let file = try db.file("responses.csv", Self.csv)
        _ = try runRida(["import", "--db", db.path, file])
        let again = try runRida(["import", "--db", db.path, file])
        #expect(again.stdout.contains("0 accepted, 5 duplicate, 0 conflict, 1 rejected"))
        let imports = try runRida(["imports", "--db", db.path])
        #expect(imports.stdout.components(separatedBy: "responses.csv").count == 3)
    }

    @Test func checkingAFileStoresNothing() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let file = try db.file("responses.csv", Self.csv)
        let check = try runRida(["import", "--check", "--db", db.path, file])
        #expect(check.status == 1)
        #expect(check.stdout.contains("5 valid, 1 rejected; nothing stored (--check)"))
        #expect(check.stdout.contains("line 7, q1:"))
        #expect(!FileManager.default.fileExists(atPath: db.path), "a check creates no database")
    }

    @Test func theDemoBuildsADatabaseAndPrintsItsLatestReport() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let demo = try runRida(["demo", "--db", db.path, "--format", "json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let start = try #require(demo.stdout.firstIndex(of: "{"))
        let end = try #require(demo.stdout.lastIndex(of: "}"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout[start...end].utf8)) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        let channels = Set(groups.compactMap { $0["channel"] as? String })
        #expect(channels == ["counter", "kiosk", "call_centre", "website", "mobile_app", "chat", "email", "social"])
        let below = groups.filter { (($0["thresholds"] as? [String: Any])?["atLeast4In80Percent"] as? Bool) == false }
        #expect(!below.isEmpty, "some channels are below the thresholds")
        // Eight quarters of data.
        let quarters = try runRida(["report", "--db", db.path, "--quarter", "2024-Q4", "--format", "json"])
        #expect(quarters.stdout.contains("\"responses\""))
        // Rebuilding the demo replaces it; a non-demo database is refused.
        #expect(try runRida(["demo", "--db", db.path]).status == 0)
        let other = try TemporaryDatabase()
        defer { other.remove() }
        _ = try runRida(["import", "--db", other.path, try other.file("r.csv", Self.csv)])
        let refused = try runRida(["demo", "--db", other.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is not a Rida demo database"))
    }
}

/// Foundation's JSON reader on Linux may be one unit in the last place off; the exact text is checked separately.
func close(_ value: Any?, _ expected: Double) -> Bool {
    guard let number = value as? Double else { return false }
    return abs(number - expected) <= 1e-12
}

/// Every failure a user can cause gets one sentence and a non-zero exit: never a stack trace.
@Suite struct CommandErrorTests {
    func expectOneSentence(_ result: CommandResult, containing text: String) {
        #expect(result.status != 0)
        #expect(result.stderr.contains(text), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(!result.stderr.contains("Stack dump"))
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").count <= 2, "\(result.stderr)")
    }

    @Test func aMissingDatabase() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        expectOneSentence(try runRida(["report", "--db", db.path, "--quarter", "2026-Q1"]), containing: "There is no Rida database at")
        #expect(!FileManager.default.fileExists(atPath: db.path), "reading never creates a database")
    }

    @Test func aCorruptDatabase() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let path = try db.file("broken.sqlite", String(repeating: "not sqlite ", count: 100))
        expectOneSentence(try runRida(["report", "--db", path, "--quarter", "2026-Q1"]), containing: "is not a Rida database")
        expectOneSentence(try runRida(["import", "--db", path, try db.file("r.csv", EndToEndTests.csv)]), containing: "is not a Rida database")
    }

    @Test func aFileThatIsNotCSVOrNotUTF8OrHasAWrongHeader() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let binary = db.folder.appendingPathComponent("photo.csv")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x0D, 0x0A]).write(to: binary)
        expectOneSentence(try runRida(["import", "--db", db.path, binary.path]), containing: "is not a text file")
        let latin = db.folder.appendingPathComponent("latin.csv")
        try (Data("id,centre,channel,submitted_at,q1,q2,q3,q4\n1,C01,counter,2026-01-01T00:00:00Z,5,5,5,5,".utf8) + Data([0xE9, 0x0A])).write(to: latin)
        expectOneSentence(try runRida(["import", "--db", db.path, latin.path]), containing: "is not UTF-8 text")
        let header = try db.file("header.csv", "name,rating\nA,5\n")
        let result = try runRida(["import", "--db", db.path, header])
        expectOneSentence(result, containing: "lacks the columns centre, channel, submitted_at, q1, q2, q3, q4")
        #expect(result.status == 2)
        expectOneSentence(try runRida(["import", "--db", db.path, db.folder.appendingPathComponent("nowhere.csv").path]),
                          containing: "there is no such file")
    }

    @Test func aDatabaseFromANewerVersion() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        _ = try runRida(["import", "--db", db.path, try db.file("r.csv", EndToEndTests.csv)])
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [db.path, "INSERT INTO grdb_migrations VALUES ('v9-from-the-future')"]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0)
        expectOneSentence(try runRida(["report", "--db", db.path, "--quarter", "2026-Q1"]), containing: "was written by a newer version of Rida")
    }

    @Test func anUnknownQuarterSpelling() throws {
        let result = try runRida(["report", "--quarter", "Q5 2026"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("is not a quarter; write it as YEAR-Qn, for example 2026-Q1"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func aBadMappingOrConfiguration() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let mapping = try db.file("m.json", "{\"fields\": {\"centre\": {\"value\": \"C01\"}}}")
        expectOneSentence(try runRida(["import", "--db", db.path, "--mapping", mapping, try db.file("r.csv", EndToEndTests.csv)]),
                          containing: "says nothing of channel")
        let config = try db.file("c.json", "{\"thresholds.reading\": \"votes\", \"http.colour\": 1}")
        expectOneSentence(try runRida(["report", "--db", db.path, "--config", config]), containing: "thresholds.reading must be")
    }
}
