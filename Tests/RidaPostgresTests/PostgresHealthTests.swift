import Foundation
import PostgresNIO
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// `StoreHealth` on PostgreSQL: `ping()` answers within its deadline when the server is away (so `/health` and the
/// requests answer 503 at once), `unwritableReason` tells a read-only server, and `check` recounts the rollups and
/// re-checks the saved reports' SHA-256 and the migrations' triggers. Needs a server: RIDA_TEST_POSTGRES.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresHealthTests: Sendable {
    let received = instant("2026-02-01T12:00:00+03:00")

    /// Runs `sql` on the test server's own database (not the one under test).
    func maintain(_ sql: String) async throws {
        let connection = try await PostgresStore.connect(try PostgresTestDatabase.serverLocation())
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresStore.quietLogger)
    }

    @Test func aPingAnswersWithinItsDeadlineWhenTheDatabaseIsAway() async throws {
        let database = try await PostgresTestDatabase.create()
        let name = database.location.database
        defer {
            let maintain = self.maintain
            Task {
                try? await maintain("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
                database.remove()
            }
        }
        try await database.store.ping()
        try await maintain("ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
        try await maintain("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        let clock = ContinuousClock()
        let start = clock.now
        let failure = await #expect(throws: StoreError.self) { try await database.store.ping() }
        #expect(clock.now - start < .seconds(4), "the pool retries for about a minute; a ping must not wait for it")
        #expect(failure?.kind == .unavailable)
    }

    @Test func aDeadlineEndsTheWaitAndCancelsTheWork() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        let failure = await #expect(throws: StoreError.self) {
            try await database.store.withDeadline(.milliseconds(300)) { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(clock.now - start < .seconds(3))
        #expect(failure?.description.hasSuffix("cannot be used: the server did not answer within 0.3 seconds.") == true, "\(failure?.description ?? "")")
        #expect(try await database.store.withDeadline(.seconds(2)) { 7 } == 7)
    }

    @Test func aReadOnlyServerIsUnwritableAndSaysWhy() async throws {
        let database = try await PostgresTestDatabase.create()
        let name = database.location.database
        defer { database.remove() }
        #expect(await database.store.unwritableReason(minimumFreeBytes: 0) == nil)
        try await maintain("ALTER DATABASE \(name) SET default_transaction_read_only = on")
        // The pool's sessions began before: closed, so the ones it opens again are read-only, as on a standby.
        try await maintain("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        let store = database.store
        var reason: String?
        for _ in 0..<40 where reason == nil {
            reason = await store.unwritableReason(minimumFreeBytes: 0)
            if reason == nil { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(reason == "The database \(database.location) takes no writes: its sessions are read-only (default_transaction_read_only is on).")
        // A write that fails for it is what the store says next, until a write succeeds.
        await #expect(throws: StoreError.self) { _ = try await store.save([response("a")], receivedAt: received) }
        let failed = await store.unwritableReason(minimumFreeBytes: 0)
        #expect(failed?.contains("read-only transaction (SQLSTATE 25006)") == true, "\(failed ?? "nil")")
        try await maintain("ALTER DATABASE \(name) RESET default_transaction_read_only")
    }

    @Test func theChecksRecountTheRollupsAndRecheckReportsAndGuards() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let store = database.store
        _ = try await store.save([response("a", service: "renewal", counter: "3", comment: "fast"), response("b", [2, 3, nil, 1])],
                                 receivedAt: received)
        let q1 = Quarter(year: 2026, number: 1)
        _ = try await store.saveReport(scope: "C01", quarter: q1, by: "Q", at: received, content: ReportContent(
            json: "{}", sha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", engineVersion: "t"))
        #expect(try await store.check(.full) == [])
        #expect(try await store.check(.quick) == [])

        try await store.transaction { connection in
            try await connection.query("UPDATE rollup SET q1s5 = q1s5 + 1", logger: store.logger)
            try await connection.query("DELETE FROM comment", logger: store.logger)
            try await connection.query("ALTER TABLE savedReport DISABLE TRIGGER savedReport_is_guarded", logger: store.logger)
            try await connection.query("UPDATE savedReport SET content = '{\"x\":1}'", logger: store.logger)
        }
        #expect(try await store.check(.quick).map(\.description) == [
            "schema: the trigger savedreport_is_guarded that Rida's migrations made is missing or disabled: what it guards can now be changed or deleted behind Rida's back",
            "reports: report #1 (draft, C01, 2026-Q1): its stored content does not match its SHA-256",
        ])
        #expect(try await store.check(.full).map(\.description).suffix(2) == [
            "rollups: the quarterly rollup 2026-Q1 C01 counter counts its 2 responses' scores otherwise than the responses stored do",
            "rollups: 1 responses' comments are missing from the reports' comments",
        ])
    }
}
