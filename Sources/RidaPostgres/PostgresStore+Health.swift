import Crypto
import Foundation
import Logging
import PostgresNIO
import RidaStore
import RidaSurvey
import Synchronization

/// What `/health` and `rida db check` ask, as `SQLiteStore` answers it (`SQLiteStore+Check.swift`, `+Keys.swift`).
///
/// `ping()` answers within `PostgresStore.healthDeadline` whatever the server does: the pool, while the server is away,
/// keeps a lease waiting for as long as it retries connecting (about a minute), and `/health` and the requests behind it
/// must answer 503 at once instead.
///
/// The checks are the ones that mean something on PostgreSQL: the guards (the triggers of the migrations) are all
/// there, every saved report's content and page still has its SHA-256, and (`.full`) every rollup and the reports'
/// comments equal a recount of the responses. SQLite's file checks (`integrity_check`, `foreign_key_check`) have no
/// counterpart: the server keeps its own files and enforces the foreign keys on every write. Nor has SQLite's check of
/// the kept histories' unbroken numbering: an identity sequence is not transactional (a rolled-back insert leaves a
/// gap), so a gap proves nothing here; the triggers refuse `DELETE` and `TRUNCATE` on those tables instead.
extension PostgresStore: StoreHealth {
    /// How long `ping()` and `unwritableReason` wait for the server.
    static let healthDeadline: Duration = .seconds(2)

    /// Answers when the database can be read within `healthDeadline`; throws `StoreError.unavailable` otherwise.
    public func ping() async throws {
        try await withDeadline(Self.healthDeadline) {
            try await self.read { connection in
                _ = try await connection.query("SELECT 1", logger: self.logger)
            }
        }
    }

    /// Why the database cannot take writes now, or nil: the last write failed for want of space or permission (and
    /// none succeeded since), or the server is a read-only standby (or its sessions are read-only). A server that does
    /// not answer is `ping()`'s to report: nil here. `minimumFreeBytes` is about a disk of this machine, which holds
    /// no database here: the server's own monitoring watches its disk.
    public func unwritableReason(minimumFreeBytes: Int64) async -> String? {
        if let failure = writeFailure.withLock({ $0 }) { return failure }
        let answer = try? await withDeadline(Self.healthDeadline) {
            try await self.read { connection -> (Bool, String) in
                let rows = try await connection.query(
                    "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')", logger: self.logger)
                return try await rows.decode((Bool, String).self).first { _ in true } ?? (false, "off")
            }
        }
        guard let (recovering, readOnly) = answer else { return nil }
        if recovering {
            return "The database \(location) is a read-only standby (the server is in recovery): point --db at the primary."
        }
        if readOnly == "on" {
            return "The database \(location) takes no writes: its sessions are read-only (default_transaction_read_only is on)."
        }
        return nil
    }

    public func check(_ depth: CheckDepth) async throws -> [CheckProblem] {
        let zone = configuration.zone
        return try await snapshot { connection in
            var problems = try await Self.checkTriggers(on: connection, logger: self.logger)
            problems += try await Self.checkReportHashes(on: connection, logger: self.logger)
            if depth == .full {
                problems += try await Self.checkRollups(on: connection, zone: zone, logger: self.logger)
            }
            return problems
        }
    }

    // MARK: The last write's failure

    /// Records the failure of a write when it says the database cannot take writes (no space, no permission, a
    /// read-only server), clears it after a write that succeeded.
    func noteWrite(failure error: (any Error)?) {
        guard let error else {
            writeFailure.withLock { if $0 != nil { $0 = nil } }
            return
        }
        guard let state = Self.sqlState(error), let psql = error as? PSQLError else { return }
        // 53…: insufficient resources (disk full, out of memory); 42501: no privilege; 25006: a read-only transaction.
        guard state.hasPrefix("53") || state == "42501" || state == "25006" else { return }
        let sentence = StoreError.unavailable(path: location.description, reason: Self.reason(psql)).description
        writeFailure.withLock { $0 = sentence }
    }

    // MARK: A deadline

    /// `body`'s value, or `StoreError.unavailable` once `deadline` has passed (and `body` is cancelled). The caller
    /// never waits longer: `body` runs in a task of its own, which it does not wait for.
    func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let location = location
        let race = DeadlineRace<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                race.finish(.failure(StoreError.unavailable(
                    path: location.description, reason: "the server did not answer within \(deadline)")))
            }
            race.hold(work, timer)
        }
    }

    // MARK: The checks

    /// Every trigger the migrations made is there (a guard dropped behind Rida's back lets what it keeps be changed).
    static func checkTriggers(on connection: PostgresConnection, logger: Logger) async throws -> [CheckProblem] {
        var expected: [String] = []
        for migration in PostgresMigrations.all {
            for statement in migration.statements where statement.hasPrefix("CREATE TRIGGER ") {
                if let name = statement.dropFirst("CREATE TRIGGER ".count).split(separator: " ").first {
                    expected.append(name.lowercased())
                }
            }
        }
        var present = Set<String>()
        let rows = try await connection.query(
            "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'", logger: logger)
        for try await name in rows.decode(String.self) { present.insert(name) }
        return expected.filter { !present.contains($0) }.map { name in
            CheckProblem(.schema, "the trigger \(name) that Rida's migrations made is missing or disabled: what it guards can now be changed or deleted behind Rida's back")
        }
    }

    /// Every saved report's stored content, and every published page, still has the SHA-256 stored with it.
    static func checkReportHashes(on connection: PostgresConnection, logger: Logger) async throws -> [CheckProblem] {
        var problems: [CheckProblem] = []
        let rows = try await connection.query("""
            SELECT id, scope, quarter, status, content, contentSha256, page, pageSha256 FROM savedReport
            WHERE content IS NOT NULL OR page IS NOT NULL ORDER BY id
            """, logger: logger)
        for try await (id, scope, quarter, status, content, contentSha, page, pageSha)
            in rows.decode((Int64, String, String, String, String?, String?, String?, String?).self) {
            let name = "report #\(id) (\(status), \(scope), \(quarter))"
            if let content, hex(SHA256.hash(data: Data(content.utf8))) != contentSha {
                problems.append(CheckProblem(.reports, "\(name): its stored content does not match its SHA-256"))
            }
            if let page, hex(SHA256.hash(data: Data(page.utf8))) != pageSha {
                problems.append(CheckProblem(.reports, "\(name): its published page does not match its SHA-256"))
            }
        }
        return problems
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }

    /// Every rollup (quarterly, service, counter, day) against a recount of the responses, and the reports' comments
    /// against the responses' (`SQLiteStore.checkRollups`, the same sentences).
    static func checkRollups(on connection: PostgresConnection, zone: DeploymentZone, logger: Logger) async throws -> [CheckProblem] {
        var recount: [RollupTable: [[String]: [Int64]]] = [:]
        let responses = try await connection.query("""
            SELECT quarter, centre, channel, submittedAt, receivedAt, stage, q1, q2, q3, q4, service, counter FROM response
            WHERE setAside IS NULL
            """, logger: logger)
        for try await row in responses {
            let c = row.makeRandomAccess()
            let quarter = try c[0].decode(String.self), centre = try c[1].decode(String.self), channel = try c[2].decode(String.self)
            let stage = try c[5].decode(String?.self).flatMap(Stage.init(rawValue:))
            let ratings = try (6...9).map { try c[$0].decode(Int16?.self).map(Int.init) }
            func add(_ key: [String], _ table: RollupTable) {
                let width = table.detail ? RollupLayout.detailWidth : RollupLayout.width
                var counts = recount[table]?[key] ?? [Int64](repeating: 0, count: width)
                counts[RollupLayout.responsesIndex] += 1
                for (q, rating) in ratings.enumerated() {
                    if let rating, (1...RollupLayout.scores).contains(rating) { counts[RollupLayout.index(question: q, score: rating)] += 1 }
                }
                if !table.detail, let stage { counts[RollupLayout.index(of: stage)] += 1 }
                recount[table, default: [:]][key] = counts
            }
            add([quarter, centre, channel], .rollup)
            if let service = try c[10].decode(String?.self) { add([quarter, centre, channel, service], .service) }
            if let counter = try c[11].decode(String?.self) { add([quarter, centre, counter], .counter) }
            guard let submitted = instant(try c[3].decode(String.self)) else { continue }
            let day = floorDiv(zone.wallClock(at: submitted), 86_400_000)
            if let received = instant(try c[4].decode(String.self)),
               day >= floorDiv(zone.wallClock(at: received), 86_400_000) - SQLiteStore.dayRollupWindow {
                add([CivilDate(daysSince1970: day).iso8601, centre, channel], .day)
            }
        }
        var problems: [CheckProblem] = []
        let names: [(RollupTable, String)] = [(.rollup, "quarterly rollup"), (.service, "service rollup"),
                                              (.counter, "counter rollup"), (.day, "day rollup")]
        for (table, title) in names {
            let width = table.detail ? RollupLayout.detailWidth : RollupLayout.width
            let columns = table.detail ? RollupLayout.detailColumns : RollupLayout.columns
            var stored: [[String]: [Int64]] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \((table.keys + columns).joined(separator: ", ")) FROM \(table.name)
                """), logger: logger)
            for try await row in rows {
                let c = row.makeRandomAccess()
                let key = try (0..<table.keys.count).map { try c[$0].decode(String.self) }
                stored[key] = try (0..<width).map { try c[table.keys.count + $0].decode(Int64.self) }
            }
            let expected = recount[table] ?? [:]
            problems += CheckProblem.rollupDifferences(title, stored: stored, recounted: expected)
        }
        // Comments: each response's comment once, under its quarter and centre, and nothing else.
        let missingRows = try await connection.query("""
            SELECT count(*) FROM response r WHERE r.comment IS NOT NULL AND r.setAside IS NULL AND NOT EXISTS (
                SELECT 1 FROM comment c WHERE c.quarter = r.quarter AND c.centre = r.centre AND c.seq = r.seq
                  AND c.channel = r.channel AND c.text = r.comment)
            """, logger: logger)
        let missing = try await missingRows.decode(Int64.self).first { _ in true } ?? 0
        let extraRows = try await connection.query("""
            SELECT count(*) FROM comment c WHERE NOT EXISTS (
                SELECT 1 FROM response r WHERE r.seq = c.seq AND r.quarter = c.quarter AND r.centre = c.centre
                  AND r.channel = c.channel AND r.comment = c.text AND r.setAside IS NULL)
            """, logger: logger)
        let extra = try await extraRows.decode(Int64.self).first { _ in true } ?? 0
        if missing > 0 { problems.append(CheckProblem(.rollups, "\(missing) responses' comments are missing from the reports' comments")) }
        if extra > 0 { problems.append(CheckProblem(.rollups, "the reports' comments hold \(extra) that no response stored has")) }
        return problems
    }
}

/// The tasks of `withDeadline` and `untilClosed`: the first to finish resumes the caller and cancels the others. A
/// finish that comes before the caller waits (its task was cancelled at once) is kept and given when it waits.
final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var early: Result<T, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func hold(_ tasks: Task<Void, Never>...) {
        let cancel = state.withLock { state -> Bool in
            state.tasks = tasks
            return state.done
        }
        if cancel { tasks.forEach { $0.cancel() } }
    }

    /// Ends the race with `result`, if it has not ended yet: true when this finish decided it.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (won, continuation, tasks) = state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            if state.done { return (false, nil, []) }
            state.done = true
            defer { state.continuation = nil }
            if state.continuation == nil { state.early = result }
            return (true, state.continuation, state.tasks)
        }
        continuation?.resume(with: result)
        tasks.forEach { $0.cancel() }
        return won
    }
}
