import Foundation
import RidaPostgres
import RidaStore
import RidaTesting
import Testing

/// `--db postgres://…` (or `RIDA_DB`): the reading commands give the same answer from a PostgreSQL database as from a
/// SQLite file holding the same responses; the writing ones (import, centres, keys) work the same on both; the few that
/// copy or repair a file (backup, restore, db repair-rollups, demo) say they work on a SQLite file.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresEndToEndTests {
    @Test func theReportFromPostgreSQLIsTheSameAsFromSQLite() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let sqlite = try temp.open()
        // C01's counter in 2026-Q1: three responses rated 5555, 4444 and 3 on q1 only: 9 ratings, 5·4 + 4·4 + 3 = 39.
        let responses = [response("p1", [5, 5, 5, 5]), response("p2", [4, 4, 4, 4]), response("p3", [3, nil, nil, nil], comment: "طويل")]
        let received = instant("2026-02-02T09:00:00+03:00")
        _ = try await database.store.save(responses, receivedAt: received)
        _ = try await sqlite.save(responses, receivedAt: received)
        try sqlite.close()
        let url = database.location.description
        let arguments = ["report", "--quarter", "2026-Q1", "--centre", "C01", "--format", "csv"]
        let fromPostgres = try runRida(arguments + ["--db", url], in: temp.folder)
        let fromSQLite = try runRida(arguments + ["--db", temp.path], in: temp.folder)
        #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
        #expect(fromSQLite.status == 0, "\(fromSQLite.stderr)")
        #expect(fromPostgres.stdout == fromSQLite.stdout)
        #expect(fromPostgres.stdout.contains(",3,") && fromPostgres.stdout.contains("4.33"), "\(fromPostgres.stdout)")  // 3 responses, 39 / 9
        // RIDA_DB names it as well.
        let fromEnvironment = try runRida(arguments, in: temp.folder, environment: ["RIDA_DB": url])
        #expect(fromEnvironment.stdout == fromSQLite.stdout)

        let imports = try runRida(["imports", "--db", url], in: temp.folder)
        #expect(imports.status == 0 && imports.stdout == "No imports recorded in \(url).\n", "\(imports.stderr)")
        let repair = try runRida(["db", "repair-rollups", "--db", url], in: temp.folder)
        #expect(repair.status != 0)
        #expect(repair.stderr.contains("this command works on a SQLite database file"), "\(repair.stderr)")
    }

    @Test func importCentresAndKeysWorkOnPostgreSQLAsOnSQLite() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let url = database.location.description
        let csv = EndToEndTests.csv
        let file = temp.folder.appendingPathComponent("responses.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: file))
        for db in [url, temp.path] {
            let imported = try runRida(["import", file, "--quiet", "--db", db], in: temp.folder)
            #expect(imported.status == 1 && imported.stdout.contains("5 accepted, 0 duplicate, 0 conflict, 1 rejected"), "\(db): \(imported.stdout)")
            let again = try runRida(["import", file, "--quiet", "--db", db], in: temp.folder)
            #expect(again.stdout.contains("0 accepted"), "\(db): \(again.stdout)")
            let centre = try runRida(["centres", "add", "C01", "--entity", "E01", "--ar", "مركز المحرق", "--db", db], in: temp.folder)
            #expect(centre.status == 0, "\(db): \(centre.stderr)")
            let key = try runRida(["keys", "create", "--role", "submitter", "--centre", "C01", "--label", "Kiosk 1", "--db", db],
                                  in: temp.folder)
            #expect(key.status == 0, "\(db): \(key.stderr)")
        }
        let arguments = ["report", "--quarter", "2026-Q1", "--format", "csv"]
        let fromPostgres = try runRida(arguments + ["--db", url], in: temp.folder)
        let fromSQLite = try runRida(arguments + ["--db", temp.path], in: temp.folder)
        #expect(fromPostgres.status == 0 && !fromPostgres.stdout.isEmpty, "\(fromPostgres.stderr)")
        #expect(fromPostgres.stdout == fromSQLite.stdout)
        let centres = try runRida(["centres", "list", "--db", url], in: temp.folder)
        #expect(centres.stdout.contains("مركز المحرق"), "\(centres.stdout)")
        let keys = try runRida(["keys", "list", "--db", url], in: temp.folder)
        #expect(keys.stdout.contains("Kiosk 1") && keys.stdout.contains("submitter"), "\(keys.stdout)")
        let check = try runRida(["db", "check", "--db", url], in: temp.folder)
        #expect(check.status == 0 && check.stdout.contains("is sound"), "\(check.stdout)\(check.stderr)")
    }

    /// `--read-db` (or `RIDA_READ_DB`): the reading commands read the standby, opened read-only; the others keep to
    /// `--db`. The two databases hold different responses, so the figures say which was read.
    @Test func theReadingCommandsReadTheReadDatabase() async throws {
        let primary = try await PostgresTestDatabase.create()
        defer { primary.remove() }
        let standby = try await PostgresTestDatabase.create()
        defer { standby.remove() }
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let received = instant("2026-02-02T09:00:00+03:00")
        // The primary: one response, all 5s. The "standby": two, 4444 and 2222, 8 ratings, mean (16 + 8) / 8 = 3.
        _ = try await primary.store.save([response("p1", [5, 5, 5, 5])], receivedAt: received)
        _ = try await standby.store.save([response("s1", [4, 4, 4, 4]), response("s2", [2, 2, 2, 2])], receivedAt: received)
        let (a, b) = (primary.location.description, standby.location.description)
        for command in [["centres", "add", "C01", "--kind", "headquarters", "--channels", "counter", "--db", b],
                        ["assess", "open", "--framework", "1", "--centre", "C01", "--cycle", "2026", "--by", "Evaluator", "--db", b]] {
            let made = try runRida(command, in: temp.folder)
            try #require(made.status == 0, "\(made.stderr)")
        }
        try standby.makeReadOnly()
        let report = ["report", "--quarter", "2026-Q1", "--format", "json", "--db", a]
        func figures(_ result: CommandResult) throws -> (responses: Int, mean: Double) {
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let group = try #require((object?["groups"] as? [[String: Any]])?.first, "\(result.stdout)\(result.stderr)")
            return (try #require(group["responses"] as? Int), try #require(group["mean"] as? Double))
        }
        #expect(try figures(runRida(report, in: temp.folder)) == (1, 5))
        #expect(try figures(runRida(report + ["--read-db", b], in: temp.folder)) == (2, 3))
        #expect(try figures(runRida(report, in: temp.folder, environment: ["RIDA_READ_DB": b])) == (2, 3))
        let assessments = try runRida(["assess", "list", "--db", a, "--read-db", b], in: temp.folder)
        #expect(assessments.status == 0 && assessments.stdout.contains("C01"), "\(assessments.stdout)\(assessments.stderr)")
        // A writing command keeps to --db, whatever RIDA_READ_DB says.
        let key = try runRida(["keys", "create", "--role", "quality", "--label", "Q", "--db", a], in: temp.folder,
                              environment: ["RIDA_READ_DB": b])
        #expect(key.status == 0, "\(key.stderr)")
        #expect(try await primary.store.keys().count == 1)
        // The standby as --db: refused, it takes no writes; a SQLite file as --read-db: refused, it has no standby.
        let asPrimary = try runRida(report.dropLast(2) + ["--db", b], in: temp.folder)
        #expect(asPrimary.stderr == "rida: The database \(b) takes no writes (it is a standby, or its sessions are read-only): give the primary's URL as the database, and this one as the read database.\n")
        let file = try runRida(report + ["--read-db", temp.path], in: temp.folder)
        #expect(file.status != 0 && file.stderr.contains("must be a PostgreSQL standby's postgres:// URL"), "\(file.stderr)")
        // A SQLite file as --db with RIDA_READ_DB left in the environment: refused, never read from the standby.
        let sqlite = try runRida(["report", "--quarter", "2026-Q1", "--db", temp.path], in: temp.folder, environment: ["RIDA_READ_DB": b])
        #expect(sqlite.status != 0 && sqlite.stderr.contains("is a standby of a PostgreSQL database, and --db names"), "\(sqlite.stderr)")
    }

    @Test func anUnreachableServerOrABadURLIsSaidOnce() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let down = try runRida(["report", "--quarter", "2026-Q1", "--db", "postgres://rida:secret@127.0.0.1:1/rida"], in: temp.folder)
        #expect(down.status != 0)
        #expect(down.stderr.hasPrefix("rida: The database postgres://rida@127.0.0.1:1/rida cannot be used: "), "\(down.stderr)")
        #expect(!down.stderr.contains("secret"))
        let bad = try runRida(["report", "--quarter", "2026-Q1", "--db", "postgres://127.0.0.1/rida"], in: temp.folder)
        #expect(bad.stderr == "rida: The database URL postgres://127.0.0.1/rida cannot be used: it names no user (postgres://user@host:5432/database).\n")
    }
}
