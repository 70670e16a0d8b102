import Crypto
import Foundation
import GRDB
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// The permissions of a file, as `stat` gives them.
func permissions(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
}

let hasSQLiteShell = FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")

/// Backups while serving, restores after checking (issue 9, point 2).
@Suite struct BackupTests {
    /// Sixteen writers keep submitting while the backup runs. The copy opens, passes integrity_check, and holds every
    /// response acknowledged before the backup began; its rollups count exactly its responses.
    @Test func backsUpUnderConcurrentSubmissionsAndKeepsEveryAcknowledgedResponse() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let writer = GroupCommitWriter(store: store)
        let acknowledged = AckLog()
        let stop = AckLog()
        let received = instant("2026-02-01T12:00:00+03:00")
        let copy = database.folder.appendingPathComponent("copy.sqlite").path
        let (before, summary) = try await withThrowingTaskGroup(of: Void.self, returning: ([String], BackupSummary).self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var i = 0
                    while stop.all.isEmpty {
                        i += 1
                        let id = "w\(worker)-\(i)"
                        let outcome = try await writer.save(
                            [response(id, centre: "C0\(worker % 3)", channel: worker % 2 == 0 ? "counter" : "kiosk", [1 + i % 5, 4, nil, 5],
                                      comment: i % 7 == 0 ? "تعليق \(i)" : nil)],
                            receivedAt: received)
                        if outcome == [.created] { acknowledged.add(id) }
                    }
                }
            }
            while acknowledged.all.count < 500 { try await Task.sleep(for: .milliseconds(5)) }
            let before = acknowledged.all  // acknowledged before the backup began
            let summary = try await store.backup(to: copy)
            let during = acknowledged.all.count
            try await Task.sleep(for: .milliseconds(100))  // the writers go on after it, too
            stop.add("stop")
            try await group.waitForAll()
            #expect(acknowledged.all.count > during, "submissions went on while and after the backup ran")
            return (before, summary)
        }
        #expect(before.count >= 500)
        #expect(permissions(copy) == 0o600, "a backup is readable by its owner only")
        #expect(permissions(database.path) == 0o600, "so is the database")
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "the backup is one file")

        let queue = try DatabaseQueue(path: copy, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        try await queue.read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            let ids = Set(try String.fetchAll(db, sql: "SELECT id FROM response"))
            #expect(ids.count == summary.responses)
            let lost = before.filter { !ids.contains($0) }
            #expect(lost.isEmpty, "acknowledged before the backup, missing from it: \(lost.prefix(5))")
        }
        // The copy is a snapshot: its rollups count exactly its responses, no half of a transaction.
        let restored = try SQLiteStore(path: copy, configuration: StoreConfiguration(durability: .normal), create: false)
        defer { try? restored.close() }
        #expect(try await restored.check(.full) == [])
        #expect(try await store.check(.full) == [])
    }

    @Test func restoresOnlyAFileThatIsARidaDatabaseAndNotNewer() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        _ = try await store.save([response("r1"), response("r2", [2, 2, 2, 2])], receivedAt: opsNoon)
        let backup = database.folder.appendingPathComponent("backup.sqlite").path
        #expect(try await store.backup(to: backup).responses == 2)
        _ = try await store.save([response("r3")], receivedAt: opsNoon)
        try store.close()

        let target = database.path
        // An existing database is replaced only with --force, and is then kept aside.
        #expect(throws: StoreError.self) { try SQLiteStore.restore(from: backup, to: target, force: false, at: opsNoon) }
        let summary = try SQLiteStore.restore(from: backup, to: target, force: true, at: opsNoon)
        #expect(summary.inspection.responses == 2)
        let kept = try #require(summary.replacedKeptAt)
        #expect(kept.hasPrefix(target + ".replaced-"))
        #expect(permissions(target) == 0o600)
        let back = try SQLiteStore(path: target, create: false)
        #expect(try await back.responseCount() == 2)
        #expect(try await back.check(.full) == [])
        try back.close()
        let aside = try SQLiteStore(path: kept, create: false)
        #expect(try await aside.responseCount() == 3, "the replaced database is kept whole")
        try aside.close()

        // Not a database, a SQLite file that is not Rida's, a damaged one, one from a newer Rida: each refused, nothing replaced.
        let text = try database.file("notes.sqlite", "not a database at all")
        let other = database.folder.appendingPathComponent("other.sqlite").path
        let otherQueue = try DatabaseQueue(path: other)
        try await otherQueue.write { db in try db.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        try otherQueue.close()
        let newer = database.folder.appendingPathComponent("newer.sqlite").path
        _ = try SQLiteStore.backup(databaseAt: backup, to: newer)
        let newerQueue = try DatabaseQueue(path: newer)
        try await newerQueue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('from-the-future')") }
        try newerQueue.close()
        let damaged = database.folder.appendingPathComponent("damaged.sqlite").path
        _ = try SQLiteStore.backup(databaseAt: backup, to: damaged)
        try damage(damaged)
        for (file, says) in [(text, "not a Rida database"), (other, "not a Rida database"), (newer, "newer version"), (damaged, "damaged|integrity")] {
            do {
                _ = try SQLiteStore.restore(from: file, to: target, force: true, at: opsNoon)
                Issue.record("\(file) was restored")
            } catch let error as StoreError {
                #expect(says.split(separator: "|").contains { error.description.contains($0) }, "\(file): \(error.description)")
            }
        }
        let still = try SQLiteStore(path: target, create: false)
        #expect(try await still.responseCount() == 2)
        try still.close()
    }

    /// A database another process has open (here the sqlite3 shell, as `rida serve` would) is never replaced.
    @Test(.enabled(if: hasSQLiteShell, "needs the sqlite3 shell (scripts/setup test installs it)"))
    func refusesToReplaceADatabaseAnotherProcessHasOpen() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        _ = try await store.save([response("r1")], receivedAt: opsNoon)
        let backup = database.folder.appendingPathComponent("backup.sqlite").path
        _ = try await store.backup(to: backup)
        try store.close()
        #expect(try !SQLiteStore.isOpenElsewhere(database.path))

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [database.path]
        let input = Pipe()
        shell.standardInput = input
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        input.fileHandleForWriting.write(Data("SELECT count(*) FROM response;\n".utf8))
        defer {
            try? input.fileHandleForWriting.close()
            shell.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while try !SQLiteStore.isOpenElsewhere(database.path), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try SQLiteStore.isOpenElsewhere(database.path))
        do {
            _ = try SQLiteStore.restore(from: backup, to: database.path, force: true, at: opsNoon)
            Issue.record("a database in use was replaced")
        } catch let error as StoreError {
            #expect(error.description.contains("another process has it open"))
        }
    }
}

/// Overwrites the middle of a database file's pages with zeros past the first page, as a failing disk would.
func damage(_ path: String) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    let size = try handle.seekToEnd()
    try handle.seek(toOffset: 4096)
    try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(min(size - 4096, 8192))))
}

final class AckLog: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func add(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return ids }
}

/// 2026-02-01 12:00 in Bahrain: when the operations tests' responses are received.
let opsNoon = instant("2026-02-01T12:00:00+03:00")

/// `rida db check` and `rida db repair-rollups` (issue 9, point 3): each kind of damage is broken on purpose with
/// raw SQL (the way a person with the sqlite3 shell could) and seen reported.
@Suite struct IntegrityCheckTests {
    /// A database with something in every table the checks read: 3 responses at C01 (2 with a service and a counter,
    /// 1 with a comment), an assessment with 2 history entries, a saved report whose content has its SHA-256.
    func sound() async throws -> (TemporaryDatabase, SQLiteStore) {
        let database = try TemporaryDatabase()
        let store = try database.open()
        _ = try await store.save([
            response("a", [5, 5, 4, 4], service: "Passports", counter: "3"),
            response("b", channel: "kiosk", [3, nil, 2, 1], service: "Passports", counter: "K1", comment: "الانتظار طويل"),
            response("c", at: "2026-01-15T09:00:00+03:00", [4, 4, 4, 4]),
        ], receivedAt: opsNoon)
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter", "kiosk"]), at: opsNoon)
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: opsNoon, openedBy: "A"))
        try await store.record([
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: opsNoon, note: "seen"),
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.2", verdict: .met, evaluator: "A", at: opsNoon, note: "seen"),
        ])
        let json = #"{"figures":[]}"#
        _ = try await store.saveReport(scope: "C01", quarter: Quarter(year: 2026, number: 1), by: "Q", at: opsNoon,
                                       content: ReportContent(json: json, sha256: sha256Hex(json), engineVersion: "test"))
        return (database, store)
    }

    func raw(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    @Test func aSoundDatabaseHasNoProblem() async throws {
        let (database, store) = try await sound()
        defer { try? store.close(); database.remove() }
        #expect(try await store.check(.full) == [])
        #expect(try await store.check(.quick) == [])
    }

    @Test(arguments: [
        // Quarterly rollup: one response too many at C01's counter in 2026-Q1 (stored 3, the responses give 2: a, c).
        ("UPDATE rollup SET responses = responses + 1 WHERE centre = 'C01' AND channel = 'counter'",
         "rollups: the quarterly rollup 2026-Q1 C01 counter counts 3 responses; the responses stored give 2"),
        // A score moved: same count, other scores.
        ("UPDATE rollup SET q1s5 = q1s5 - 1, q1s1 = q1s1 + 1 WHERE channel = 'kiosk'",
         "rollups: the quarterly rollup 2026-Q1 C01 kiosk counts its 1 responses' scores otherwise"),
        ("DELETE FROM serviceRollup WHERE channel = 'counter'", "rollups: the service rollup 2026-Q1 C01 counter Passports is missing; the responses stored give 1"),
        ("DELETE FROM counterRollup WHERE counter = 'K1'", "rollups: the counter rollup 2026-Q1 C01 K1 is missing"),
        // Day rollups: a and b on 2026-02-01; c (2026-01-15) was received 17 days later, inside the 35-day window.
        ("DELETE FROM dayRollup WHERE day = '2026-01-15'", "rollups: the day rollup 2026-01-15 C01 counter is missing; the responses stored give 1"),
        ("INSERT INTO dayRollup SELECT '2026-01-20', centre, channel, \(Array(repeating: "1", count: 24).joined(separator: ", ")) FROM dayRollup LIMIT 1",
         "rollups: the day rollup 2026-01-20 C01 counter counts 1 responses; no response stored belongs to it"),
        ("DELETE FROM comment", "rollups: 1 responses' comments are missing"),
    ])
    func reportsEveryRollupThatDiffersFromTheResponsesAndRepairsIt(breakage: String, expected: String) async throws {
        let (database, store) = try await sound()
        defer { try? store.close(); database.remove() }
        try raw(database.path, breakage)
        let problems = try await store.check(.full).map(\.description)
        #expect(problems.count == 1 && problems[0].hasPrefix(expected), "\(problems)")
        #expect(try await store.check(.quick) == [], "the quick checks do not recount")
        let repair = try await store.repairRollups()
        #expect(repair.responses == 3)
        // Quarterly: 2026-Q1 C01 counter (a, c), C01 kiosk (b); days 2026-02-01 counter and kiosk, 2026-01-15 counter.
        #expect(repair.rows == ["rollup": 2, "serviceRollup": 2, "counterRollup": 2, "dayRollup": 3, "comment": 1])
        #expect(try await store.check(.full) == [])
    }

    @Test(.enabled(if: hasSQLiteShell, "needs the sqlite3 shell (scripts/setup test installs it)"))
    func reportsAlteredReportsABrokenHistoryMissingGuardsAndDanglingRows() async throws {
        let (database, store) = try await sound()
        defer { try? store.close(); database.remove() }
        // Each change needs its guard dropped first: the shell runs what Rida never would.
        for sql in [
            "DROP TRIGGER savedReport_submitted_content_is_fixed; UPDATE savedReport SET content = content || ' ' WHERE id = 1;",
            "DROP TRIGGER assessmentEntry_is_kept; DELETE FROM assessmentEntry WHERE id = 1;",
            "PRAGMA foreign_keys = OFF; INSERT INTO reportActionStatus (actionId, status, who, recordedAt) VALUES (99, 'open', 'X', '2026');",
        ] {
            let result = try sqlite3(database.path, sql)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let problems = try await store.check(.quick).map(\.description)
        #expect(problems.contains("schema: the trigger assessmentEntry_is_kept that Rida's migrations made is missing: what it guards can now be changed or deleted behind Rida's back (restore a backup from before it was dropped)"), "\(problems)")
        #expect(problems.contains { $0.hasPrefix("schema: the trigger savedReport_submitted_content_is_fixed") })
        #expect(problems.contains("history: the assessment history (assessmentEntry) is broken: 1 entries numbered up to 2, so 1 were removed"), "\(problems)")
        #expect(problems.contains("reports: report #1 (draft, C01, 2026-Q1): its stored content does not match its SHA-256"), "\(problems)")
        #expect(problems.contains("foreignKeys: reportActionStatus row 1 refers to a row of reportAction that does not exist"), "\(problems)")
        #expect(problems.count == 5, "\(problems)")
    }

    @Test(.enabled(if: hasSQLiteShell, "needs the sqlite3 shell (scripts/setup test installs it)"))
    func reportsTheLastHistoryEntriesRemoved() async throws {
        let (database, store) = try await sound()
        defer { try? store.close(); database.remove() }
        #expect(try sqlite3(database.path, "DROP TRIGGER assessmentEntry_is_kept; DELETE FROM assessmentEntry WHERE id = 2;").status == 0)
        let problems = try await store.check(.quick).map(\.description)
        #expect(problems.contains("history: the assessment history (assessmentEntry) is broken: its last 1 entries (after #1) were removed"), "\(problems)")
    }

    @Test func reportsADamagedFile() async throws {
        let (database, store) = try await sound()
        try store.close()
        defer { database.remove() }
        try damage(database.path)
        do {
            let reopened = try SQLiteStore(path: database.path, create: false)
            defer { try? reopened.close() }
            let problems = try await reopened.check(.full)
            #expect(problems.contains { $0.area == .integrity }, "\(problems)")
        } catch let error as StoreError {
            #expect(error == .notADatabase(path: database.path), "a damaged file is told apart: \(error)")
        }
    }
}

func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
