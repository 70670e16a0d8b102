import Foundation
@testable import RidaStore
import RidaAggregation
import RidaSurvey
import RidaTesting
import Testing

@Suite struct GroupCommitWriterTests {
    @Test(arguments: StoreKind.all) func storesConcurrentSubmissionsEachOnceAndAcknowledgesEach(kind: StoreKind) async throws {
        let fresh = try await kind.open(StoreConfiguration(durability: .full))
        defer { fresh.remove() }
        let store = fresh.store
        let writer = GroupCommitWriter(store: store)
        let outcomes = try await withThrowingTaskGroup(of: [SaveOutcome].self) { group in
            for i in 0..<200 {
                group.addTask { try await writer.save([response("g\(i)", [i % 5 + 1, nil, nil, nil])], receivedAt: instant("2026-02-01T12:00:00+03:00")) }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0 == .created })
        #expect(try await store.responseCount() == 200)
        let stats = await writer.statistics
        #expect(stats.submissions == 200)
        #expect(stats.transactions <= 200)
        let counts = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.responses == 200)
        #expect(counts[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.scores[0] == [40, 40, 40, 40, 40])
    }

    @Test(arguments: StoreKind.all) func countsOnceTheSameResponseSentConcurrently(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let writer = GroupCommitWriter(store: store)
        let outcomes = try await withThrowingTaskGroup(of: SaveOutcome.self) { group in
            for _ in 0..<50 {
                group.addTask { try await writer.save([response("same")], receivedAt: instant("2026-02-01T12:00:00+03:00"))[0] }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .created }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 49)
        let day = try await store.dayCounts(centre: "C01", from: CivilDate(year: 2026, month: 2, day: 1), through: CivilDate(year: 2026, month: 2, day: 1))
        #expect(day["counter"]?.responses == 1)
    }

    @Test(arguments: StoreKind.all) func oneSubmissionTheDatabaseRefusesFailsAlone(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let writer = GroupCommitWriter(store: store)
        let unknownSurvey: SurveyResponse = {
            var bad = response("bad")
            bad.surveyID = "not-registered"
            return bad
        }()
        let results = await withTaskGroup(of: (String, Bool).self) { group in
            for i in 0..<20 {
                group.addTask { ((try? await writer.save([response("ok\(i)")], receivedAt: instant("2026-02-01T12:00:00+03:00"))) != nil ? ("ok", true) : ("ok", false)) }
            }
            group.addTask { ((try? await writer.save([unknownSurvey], receivedAt: instant("2026-02-01T12:00:00+03:00"))) != nil ? ("bad", true) : ("bad", false)) }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.0 == "ok" }.allSatisfy { $0.1 })
        #expect(results.first { $0.0 == "bad" }?.1 == false)
        #expect(try await store.responseCount() == 20)
    }
}

@Suite struct DayRollupTests {
    /// By hand: C01's counter on 31 January (Bahrain) at 23:30 and on 1 February at 00:30 local time
    /// fall on two days, though both are 31 January in UTC.
    @Test(arguments: StoreKind.all) func cutsDaysInTheDeploymentsTimeZone(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save([
            response("a", at: "2026-01-31T20:30:00Z", [5, 5, nil, nil]),
            response("b", at: "2026-01-31T21:30:00Z", [3, nil, nil, nil]),
            response("c", channel: "kiosk", at: "2026-02-01T10:00:00+03:00", [1, 2, 3, 4]),
        ], receivedAt: instant("2026-02-01T12:00:00+03:00"))
        let jan31 = CivilDate(year: 2026, month: 1, day: 31)
        let feb1 = CivilDate(year: 2026, month: 2, day: 1)
        let first = try await store.dayCounts(centre: "C01", from: jan31, through: jan31)
        #expect(first["counter"]?.responses == 1)
        #expect(first["counter"]?.scores[0] == [0, 0, 0, 0, 1])
        let second = try await store.dayCounts(centre: "C01", from: feb1, through: feb1)
        #expect(second["counter"]?.responses == 1)
        #expect(second["counter"]?.scores[0] == [0, 0, 1, 0, 0])
        #expect(second["kiosk"]?.ratings == 4)
        let both = try await store.dayCounts(centre: "C01", from: jan31, through: feb1)
        #expect(both["counter"]?.responses == 2)
        #expect(try await store.dayCounts(centre: "C02", from: jan31, through: feb1).isEmpty)
    }

    /// Day rollups keep days within 35 days before receipt: the live display's today and week always fall inside,
    /// and an import of old history adds no per-day rows (the quarterly rollups count everything).
    @Test(arguments: StoreKind.all) func keepsDayRollupsForRecentDaysOnly(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        _ = try await store.save([
            response("recent", at: "2026-01-02T10:00:00+03:00"),   // 35 days before 6 February: kept
            response("old", at: "2026-01-01T10:00:00+03:00"),      // 36 days before: not kept
        ], receivedAt: instant("2026-02-06T12:00:00+03:00"))
        let jan1 = CivilDate(year: 2026, month: 1, day: 1)
        let jan2 = CivilDate(year: 2026, month: 1, day: 2)
        #expect(try await store.dayCounts(centre: "C01", from: jan2, through: jan2)["counter"]?.responses == 1)
        #expect(try await store.dayCounts(centre: "C01", from: jan1, through: jan1).isEmpty)
        let quarter = try await store.counts(for: [Quarter(year: 2026, number: 1)])
        #expect(quarter[Quarter(year: 2026, number: 1)]?[GroupKey(centre: "C01", channel: "counter")]?.responses == 2)
    }

    @Test func theMigrationBuildsDayRollupsFromStoredResponses() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        _ = try await store.save([response("a", [5, 5, 5, 5]), response("b", [1, nil, nil, nil])], receivedAt: instant("2026-02-01T12:00:00+03:00"))
        let day = CivilDate(year: 2026, month: 2, day: 1)
        let kept = try await store.dayCounts(centre: "C01", from: day, through: day)
        try await store.write { db in
            try db.execute(sql: "DELETE FROM dayRollup")
            try SQLiteStore.backfillDayRollups(in: db, zone: .bahrain)
        }
        #expect(try await store.dayCounts(centre: "C01", from: day, through: day) == kept)
        #expect(kept["counter"]?.responses == 2)
    }
}

@Suite struct APIKeyStoreTests {
    @Test func keepsOnlyTheHashOfARandomKeyOf256Bits() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let secret = APIKeySecret.generate()
        #expect(secret.text.hasPrefix("rida_"))
        #expect(secret.text.count == 5 + 43)  // 32 bytes in unpadded base64url
        #expect(secret.text != APIKeySecret.generate().text)
        let key = try await store.createKey(secret, label: "Kiosk 3", role: .submitter, centre: "C01", channels: ["kiosk"], at: instant("2026-02-01T12:00:00+03:00"))
        #expect(try await store.key(hash: APIKeySecret.hash(secret.text)) == key)
        #expect(try await store.key(hash: APIKeySecret.hash(secret.text + "x")) == nil)
        #expect(APIKeySecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(key.maySubmit(centre: "C01", channel: "kiosk"))
        #expect(!key.maySubmit(centre: "C01", channel: "counter"))
        #expect(!key.maySubmit(centre: "C02", channel: "kiosk"))
        #expect(try await store.revokeKey(key.id, at: instant("2026-02-02T12:00:00+03:00")))
        let again = try await store.revokeKey(key.id, at: instant("2026-02-02T12:00:00+03:00"))
        #expect(!again)
        #expect(try await store.keys().first?.revokedAt == instant("2026-02-02T12:00:00+03:00"))
        try store.close()
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: database.path + suffix) ?? Data()
            #expect(bytes.range(of: Data(secret.text.utf8)) == nil, "the key itself is never written")
        }
    }

    /// A key's life through the protocol: created, found by its hash (never by the key), its use recorded, listed,
    /// revoked once (a second revocation says false).
    @Test(arguments: StoreKind.all) func createsFindsRecordsTheUseOfAndRevokesAKey(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let created = instant("2026-02-01T12:00:00+03:00"), used = instant("2026-02-01T13:00:00+03:00")
        let secret = APIKeySecret.generate()
        let key = try await store.createKey(secret, label: "Kiosk 3", role: .submitter, centre: "C01", channels: ["kiosk"], at: created)
        #expect(key.label == "Kiosk 3" && key.role == .submitter && key.centre == "C01" && key.channels == ["kiosk"] && key.createdAt == created)
        let reader = try await store.createKey(.generate(), label: "Quality team", role: .quality, centre: nil, channels: nil, at: created)
        #expect(reader.id != key.id)
        #expect(try await store.key(hash: APIKeySecret.hash(secret.text)) == key)
        #expect(try await store.key(hash: secret.text) == nil)
        try await store.recordKeyUse([key.id: used])
        #expect(try await store.key(hash: APIKeySecret.hash(secret.text))?.lastUsedAt == used)
        #expect(try await store.keys().map(\.label).sorted() == ["Kiosk 3", "Quality team"])
        #expect(try await store.revokeKey(key.id, at: used))
        #expect(try await store.revokeKey(key.id, at: used) == false)
        #expect(try await store.revokeKey(9_999, at: used) == false)
        #expect(try await store.keys().first { $0.id == key.id }?.revokedAt == used)
        #expect(try await store.keys().first { $0.id == reader.id }?.revokedAt == nil)
    }

    @Test(arguments: StoreKind.all) func refusesKeysWithoutALabelOrASubmitterWithoutACentre(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let now = instant("2026-02-01T12:00:00+03:00")
        await #expect(throws: KeyError.self) { try await store.createKey(.generate(), label: " ", role: .quality, centre: nil, channels: nil, at: now) }
        await #expect(throws: KeyError.self) { try await store.createKey(.generate(), label: "K", role: .submitter, centre: nil, channels: nil, at: now) }
        await #expect(throws: KeyError.self) { try await store.createKey(.generate(), label: "Q", role: .quality, centre: "C01", channels: nil, at: now) }
    }
}

@Suite struct DurabilityTests {
    @Test func writesWithSynchronousFullByDefault() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let full = try SQLiteStore(path: database.path)
        #expect(full.configuration.durability == .full)
        #expect(try await full.synchronousSetting() == 2)
        try full.close()
        let normal = try SQLiteStore(path: database.path, configuration: StoreConfiguration(durability: .normal))
        #expect(try await normal.synchronousSetting() == 1)
        try normal.close()
    }
}
