import Foundation
import RidaPostgres
import RidaStore
import RidaTesting
import Testing

/// `rida db copy`, the built binary: a database moved to PostgreSQL and back gives the same reports; a
/// destination that holds data is refused; a copy that does not verify stores nothing.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct CopyEndToEndTests {
    @Test func aDatabaseMovesToPostgreSQLAndBackWithTheSameReports() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        func rida(_ arguments: [String], db: String) throws -> CommandResult {
            try runRida(arguments + ["--db", db], in: temp.folder, environment: ["RIDA_EVALUATOR": "Quality team"])
        }
        // Five responses (Arabic comment and service), a centre, a key, a published report with an action.
        let csv = try temp.file("r.csv", EndToEndTests.csv)
        #expect(try rida(["import", csv, "--quiet"], db: temp.path).status == 1)  // 5 accepted, 1 rejected
        #expect(try rida(["centres", "add", "C01", "--entity", "E01", "--ar", "مركز المحرق"], db: temp.path).status == 0)
        #expect(try rida(["keys", "create", "--role", "submitter", "--centre", "C01", "--label", "كشك المحرق"], db: temp.path).status == 0)
        #expect(try rida(["report", "save", "--quarter", "2026-Q1", "--scope", "C01"], db: temp.path).status == 0)
        #expect(try rida(["report", "decide", "1", "--who", "رئيس المركز", "--what", "فتح منصة إضافية"], db: temp.path).status == 0)
        #expect(try rida(["report", "submit", "1"], db: temp.path).status == 0)
        #expect(try rida(["report", "publish", "1"], db: temp.path).status == 0)
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let url = database.location.description

        let there = try runRida(["db", "copy", "--from", temp.path, "--to", url], in: temp.folder)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stderr.contains("copying response: 5 rows"), "\(there.stderr)")
        #expect(there.stdout.contains("response                 5 rows, verified"), "\(there.stdout)")
        #expect(there.stdout.contains("apiKey                   1 row, verified"), "\(there.stdout)")
        #expect(there.stdout.contains("Copied \(temp.path) into \(url): "), "\(there.stdout)")
        #expect(there.stdout.contains("1 published report checked against its SHA-256"), "\(there.stdout)")

        let report = ["report", "--quarter", "2026-Q1", "--format", "csv"]
        let fromSQLite = try rida(report, db: temp.path)
        #expect(fromSQLite.status == 0 && !fromSQLite.stdout.isEmpty, "\(fromSQLite.stderr)")
        #expect(try rida(report, db: url).stdout == fromSQLite.stdout)
        #expect(try rida(["keys", "list"], db: url).stdout.contains("كشك المحرق"))
        let verify = try rida(["report", "verify", "1"], db: url)
        #expect(verify.status == 0 && verify.stdout.contains("byte for byte the published page"), "\(verify.stdout)\(verify.stderr)")

        // Copying again into the same database is refused, and says what to do.
        let again = try runRida(["db", "copy", "--from", temp.path, "--to", url], in: temp.folder)
        #expect(again.status == 2)
        #expect(again.stderr.contains("holds data already") && again.stderr.contains("createdb"), "\(again.stderr)")

        let back = temp.folder.appendingPathComponent("back.sqlite").path
        let home = try runRida(["db", "copy", "--from", url, "--to", back], in: temp.folder)
        #expect(home.status == 0, "\(home.stderr)")
        #expect(home.stdout.contains("Copied \(url) into \(back): "), "\(home.stdout)")
        #expect(try rida(report, db: back).stdout == fromSQLite.stdout)
        #expect(try rida(["report", "verify", "1"], db: back).stdout == verify.stdout)
        let check = try rida(["db", "check"], db: back)
        #expect(check.status == 0 && check.stdout.contains("is sound"), "\(check.stdout)\(check.stderr)")
    }

    @Test func aCopyThatDoesNotVerifyStoresNothing() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let url = database.location.description
        let csv = try temp.file("r.csv", EndToEndTests.csv)
        #expect(try runRida(["import", csv, "--quiet", "--db", url], in: temp.folder).status == 1)  // 5 accepted, 1 rejected
        // A rollup changed behind Rida's back: the copy's recount on the destination disagrees with it.
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        psql.arguments = ["psql", "-q", url, "-c", "UPDATE rollup SET q1s5 = q1s5 + 1"]
        psql.standardOutput = FileHandle.nullDevice
        try psql.run()
        psql.waitUntilExit()
        #expect(psql.terminationStatus == 0)

        let target = temp.folder.appendingPathComponent("copy.sqlite").path
        let copy = try runRida(["db", "copy", "--from", url, "--to", target], in: temp.folder)
        #expect(copy.status == 2)
        #expect(copy.stderr.contains("did not verify, so nothing of it was stored"), "\(copy.stderr)")
        #expect(copy.stderr.contains("rollups: the quarterly rollup"), "\(copy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "the file the copy made is removed")

        // Into PostgreSQL: the transaction is rolled back, the database holds nothing.
        let other = try await PostgresTestDatabase.create()
        defer { other.remove() }
        let refused = try runRida(["db", "copy", "--from", url, "--to", other.location.description], in: temp.folder)
        #expect(refused.status == 2 && refused.stderr.contains("did not verify"), "\(refused.stderr)")
        #expect(try await other.store.responseCount() == 0)
        #expect(try await other.store.imports().isEmpty)
    }
}
