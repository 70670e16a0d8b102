import Foundation
import PostgresNIO
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// `PostgresStore.open(_:readOnly: true)`, what `--read-db` opens on a streaming standby: it migrates nothing, reads
/// what the primary wrote, refuses every write, and refuses a database whose schema is not this version's. A real
/// standby is the cluster demo's (scripts/cluster-demo); here a database whose sessions are read-only
/// (`default_transaction_read_only`) stands for one, as a hot standby's are. Needs a server: RIDA_TEST_POSTGRES.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresReadOnlyTests: Sendable {
    let received = instant("2026-02-01T12:00:00+03:00")

    /// Runs `sql` on the test server's own database (not the one under test).
    func maintain(_ sql: String) async throws {
        let connection = try await PostgresStore.connect(try PostgresTestDatabase.serverLocation())
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresStore.quietLogger)
    }

    /// Makes `database`'s new sessions read-only and ends the ones open, as on a standby.
    func makeReadOnly(_ database: PostgresLocation) async throws {
        try await maintain("ALTER DATABASE \(database.database) SET default_transaction_read_only = on")
        try await maintain("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database.database)'")
    }

    @Test func aReadOnlyStoreReadsWhatThePrimaryWroteAndRefusesWrites() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        // C01's counter in 2026-Q1: 5554 and 3 on q1 only: 2 responses, 5 ratings.
        _ = try await database.store.save([response("r1", [5, 5, 5, 4]), response("r2", [3, nil, nil, nil])], receivedAt: received)
        try await database.store.saveCentre(Centre(id: "C01", entity: nil, kind: .headquarters, channels: ["counter"]), at: received)
        try await database.store.openAssessment(
            Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: received, openedBy: "Evaluator"))
        try await makeReadOnly(database.location)

        let reader = try await PostgresStore.open(database.location, readOnly: true, leaseDeadline: PostgresTestDatabase.leaseDeadline)
        defer { Task { await reader.close() } }
        #expect(reader.readOnly)
        #expect(try await reader.responseCount() == 2)
        let counts = try await reader.quarterCounts(centre: "C01", quarter: Quarter(year: 2026, number: 1))
        #expect(counts["counter"]?.responses == 2 && counts["counter"]?.ratings == 5 && counts["counter"]?.scoreSum == 22)
        #expect(try await reader.assessments().map(\.unit) == ["C01"])

        // Refused by the store itself, before the server: nothing stored, the sentence says where writes go.
        let refused = await #expect(throws: ReadOnlyDatabaseError.self) {
            _ = try await reader.save([response("r3")], receivedAt: received)
        }
        #expect(refused == .writeRefused(location: database.location.description))
        #expect(refused?.description == "The database \(database.location) is opened for reading only: writes go to the primary.")
        #expect(refused?.kind == .unavailable)
        await #expect(throws: ReadOnlyDatabaseError.self) {
            _ = try await reader.createKey(APIKeySecret.generate(), label: "K", role: .quality, centre: nil, channels: nil, at: received)
        }
        #expect(try await reader.responseCount() == 2)

        // The same database as the primary (--db) is refused: it takes no writes.
        let primary = await #expect(throws: ReadOnlyDatabaseError.self) {
            _ = try await PostgresStore.open(database.location)
        }
        #expect(primary == .notPrimary(location: database.location.description))
        try await maintain("ALTER DATABASE \(database.location.database) RESET default_transaction_read_only")
    }

    @Test func aDatabaseWithoutRidasSchemaIsRefusedWithASentence() async throws {
        let server = try PostgresTestDatabase.serverLocation()
        let location = server.with(database: "rida_t_empty_" + UUID().uuidString.prefix(8).lowercased())
        try await PostgresStore.createDatabase(location, from: server.database)
        defer { Task { try? await PostgresStore.dropDatabase(location, from: server.database) } }
        let failure = await #expect(throws: ReadOnlyDatabaseError.self) {
            _ = try await PostgresStore.open(location, readOnly: true)
        }
        #expect(failure?.description == "The read database \(location) is not a Rida database (it has no rida_migrations table): check the read database's URL, or wait until the standby has replayed the primary's.")
        #expect(failure?.code == "database_not_rida")
        // Opened without connecting (the service, when the standby is away as it starts): the first read makes the check.
        let later = try await PostgresStore.open(location, readOnly: true, checkingLater: true,
                                                 leaseDeadline: PostgresTestDatabase.leaseDeadline)
        let first = await #expect(throws: ReadOnlyDatabaseError.self) { _ = try await later.responseCount() }
        #expect(first == failure)
        await later.close()
        // Opening read-only changed nothing: still no rida_migrations.
        let connection = try await PostgresStore.connect(location)
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query("SELECT to_regclass('rida_migrations') IS NULL", logger: PostgresStore.quietLogger)
        #expect(try await rows.decode(Bool.self).first { _ in true } == true)
    }

    @Test func aStandbyBehindOrAheadOfThisVersionIsRefused() async throws {
        let server = try PostgresTestDatabase.serverLocation()
        let location = server.with(database: "rida_t_behind_" + UUID().uuidString.prefix(8).lowercased())
        try await PostgresStore.createDatabase(location, from: server.database)
        defer { Task { try? await PostgresStore.dropDatabase(location, from: server.database) } }
        let connection = try await PostgresStore.connect(location)
        defer { Task { try? await connection.close() } }
        // Migrated by an older Rida: version 1 only.
        let first = try #require(PostgresMigrations.all.first)
        _ = try await PostgresMigrations.migrate(on: connection, location: location, logger: PostgresStore.quietLogger, migrations: [first])
        let behind = await #expect(throws: ReadOnlyDatabaseError.self) {
            _ = try await PostgresStore.open(location, readOnly: true)
        }
        let missing = PostgresMigrations.all.dropFirst().map { "\($0.version) \($0.name)" }
        #expect(missing == ["2 assessment-v1", "3 misuse-v1", "4 cases-v1", "5 invitations-v1", "6 served-v1", "7 signs-v1", "8 widgets-v1"])
        #expect(behind == .behind(location: location.description, missing: missing))
        #expect(behind?.description == "The read database \(location) lacks migrations this version of Rida needs (2 assessment-v1, 3 misuse-v1, 4 cases-v1, 5 invitations-v1, 6 served-v1, 7 signs-v1, 8 widgets-v1): start this version on the primary first, which migrates it, and let the standby replay it.")

        // Migrated by a newer Rida: a version this one does not know.
        _ = try await PostgresMigrations.migrate(on: connection, location: location, logger: PostgresStore.quietLogger)
        try await connection.query("INSERT INTO rida_migrations (version, name, sha256) VALUES (99, 'later-v1', 'x')", logger: PostgresStore.quietLogger)
        let ahead = await #expect(throws: StoreError.self) {
            _ = try await PostgresStore.open(location, readOnly: true)
        }
        #expect(ahead == .newerVersion(path: location.description, unknownMigrations: ["99 later-v1"]))
    }
}
