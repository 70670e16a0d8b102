import Foundation
import PostgresNIO
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// What only PostgreSQL has to prove: migrating under a lock, refusing what it cannot use, committing durably, and
/// several instances writing one database at once. (What every store does runs in the suites over
/// `StoreKind.all`.) Needs a server: RIDA_TEST_POSTGRES, which ./test sets.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresStoreTests: Sendable {
    let received = instant("2026-02-01T12:00:00+03:00")

    /// A new database on the test server, not opened yet, and a way to drop it.
    func emptyDatabase() async throws -> PostgresLocation {
        let server = try PostgresTestDatabase.serverLocation()
        let location = server.with(database: "rida_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
        try await PostgresStore.createDatabase(location, from: server.database)
        return location
    }

    func drop(_ location: PostgresLocation) async {
        try? await PostgresStore.dropDatabase(location, from: try PostgresTestDatabase.serverLocation().database)
    }

    @Test func twoInstancesOpeningAtOnceMigrateOnce() async throws {
        let location = try await emptyDatabase()
        async let a = PostgresStore.open(location, leaseDeadline: PostgresTestDatabase.leaseDeadline)
        async let b = PostgresStore.open(location, leaseDeadline: PostgresTestDatabase.leaseDeadline)
        let (first, second) = try await (a, b)
        let applied = try await first.read { connection in
            var rows: [String] = []
            for try await (version, name, sha256) in try await connection.query(
                "SELECT version, name, sha256 FROM rida_migrations ORDER BY version", logger: first.logger).decode((Int32, String, String).self) {
                rows.append("\(version) \(name) \(sha256)")
            }
            return rows
        }
        #expect(applied == PostgresMigrations.all.map { "\($0.version) \($0.name) \($0.sha256)" })
        try await second.ping()
        await first.close()
        await second.close()
        await drop(location)
    }

    @Test func aDatabaseMigratedByANewerRidaOrWithAnEditedMigrationIsRefused() async throws {
        let location = try await emptyDatabase()
        let store = try await PostgresStore.open(location)
        try await store.transaction { connection in
            try await connection.query("INSERT INTO rida_migrations (version, name, sha256) VALUES (99, 'future', 'x')", logger: store.logger)
        }
        await #expect(throws: StoreError.newerVersion(path: location.description, unknownMigrations: ["99 future"])) {
            try await PostgresStore.open(location)
        }
        try await store.transaction { connection in
            try await connection.query("DELETE FROM rida_migrations WHERE version = 99", logger: store.logger)
            try await connection.query("UPDATE rida_migrations SET sha256 = 'edited' WHERE version = 1", logger: store.logger)
        }
        await #expect(throws: StoreError.unavailable(
            path: location.description, reason: "its migration 1 (core-v1) is not the one this version of Rida has; nothing was changed")) {
            try await PostgresStore.open(location)
        }
        await store.close()
        await drop(location)
    }

    @Test func aServerThatCannotBeReachedIsUnavailableNeverAHang() async throws {
        // Port 1 on loopback: nothing listens there.
        let location = PostgresLocation(user: "rida", host: "127.0.0.1", port: 1, database: "rida")
        let failure = await #expect(throws: StoreError.self) { try await PostgresStore.open(location) }
        #expect(failure?.kind == .unavailable)
        #expect(failure?.description.hasPrefix("The database postgres://rida@127.0.0.1:1/rida cannot be used: ") == true,
                "\(failure?.description ?? "")")
    }

    @Test func everySessionCommitsSynchronouslyAndTheTriggersKeepTheLog() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let store = database.store
        let setting = try await store.read { connection in
            try await connection.query("SHOW synchronous_commit", logger: store.logger).decode(String.self).first { _ in true }
        }
        #expect(setting == "on")
        _ = try await store.save([response("a")], receivedAt: received)
        // The centre first seen in a response is registered, with its first log entry; the log refuses to change.
        #expect(try await store.centreHistory("C01").count == 1)
        await #expect(throws: StoreError.self) {
            try await store.transaction { connection in
                try await connection.query("DELETE FROM centreChange", logger: store.logger)
            }
        }
        #expect(try await store.centreHistory("C01").count == 1)
    }

    /// Issue 14 point 2: the same id sent to two instances at the same moment is stored once; with the same content
    /// one instance says created and the other duplicate, with other content created and conflict.
    @Test func theSameIdThroughTwoInstancesAtOnceIsStoredOnce() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        let stores: [PostgresStore] = [database.store, other]
        for round in 0..<10 {
            let same = response("same-\(round)", [5, 5, 5, 5])
            let changed = response("changed-\(round)", [5, 5, 5, 5])
            let edited = response("changed-\(round)", [1, 5, 5, 5])
            let outcomes = try await withThrowingTaskGroup(of: [SaveOutcome].self) { group in
                group.addTask { try await stores[0].save([same, changed], receivedAt: self.received) }
                group.addTask { try await stores[1].save([same, edited], receivedAt: self.received) }
                var all: [[SaveOutcome]] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(Set(outcomes.map { $0[0] }) == [.created, .duplicate])
            #expect(Set(outcomes.map { $0[1] }) == [.created, .conflict(fields: ["q1"])])
        }
        #expect(try await other.responseCount() == 20)
        let counts = try await other.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.responses == 20)
        await other.close()
    }

    /// The same new Tawasul complaint and contact record saved through two instances at once: one says created, the
    /// other unchanged (or updated when its copy differs); the same complaint given to two entities at once is stored
    /// for one of them, and the other batch is refused, never silently moved to the other entity.
    @Test func theSameEvidenceThroughTwoInstancesAtOnceIsCreatedOnce() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        let stores: [PostgresStore] = [database.store, other]
        let received = Instant(millisecondsSince1970: 1_772_352_000_000)  // 2026-03-01T08:00:00Z
        for round in 0..<8 {
            let complaint = TawasulComplaint(id: "T\(round)", entity: "E01", channel: "website", receivedAt: received, slaDays: 5)
            let answered = TawasulComplaint(id: "T\(round)", entity: "E01", channel: "website", receivedAt: received,
                                            answeredAt: Instant(millisecondsSince1970: received.millisecondsSince1970 + 3_600_000),
                                            slaDays: 5)
            let contact = ContactRecord(id: "K\(round)", entity: "E01", channel: "website", contactedAt: received)
            let outcomes = try await withThrowingTaskGroup(of: ([EvidenceOutcome], [EvidenceOutcome]).self) { group in
                group.addTask {
                    (try await stores[0].save([complaint], importID: nil), try await stores[0].save([contact], importID: nil))
                }
                group.addTask {
                    (try await stores[1].save([round % 2 == 0 ? complaint : answered], importID: nil),
                     try await stores[1].save([contact], importID: nil))
                }
                var all: [([EvidenceOutcome], [EvidenceOutcome])] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let complaintOutcomes = outcomes.map { $0.0[0] }
            #expect(complaintOutcomes.filter { $0 == .created }.count == 1, "round \(round): \(complaintOutcomes)")
            #expect(Set(complaintOutcomes).isSubset(of: round % 2 == 0 ? [.created, .unchanged] : [.created, .updated]),
                    "round \(round): \(complaintOutcomes)")
            #expect(Set(outcomes.map { $0.1[0] }) == [.created, .unchanged], "round \(round)")
        }
        #expect(try await other.complaints(entity: "E01").count == 8)
        #expect(try await other.contacts(entity: "E01").count == 8)

        for round in 0..<8 {
            let mine = TawasulComplaint(id: "X\(round)", entity: "E01", channel: "website", receivedAt: received, slaDays: 5)
            let theirs = TawasulComplaint(id: "X\(round)", entity: "E02", channel: "website", receivedAt: received, slaDays: 5)
            async let first: Result<[EvidenceOutcome], any Error> = Self.attempt { try await stores[0].save([mine], importID: nil) }
            async let second: Result<[EvidenceOutcome], any Error> = Self.attempt { try await stores[1].save([theirs], importID: nil) }
            let results = await [first, second]
            let stored = results.filter { (try? $0.get()) == [.created] }.count
            let refused = results.filter { if case .failure(let error) = $0 { error is AssessmentError } else { false } }.count
            #expect(stored == 1 && refused == 1, "round \(round): \(results)")
        }
        let e01 = try await other.complaints(entity: "E01").filter { $0.id.hasPrefix("X") }.count
        let e02 = try await other.complaints(entity: "E02").filter { $0.id.hasPrefix("X") }.count
        #expect(e01 + e02 == 8)
        await other.close()
    }

    static func attempt(_ body: () async throws -> [EvidenceOutcome]) async -> Result<[EvidenceOutcome], any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Issue 14 point 2: six writers, three on each of two instances, save overlapping windows of twenty ids in batches
    /// of five, half of them in reverse order (the order that would deadlock writers taking row locks as they come).
    /// Each id is stored once and counted once: r00…r19, r<i> at centre C01 when i is even and C02 when odd, every
    /// question rated (i mod 5) + 1. By hand: each centre has ten responses, and among its ids (the evens: 0, 2, … 18
    /// give 1, 3, 5, 2, 4, 1, 3, 5, 2, 4; the odds likewise) each score 1…5 twice per question. The rollups equal a
    /// recount of the stored responses, the quarterly ones and the day ones.
    @Test func concurrentWritersThroughTwoInstancesNeitherDeadlockNorLoseACount() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        let stores: [PostgresStore] = [database.store, other]
        func make(_ i: Int) -> SurveyResponse {
            let rating = i % 5 + 1
            return response(String(format: "r%02d", i), centre: i % 2 == 0 ? "C01" : "C02", at: "2026-02-01T10:00:00+03:00",
                            [rating, rating, rating, rating], service: "S\(i % 3)", counter: "K\(i % 2)")
        }
        let created = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<6 {
                group.addTask {
                    var ids = (0..<10).map { (writer * 3 + $0) % 20 }
                    if writer % 2 == 1 { ids.reverse() }
                    var created = 0
                    for start in stride(from: 0, to: ids.count, by: 5) {
                        let outcomes = try await stores[writer % 2].save(ids[start..<start + 5].map(make), receivedAt: self.received)
                        created += outcomes.filter { $0 == .created }.count
                    }
                    return created
                }
            }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        #expect(created == 20)
        #expect(try await database.store.responseCount() == 20)
        let q1 = Quarter(year: 2026, number: 1)
        let counts = try #require(try await other.counts(for: [q1])[q1])
        for centre in ["C01", "C02"] {
            let group = try #require(counts[GroupKey(centre: centre, channel: "counter")])
            #expect(group.responses == 10)
            #expect(group.scores == Array(repeating: [2, 2, 2, 2, 2], count: 4))
        }
        // The recount, from the stored responses themselves.
        var recount: [GroupKey: Counts] = [:]
        for i in 0..<20 {
            let stored = try #require(try await other.response(id: String(format: "r%02d", i)))
            #expect(stored == make(i))
            recount[GroupKey(centre: stored.centre, channel: stored.channel), default: .zero].add(stored)
        }
        #expect(counts == recount)
        let day = CivilDate(year: 2026, month: 2, day: 1)
        #expect(try await other.dayCounts(centre: "C01", from: day, through: day)["counter"] == recount[GroupKey(centre: "C01", channel: "counter")])
        // The service and counter rollups too: S0, S1, S2 (i mod 3) hold 7, 7, 6 responses; K0 and K1 (i mod 2) 10 each.
        let services = try await other.read { connection in
            try await connection.query("SELECT service, sum(responses)::bigint FROM serviceRollup GROUP BY service ORDER BY service",
                                       logger: other.logger).decode((String, Int64).self).reduce(into: [String: Int64]()) { $0[$1.0] = $1.1 }
        }
        #expect(services == ["S0": 7, "S1": 7, "S2": 6])
        let counters = try await other.read { connection in
            try await connection.query("SELECT counter, sum(responses)::bigint FROM counterRollup GROUP BY counter ORDER BY counter",
                                       logger: other.logger).decode((String, Int64).self).reduce(into: [String: Int64]()) { $0[$1.0] = $1.1 }
        }
        #expect(counters == ["K0": 10, "K1": 10])
        await other.close()
    }
}
