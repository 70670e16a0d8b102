import Foundation
import GRDB
import RidaAggregation
import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaStore

@Suite struct StoreTests {
    let received = instant("2026-05-01T09:00:00Z")

    @Test(arguments: StoreKind.all) func storesAResponseOnceAndCountsItInItsQuarter(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let outcomes = try await store.save([response("a", [5, 4, nil, 3])], receivedAt: received)
        #expect(outcomes == [.created])
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        let group = try #require(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")])
        #expect(group.responses == 1)
        #expect(group.scores[0] == [0, 0, 0, 0, 1])
        #expect(group.scores[2] == [0, 0, 0, 0, 0])
        #expect(group.scores[3] == [0, 0, 1, 0, 0])
    }

    @Test(arguments: StoreKind.all) func acknowledgesAnIdenticalResendAsADuplicateAndCountsItOnce(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let first = response("kiosk-1", [5, 5, 5, 5], comment: "ممتاز")
        #expect(try await store.save([first], receivedAt: received) == [.created])
        #expect(try await store.save([first], receivedAt: received) == [.duplicate])
        // Within one batch too.
        #expect(try await store.save([response("kiosk-2"), response("kiosk-2")], receivedAt: received) == [.created, .duplicate])
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.responses == 2)
        #expect(try await store.responseCount() == 2)
    }

    @Test(arguments: StoreKind.all) func reportsAConflictAndKeepsTheFirst(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save([response("x", [5, 5, 5, 5])], receivedAt: received)
        let outcomes = try await store.save([response("x", [1, 5, 5, 5], comment: "changed")], receivedAt: received)
        #expect(outcomes == [.conflict(fields: ["q1", "comment"])])
        let stored = try #require(try await store.response(id: "x"))
        #expect(stored.ratings == [5, 5, 5, 5])
        #expect(stored.comment == nil)
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.scores[0] == [0, 0, 0, 0, 1])
    }

    /// A batch mixing new ids, an identical resend, a conflict and an id repeated within it: what is counted is what is
    /// stored (PostgreSQL counts a batch as if every id were new and takes back the rest in the same transaction).
    @Test(arguments: StoreKind.all) func aMixedBatchCountsOnlyWhatItStored(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save([response("old", [5, 5, 5, 5], service: "جواز", counter: "3", comment: "أول")], receivedAt: received)
        let outcomes = try await store.save([
            response("new-1", [4, 4, nil, nil], service: "جواز", counter: "3", comment: "جيد"),
            response("old", [5, 5, 5, 5], service: "جواز", counter: "3", comment: "أول"),
            response("old", [1, 1, 1, 1], comment: "تغيير"),
            response("new-2", [2, nil, nil, nil]),
            response("new-2", [2, nil, nil, nil]),
        ], receivedAt: received)
        #expect(outcomes == [.created, .duplicate, .conflict(fields: ["q1", "q2", "q3", "q4", "service", "counter", "comment"]), .created, .duplicate])
        let group = try #require(try await store.counts(for: [Quarter(year: 2026, number: 1)])[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")])
        // Stored: old (5, 5, 5, 5), new-1 (4, 4), new-2 (2): 3 responses; q1 one 2, one 4, one 5.
        #expect(group.responses == 3 && group.scores[0] == [0, 1, 0, 1, 1] && group.scores[1] == [0, 0, 0, 1, 1] && group.scores[2] == [0, 0, 0, 0, 1])
        // The service, counter and day rollups and the comments agree with the responses (the store's own recount).
        #expect(try await store.check(.full) == [])
    }

    @Test(arguments: StoreKind.all) func storesNothingOfABatchThatFails(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        // A rating of 7 bypasses validation here; the table's CHECK refuses it, and the whole batch goes.
        var bad = response("bad")
        bad.ratings = [7, nil, nil, nil]
        await #expect(throws: (any Error).self) {
            try await store.save([response("good-1"), response("good-2"), bad], receivedAt: received)
        }
        #expect(try await store.responseCount() == 0)
        #expect(try await store.counts(for: [Quarter(year: 2026, number: 1)]).isEmpty)
    }

    @Test(arguments: StoreKind.all) func keepsArabicTextIntact(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let text = "الانتظار طويل جداً، \"ساعة\"\nوالموظف متعاون 👍"
        _ = try await store.save([response("ar", service: "تجديد جواز السفر", counter: "منصة ٣", comment: text)], receivedAt: received)
        let stored = try #require(try await store.response(id: "ar"))
        #expect(stored.comment == text)
        #expect(stored.service == "تجديد جواز السفر")
        #expect(stored.counter == "منصة ٣")
    }

    @Test(arguments: StoreKind.all) func assignsQuartersInTheDeploymentZone(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save([response("late", at: "2026-03-31T22:30:00Z"), response("early", at: "2026-03-31T20:30:00Z")],
                                 receivedAt: received)
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1), Quarter(year: 2026, number: 2)])
        #expect(counts[Quarter(year: 2026, number: 1)]?.values.first?.responses == 1)
        #expect(counts[Quarter(year: 2026, number: 2)]?.values.first?.responses == 1)
    }

    @Test(arguments: StoreKind.all) func rollupsAlwaysEqualARecountOfTheResponses(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        var rng = SystemRandomNumberGenerator()
        var batch: [SurveyResponse] = []
        for i in 0..<500 {
            let channel = ["counter", "kiosk", "website"][i % 3]
            let ratings: [Int?] = (0..<4).map { _ in Bool.random(using: &rng) ? Int.random(in: 1...5, using: &rng) : nil }
            let r = ratings.allSatisfy { $0 == nil } ? [3, nil, nil, nil] : ratings
            batch.append(response("r\(i % 450)", centre: "C0\(i % 2)", channel: channel,
                                  at: "2026-0\(1 + i % 6)-15T10:00:00Z", r))
        }
        _ = try await store.save(Array(batch[0..<250]), receivedAt: received)
        _ = try await store.save(Array(batch[250...]), receivedAt: received)
        let quarters = [Quarter(year: 2026, number: 1), Quarter(year: 2026, number: 2)]
        let rollups = try await store.counts(for: quarters)
        // The recount, by hand: the first response with each id counts (r0…r49 come again as i = 450…499, each a
        // duplicate or a conflict), in its quarter in Bahrain's zone, under its centre and channel.
        var recount: [Quarter: [GroupKey: Counts]] = [:]
        var seen = Set<String>()
        for r in batch where seen.insert(r.id).inserted {
            recount[DeploymentZone.bahrain.quarter(at: r.submittedAt), default: [:]][GroupKey(centre: r.centre, channel: r.channel), default: .zero].add(r)
        }
        #expect(seen.count == 450)
        #expect(rollups == recount)
        #expect(rollups.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.responses } } == 450)
    }

    @Test func commitsDurablyByDefault() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let full = try SQLiteStore(path: db.path)
        #expect(try await full.synchronousSetting() == 2)
        try full.close()
        let normal = try SQLiteStore(path: db.path, configuration: StoreConfiguration(durability: .normal))
        #expect(try await normal.synchronousSetting() == 1)
    }

    @Test func readsTheReportFromTheRollupsByItsPrimaryKey() async throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let store = try db.open()
        let plan = try read(store) { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM rollup WHERE quarter IN ('2026-Q1', '2025-Q4')")
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("USING PRIMARY KEY"), "\(plan)")
    }
}

/// Reads the store's database directly, from a synchronous context (so GRDB's blocking `read` is the one called).
func read<T>(_ store: SQLiteStore, _ body: (Database) throws -> T) throws -> T {
    try store.writer.read(body)
}

@Suite struct StoreErrorTests {
    @Test func saysWhenThereIsNoDatabase() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        #expect(throws: StoreError.missing(path: db.path)) { try SQLiteStore(path: db.path, create: false) }
    }

    @Test func saysWhenTheFileIsNotADatabase() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        let path = try db.file("notes.sqlite", "id,centre\n1,C01\n")
        #expect(throws: StoreError.notADatabase(path: path)) { try SQLiteStore(path: path) }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "id,centre\n1,C01\n")
    }

    @Test func saysWhenTheDatabaseIsDamaged() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        try db.open().close()
        // Keep SQLite's header, overwrite the rest with noise.
        var data = try Data(contentsOf: URL(fileURLWithPath: db.path))
        for i in 100..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try data.write(to: URL(fileURLWithPath: db.path))
        #expect(throws: StoreError.notADatabase(path: db.path)) { try SQLiteStore(path: db.path) }
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        let db = try TemporaryDatabase()
        defer { db.remove() }
        try db.open().close()
        let queue = try DatabaseQueue(path: db.path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        try queue.close()
        #expect(throws: StoreError.newerVersion(path: db.path, unknownMigrations: ["v99-future"])) { try SQLiteStore(path: db.path) }
    }

    /// The store's errors are `RidaFailure`s with the kinds and codes the HTTP service answered with before: a database
    /// that cannot be used is unavailable (503 database_unavailable), a missing one not found; an assessment error is
    /// invalid with problems (422 invalid_verdicts), not found (404) or a conflict (409); a key request is invalid.
    @Test func storeErrorsSayTheirKindAndCode() {
        #expect(StoreError.missing(path: "a").kind == .notFound)
        for error: StoreError in [.notADatabase(path: "a"), .newerVersion(path: "a", unknownMigrations: ["x"]), .unavailable(path: "a", reason: "r")] {
            #expect(error.kind == .unavailable && error.code == "database_unavailable")
        }
        let problem = Problem(entry: 0, field: "verdict", reason: "is not a verdict")
        #expect(AssessmentError("x", problems: [problem]).kind == .invalid)
        #expect(AssessmentError("x", problems: [problem]).code == "invalid_verdicts")
        #expect(AssessmentError("x", notFound: true).kind == .notFound && AssessmentError("x", notFound: true).code == "not_found")
        #expect(AssessmentError("x").kind == .conflict && AssessmentError("x").code == "conflict")
        #expect(KeyError("x").kind == .invalid)
    }

    /// An in-memory store writes nothing to disk, takes concurrent writes and reads, and is migrated like a file.
    @Test func anInMemoryStoreTouchesNoFile() async throws {
        let folder = FileManager.default.currentDirectoryPath
        let before = try FileManager.default.contentsOfDirectory(atPath: folder)
        let store = try SQLiteStore.inMemory()
        #expect(store.path == SQLiteStore.memoryPath)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 { group.addTask { _ = try await store.save([response("m\(i)")], receivedAt: instant("2026-02-01T12:00:00+03:00")) } }
            for _ in 0..<20 { group.addTask { _ = try await store.responseCount() } }
            try await group.waitForAll()
        }
        #expect(try await store.responseCount() == 20)
        #expect(try await store.check(.full).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == before)
        #expect(store.freeBytes() == nil)
    }

    @Test func everyStoreErrorIsOneSentence() {
        let errors: [StoreError] = [.missing(path: "a"), .notADatabase(path: "a"), .newerVersion(path: "a", unknownMigrations: ["x"]),
                                    .unavailable(path: "a", reason: "the disk is full")]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasSuffix("."))
        }
    }
}
