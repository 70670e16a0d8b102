import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// `CommittedCentres` on PostgreSQL: a commit through one instance is announced to every instance listening, only once
/// committed (`pg_notify` inside the transaction); an announcement too long to name its centres says "all".
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"), .timeLimit(.minutes(1)))
struct PostgresChangesTests {
    let received = instant("2026-02-01T12:00:00+03:00")

    @Test func aCommitThroughOneInstanceReachesTheOtherWithinTwoSeconds() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        var changes = other.committedCentres().makeAsyncIterator()
        // The listener connects in the background: a first commit is repeated until the listener hears one.
        let first = Task {
            for i in 0..<40 {
                _ = try await database.store.save([response("warm-\(i)", centre: "C09")], receivedAt: received)
                try await Task.sleep(for: .milliseconds(100))
                if Task.isCancelled { return }
            }
        }
        #expect(await changes.next() == .centres(["C09"]))
        first.cancel()
        _ = try? await first.value
        // Drain what the warm-up announced, then one batch of two centres is one announcement naming both.
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        _ = try await database.store.save([response("a", centre: "C02"), response("b", centre: "C01"), response("c", centre: "C02")],
                                          receivedAt: received)
        var heard: CentresChanged?
        while let change = await changes.next() {
            if change != .centres(["C09"]) { heard = change; break }
        }
        #expect(heard == .centres(["C01", "C02"]))
        #expect(ContinuousClock.now - started < .seconds(2))
        // A duplicate stores nothing and announces nothing: the next announcement is the next commit's.
        _ = try await database.store.save([response("a", centre: "C02")], receivedAt: received)
        _ = try await database.store.save([response("d", centre: "C03")], receivedAt: received)
        #expect(await changes.next() == .centres(["C03"]))
        await other.close()
    }

    @Test func anAnnouncementTooLongForPostgreSQLSaysAll() {
        let few: Set<String> = ["C01", "مركز-2"]
        #expect(PostgresStore.changes(in: PostgresStore.payload(for: few)) == .centres(few))
        let many = Set((0..<2_000).map { "CENTRE-\($0)" })
        #expect(PostgresStore.payload(for: many) == "*")
        #expect(PostgresStore.changes(in: "*") == .all)
        #expect(PostgresStore.changes(in: "not json") == .all)
    }
}
