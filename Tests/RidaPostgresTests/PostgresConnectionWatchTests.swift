import Foundation
import PostgresNIO
@testable import RidaPostgres
import RidaStore
import RidaTesting
import Testing

/// An operation on a pooled connection learns that its connection closed through one callback on the connection, not
/// one per operation: a connection that lives for days under load would otherwise gather millions of them.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresConnectionWatchTests {
    @Test func manyOperationsOnAPoolOfFourPutOneCallbackOnEachConnection() async throws {
        let database = try await PostgresTestDatabase.create(maximumConnections: 4)
        defer { database.remove() }
        let store = database.store
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var total = 0
                    for _ in 0..<50 { total += try await store.responseCount() }
                    return total
                }
            }
            for try await total in group { #expect(total == 0) }
        }
        let counts = store.watches.counts
        #expect(counts.waiting == 0, "every finished operation stopped watching")
        #expect(counts.registrations >= 1 && counts.registrations <= 4,
                "400 operations on at most 4 connections: one callback per connection, not per operation (\(counts.registrations))")
    }

    /// A connection closed under an operation ends it with the store's sentence, at once; an operation waiting on a
    /// connection closed already ends too (its callback runs at once).
    @Test func aConnectionClosedUnderAnOperationEndsIt() async throws {
        let location = try PostgresTestDatabase.serverLocation()
        let connection = try await PostgresStore.connect(location)
        let watches = ConnectionWatches()
        let started = ContinuousClock.now
        let ended = Task {
            try await PostgresStore.untilClosed(connection, location: location, watches: watches) {
                try await Task.sleep(for: .seconds(30))  // an answer that never comes
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        try await connection.close()
        await #expect(throws: StoreError.self) { try await ended.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        await #expect(throws: StoreError.self) {
            try await PostgresStore.untilClosed(connection, location: location, watches: watches) {
                try await Task.sleep(for: .seconds(30))  // a query written to a closed connection: no answer
            }
        }
        #expect(watches.counts.waiting == 0)
    }

    @Test func aPasswordIsHiddenEvenWhenItHoldsAnAtSignOrASlash() {
        #expect(PostgresURLError.withoutPassword("postgres://rida:p@ss@db.example:5432/rida") == "postgres://rida:…@db.example:5432/rida")
        #expect(PostgresURLError.withoutPassword("postgres://rida:a/b@db.example/rida") == "postgres://rida:…@db.example/rida")
        #expect(PostgresURLError.withoutPassword("postgres://rida@db.example/rida") == "postgres://rida@db.example/rida")
        #expect(PostgresURLError.withoutPassword("rida.sqlite") == "rida.sqlite")
    }
}

/// `rida serve --read-db` waits for a standby that is away, but stops at once on a URL the server refuses.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresRefusedURLTests {
    @Test func noSuchDatabaseIsARefusalAndAClosedPortIsAway() async throws {
        let server = try PostgresTestDatabase.serverLocation()
        let missing = server.with(database: "rida_no_such_database")
        let refusal = await #expect(throws: StoreError.self) { try await PostgresStore.open(missing, readOnly: true) }
        #expect(refusal.map(PostgresStore.refusedTheURL) == true, "\(String(describing: refusal))")
        let away = await #expect(throws: StoreError.self) {
            try await PostgresStore.open(url: "postgres://rida@127.0.0.1:1/rida", readOnly: true)
        }
        #expect(away.map(PostgresStore.refusedTheURL) == false, "\(String(describing: away))")
    }
}
