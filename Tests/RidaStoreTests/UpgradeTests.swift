import Foundation
import GRDB
import RidaAggregation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Safe upgrades (issue 9, point 4): a database written by the first released schema, committed once as a fixture
/// and never regenerated (Tests/RidaStoreTests/Fixtures/README.md says what it holds), opened by today's code.
@Suite struct UpgradeTests {
    static let fixture = repositoryRoot().appendingPathComponent("Tests/RidaStoreTests/Fixtures/first-release.sqlite3")

    /// A copy of the fixture in a fresh folder: the committed file is never opened for writing.
    func copyOfFixture() throws -> TemporaryDatabase {
        let database = try TemporaryDatabase()
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: database.path)
        return database
    }

    /// The rows a frozen report is made of, read without Rida's code.
    func frozenReports(_ path: String) throws -> [[String]] {
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, scope, quarter, status, publishedAt, content, contentSha256, engineVersion, page, pageSha256
                FROM savedReport ORDER BY id
                """).map { row in (0..<10).map { (row[$0] as DatabaseValue).description } }
        }
    }

    @Test func keepsEveryFigureAndFrozenReportOfTheFirstReleasedSchema() async throws {
        let database = try copyOfFixture()
        defer { database.remove() }
        let reportsBefore = try frozenReports(database.path)
        #expect(reportsBefore.count == 1 && reportsBefore[0][3] == "\"published\"")

        let store = try SQLiteStore(path: database.path, configuration: StoreConfiguration(durability: .normal), create: false)
        let upgrade = try #require(store.upgrade, "opening it upgrades it")
        #expect(upgrade.from == "reports-v1")
        // Every migration after the first release's three, in order (later ones are appended, so only the first is named).
        #expect(upgrade.applied.first == "http-v1" && upgrade.applied.contains("assessment-v2"))
        #expect(upgrade.keptAt == database.path + ".before-http-v1")
        #expect(upgrade.description.contains("in one transaction") && upgrade.description.contains(".before-http-v1"))

        // The copy kept beside it is the database as it was: the first release's schema, its 8 responses.
        let kept = try DatabaseQueue(path: database.path + ".before-http-v1")
        try await kept.read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") == ["v1-responses", "assessment-v1", "reports-v1"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM response") == 8)
            #expect(try !db.tableExists("dayRollup"))
        }
        try kept.close()
        #expect(permissions(database.path + ".before-http-v1") == 0o600)

        // Every figure: 2025-Q4, C01's counter: f1 5,5,5,5; f2 4,4,4,4; f3 3,3,3,3; f4 5,4,–,2: 4 responses,
        // 15 ratings summing 20 + 16 + 12 + 11 = 59, mean 59/15; ratings of 4 or 5: 4 + 4 + 0 + 2 = 10.
        let q4 = try await store.quarterlyReport(ReportScope(quarter: Quarter(year: 2025, number: 4)), policy: ThresholdPolicy(), channels: .standard)
        func group(_ centre: String, _ channel: String) -> Figures? {
            q4.groups.first { $0.centre == centre && $0.channel == channel }
        }
        let counter = try #require(group("C01", "counter"))
        #expect(counter.responses == 4 && counter.ratings == 15)
        #expect(abs((counter.mean ?? 0) - 59.0 / 15) < 1e-12)
        #expect(abs((counter.share4 ?? 0) - 10.0 / 15) < 1e-12)
        // C01's kiosk: f5 2,2,2,2 and f6 5,5,5,5: 8 ratings, mean 28/8 = 3.5. C02's counter: f7 4,5,4,5, mean 4.5.
        #expect(group("C01", "kiosk")?.responses == 2 && group("C01", "kiosk")?.mean == 3.5)
        #expect(group("C02", "counter")?.mean == 4.5)
        #expect(q4.groups.reduce(0) { $0 + $1.responses } == 7)
        // 2026-Q1: f8 alone, 1,1,1,1 at 00:10 on 1 January in Bahrain (21:10 UTC the day before).
        let q1 = try await store.quarterlyReport(ReportScope(quarter: Quarter(year: 2026, number: 1)), policy: ThresholdPolicy(), channels: .standard)
        #expect(q1.groups.map(\.responses) == [1] && q1.groups.first?.mean == 1)
        #expect(try await store.response(id: "f3")?.comment == "Waited, \"an hour\"")
        #expect(try await store.response(id: "f1")?.comment == "خدمة ممتازة")

        // Every frozen report: the same bytes and hashes, still published, still verified.
        #expect(try frozenReports(database.path) == reportsBefore)
        // And the whole file checks out: rollups recounted (the day rollups rebuilt by the window rule), hashes,
        // histories, the guards the later migrations added.
        let problems = try await store.check(.full)
        #expect(problems == [], "\(problems)")

        // Opened again, it is current: no second upgrade, no second copy.
        try store.close()
        let again = try SQLiteStore(path: database.path, create: false)
        #expect(again.upgrade == nil)
        try again.close()
        let folder = try FileManager.default.contentsOfDirectory(atPath: database.folder.path)
        #expect(folder.filter { $0.contains(".before-") } == ["rida.sqlite.before-http-v1"])
    }

    /// The pending migrations run in one transaction: when one fails, none is applied, and the copy is there.
    @Test func anUpgradeThatFailsChangesNothing() async throws {
        let database = try copyOfFixture()
        defer { database.remove() }
        // A table in the way of http-v1's: the first pending migration fails, so the upgrade must leave nothing done.
        let queue = try DatabaseQueue(path: database.path)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE dayRollup (x)") }
        try queue.close()
        #expect(throws: StoreError.self) {
            _ = try SQLiteStore(path: database.path, create: false)
        }
        let after = try DatabaseQueue(path: database.path)
        try await after.read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") == ["v1-responses", "assessment-v1", "reports-v1"])
            #expect(try !db.tableExists("apiKey"), "http-v1's first table was rolled back with the rest")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM response") == 8)
        }
        try after.close()
        #expect(FileManager.default.fileExists(atPath: database.path + ".before-http-v1"))
    }
}
