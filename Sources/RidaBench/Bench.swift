import ArgumentParser
import Foundation
import GRDBSQLite
import Logging
import RidaAggregation
import RidaAssessment
import RidaImport
import RidaPostgres
import RidaReports
import RidaStore
import RidaSurvey

// rida-bench: Rida's ingest and report figures, each beside a raw SQLite yardstick measured in the same run, and
// the same figures on PostgreSQL when given a server (`--postgres URL` or RIDA_BENCH_POSTGRES).
//
//   swift run -c release rida-bench [--rows N] [--large N] [--runs R] [--single N] [--batch N] [--dir DIR]
//                                   [--postgres URL] [--postgres-large N]
//
// It imports only the SQLite C API for the yardstick; everything it measures of Rida goes through the library.

/// What to measure, read from the command line by `Bench`.
struct Options: Sendable {
    var rows: Int
    var large: Int
    var runs: Int
    var single: Int
    var batch: Int
    var dir: String
    /// The PostgreSQL server (its URL's user, host, port; the bench works in a database `rida_bench` of its own).
    var postgres: PostgresLocation? = nil
    /// The stored responses the PostgreSQL database is filled to for its last report.
    var postgresLarge: Int = 0
}

/// The database the bench creates, drops and fills on the server `--postgres` names: never the URL's own database.
let benchDatabase = "rida_bench"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rida-bench: \(message)\n".utf8))
    exit(2)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

@MainActor
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Random responses: random UUIDs as client ids, 50 centres × 8 channels × 8 quarters (3,200 groups).
struct Workload {
    static let channels = ChannelCatalog.standard.channels.map(\.id)
    static let start = Instant(millisecondsSince1970: 1_727_730_000_000)  // 2024-10-01T00:00+03:00: 8 quarters to 2026-Q3
    static let span: Int64 = 2 * 365 * 86_400_000

    static func responses(_ count: Int, seed: UInt64) -> [SurveyResponse] {
        var rng = SplitMix(seed: seed)
        return (0..<count).map { _ in
            let ratings: [Int?] = (0..<4).map { _ in
                let r = Int(rng.next() % 100)
                return r < 3 ? nil : r < 45 ? 5 : r < 78 ? 4 : r < 90 ? 3 : r < 96 ? 2 : 1
            }
            return SurveyResponse(
                id: UUID(uuid: rng.uuid()).uuidString.lowercased(),
                centre: "C\(100 + Int(rng.next() % 50))",
                channel: channels[Int(rng.next() % 8)],
                submittedAt: start.adding(milliseconds: Int64(rng.next() % UInt64(span))),
                stage: rng.next() % 2 == 0 ? .after : nil,
                ratings: ratings.allSatisfy { $0 == nil } ? [4, nil, nil, nil] : ratings,
                service: rng.next() % 3 == 0 ? "تجديد جواز السفر" : "Smart card renewal",
                counter: "\(1 + rng.next() % 9)",
                comment: rng.next() % 5 == 0 ? "الانتظار طويل، \"جداً\"" : nil)
        }
    }

    static func csv(_ responses: [SurveyResponse]) -> String {
        var out = "id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment,stage\n"
        out.reserveCapacity(responses.count * 130)
        for r in responses {
            let ratings = r.ratings.map { $0.map(String.init) ?? "" }.joined(separator: ",")
            out += "\(r.id),\(r.centre),\(r.channel),\(r.submittedAt.iso8601),\(ratings),\(r.service ?? ""),\(r.counter ?? ""),"
            out += (r.comment.map { CSVWriter.field($0) } ?? "") + ",\(r.stage?.rawValue ?? "")\n"
        }
        return out
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uuid() -> uuid_t {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i))); bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])
    }
}

/// The yardstick: the same rows into a table of the same shape with SQLite's C API, a prepared statement,
/// WAL, `synchronous=FULL`, in transactions of `batch` rows. No validation, no dedupe, no rollups.
func rawSQLite(_ responses: [SurveyResponse], path: String, batch: Int) -> Double {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { fail("cannot open \(path)") }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) {
        if sqlite3_exec(db, sql, nil, nil, nil) != SQLITE_OK { fail(String(cString: sqlite3_errmsg(db))) }
    }
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-131072")
    exec("""
        CREATE TABLE response (id TEXT PRIMARY KEY NOT NULL, centre TEXT NOT NULL, channel TEXT NOT NULL,
          submittedAt TEXT NOT NULL, quarter TEXT NOT NULL, stage TEXT, q1 INTEGER, q2 INTEGER, q3 INTEGER, q4 INTEGER,
          service TEXT, counter TEXT, comment TEXT, surveyId TEXT NOT NULL, surveyVersion INTEGER NOT NULL,
          importId INTEGER, receivedAt TEXT NOT NULL)
        """)
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO response VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &statement, nil)
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    // Text prepared beforehand: the yardstick measures SQLite alone.
    let rows = responses.map { r in (r.id, r.centre, r.channel, r.submittedAt.iso8601, r.stage?.rawValue, r.ratings, r.service, r.counter, r.comment) }
    let start = DispatchTime.now().uptimeNanoseconds
    exec("BEGIN")
    for (i, row) in rows.enumerated() {
        func text(_ index: Int32, _ value: String?) {
            if let value { sqlite3_bind_text(statement, index, value, -1, transient) } else { sqlite3_bind_null(statement, index) }
        }
        text(1, row.0); text(2, row.1); text(3, row.2); text(4, row.3); text(5, "2025-Q1"); text(6, row.4)
        for q in 0..<4 {
            if let v = row.5[q] { sqlite3_bind_int(statement, Int32(7 + q), Int32(v)) } else { sqlite3_bind_null(statement, Int32(7 + q)) }
        }
        text(11, row.6); text(12, row.7); text(13, row.8); text(14, "appendix-3"); sqlite3_bind_int(statement, 15, 1)
        sqlite3_bind_null(statement, 16); text(17, "2026-01-01T00:00:00.000Z")
        if sqlite3_step(statement) != SQLITE_DONE { fail(String(cString: sqlite3_errmsg(db))) }
        sqlite3_reset(statement)
        if (i + 1) % batch == 0 { exec("COMMIT; BEGIN") }
    }
    exec("COMMIT")
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rida-bench",
        abstract: "Rida's ingest and report figures, each beside a raw SQLite yardstick measured in the same run.",
        discussion: "Compare ratios within a run, and take the median of several runs: see docs/benchmarks.md."
    )

    @Option(help: ArgumentHelp("The responses generated, imported and reported on.", valueName: "N"))
    var rows = 1_000_000

    @Option(help: ArgumentHelp("The stored responses the database is filled to for the last report (0 skips the fill).", valueName: "N"))
    var large = 10_000_000

    @Option(help: ArgumentHelp("The ingest runs; medians are shown.", valueName: "R"))
    var runs = 3

    @Option(help: ArgumentHelp("The responses for the one-per-transaction figures.", valueName: "N"))
    var single = 20_000

    @Option(help: ArgumentHelp("The import's batch, and the raw yardstick's transaction size.", valueName: "N"))
    var batch = Importer.defaultBatchSize

    @Option(help: ArgumentHelp("The folder for the generated files and databases.", valueName: "DIR"))
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("rida-bench").path

    @Option(help: ArgumentHelp(
        "A PostgreSQL server to measure beside SQLite (default: $RIDA_BENCH_POSTGRES), as postgres://user@host:5432/database: the bench connects to that database to create, fill and drop a database rida_bench of its own, and measures the import, batches of 100 and the reports there.",
        valueName: "URL"))
    var postgres: String?

    @Option(help: ArgumentHelp("The stored responses the PostgreSQL database is filled to for its last report (default: --large; 0 skips the fill).", valueName: "N"))
    var postgresLarge: Int?

    /// The server to measure on, from `--postgres` or RIDA_BENCH_POSTGRES (empty: none).
    var postgresURL: String? {
        (postgres ?? ProcessInfo.processInfo.environment["RIDA_BENCH_POSTGRES"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be 1 or more.") }
        if batch < 1 { throw ValidationError("--batch must be 1 or more.") }
        if rows < 1 { throw ValidationError("--rows must be 1 or more.") }
        if single < 1 { throw ValidationError("--single must be 1 or more.") }
        if large < 0 { throw ValidationError("--large must be 0 (no fill) or more.") }
        if let postgresLarge, postgresLarge < 0 { throw ValidationError("--postgres-large must be 0 (no fill) or more.") }
        if let postgresURL {
            do { _ = try PostgresLocation(url: postgresURL) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        try await Self.measure(Options(rows: rows, large: large, runs: runs, single: single, batch: batch, dir: dir,
                                       postgres: try postgresURL.map { try PostgresLocation(url: $0) },
                                       postgresLarge: postgresLarge ?? large))
    }

    /// The measurements, on the main actor as the executable's entry point ran them before it parsed with ArgumentParser.
    @MainActor
    static func measure(_ options: Options) async throws {
        try FileManager.default.createDirectory(atPath: options.dir, withIntermediateDirectories: true)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let now = Instant(Date())
        say("rida-bench: \(options.rows) rows, \(options.runs) runs (medians shown), in \(options.dir)")
        say("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, SQLite \(String(cString: sqlite3_libversion()))")
        let bench = options.postgres?.with(database: benchDatabase)
        if let bench { say("PostgreSQL: \(bench) (created and dropped by the bench)") }

        let responses = Workload.responses(options.rows, seed: 1)
        let csvPath = options.dir + "/responses.csv"
        try Data(Workload.csv(responses).utf8).write(to: URL(fileURLWithPath: csvPath))
        say("generated \(responses.count) responses with random ids, \(try FileManager.default.attributesOfItem(atPath: csvPath)[.size] ?? 0) bytes of CSV")

        // 1. Import from CSV into a fresh database, beside the raw SQLite yardstick, runs interleaved.
        var rawOne: [Double] = [], rawBatched: [Double] = [], imports: [Double] = [], checks: [Double] = []
        var postgresImports: [Double] = []
        var postgresStore: PostgresStore?
        let dbPath = options.dir + "/rida.sqlite"
        for run in 1...options.runs {
            rawOne.append(rawSQLite(responses, path: options.dir + "/raw.sqlite", batch: Int.max))
            rawBatched.append(rawSQLite(responses, path: options.dir + "/raw.sqlite", batch: options.batch))
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
            let store = try SQLiteStore(path: dbPath)
            let importer = Importer(store: store, validator: ResponseValidator(), batchSize: options.batch, logger: logger)
            var summary: ImportSummary?
            imports.append(try await seconds { summary = try await importer.importFile(at: csvPath, now: now) })
            guard summary?.tally.accepted == options.rows else { fail("import accepted \(summary?.tally.accepted ?? 0) of \(options.rows)") }
            checks.append(try await seconds { _ = try await importer.importFile(at: csvPath, now: now, checkOnly: true) })
            if run < options.runs { try store.close() }
            var line = "  run \(run): raw one txn \(Int(Double(options.rows) / rawOne.last!)) rows/s, raw batches \(Int(Double(options.rows) / rawBatched.last!)) rows/s, rida import \(Int(Double(options.rows) / imports.last!)) rows/s"
            // The same import into a new PostgreSQL database, in the same run.
            if let bench {
                await postgresStore?.close()
                let fresh = try await freshPostgres(bench, from: options.postgres!.database)
                let importer = Importer(responses: fresh, validator: ResponseValidator(), batchSize: options.batch, logger: logger)
                var summary: ImportSummary?
                postgresImports.append(try await seconds { summary = try await importer.importFile(at: csvPath, now: now) })
                guard summary?.tally.accepted == options.rows else { fail("PostgreSQL import accepted \(summary?.tally.accepted ?? 0) of \(options.rows)") }
                postgresStore = fresh
                line += ", PostgreSQL import \(Int(Double(options.rows) / postgresImports.last!)) rows/s"
            }
            say(line)
        }
        let n = Double(options.rows)
        say("")
        say("ingest, \(options.rows) rows (median of \(options.runs))")
        say(String(format: "  raw SQLite, C API, one transaction       %9.0f rows/s", n / median(rawOne)))
        say(String(format: "  raw SQLite, C API, transactions of %d rows  %9.0f rows/s", options.batch, n / median(rawBatched)))
        say(String(format: "  rida import --check (read and validate only)  %9.0f rows/s", n / median(checks)))
        say(String(format: "  rida import, batches of %d (CSV: parse, validate, dedupe, store, rollups)  %9.0f rows/s", options.batch, n / median(imports)))
        if !postgresImports.isEmpty {
            say(String(format: "  rida import into PostgreSQL, batches of %d (the same path)  %9.0f rows/s", options.batch, n / median(postgresImports)))
        }

        // 2. The quarterly report over all centres at 1M stored responses.
        let store = try SQLiteStore(path: dbPath)
        let latest = try await store.quartersWithResponses().last!
        func reportTime(_ store: any ResponseStore) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<21 {
                times.append(try await seconds {
                    let report = try await store.quarterlyReport(ReportScope(quarter: latest), policy: ThresholdPolicy(), channels: .standard)
                    precondition(report.groups.count > 0)
                })
            }
            return median(times)
        }
        /// The HTML report of one centre: the snapshot read from the store (figures, 8-quarter trends, breakdowns,
        /// comments) and the page rendered, as `rida report --centre C --format html` does.
        func htmlReportTime(_ store: any ResponseStore) async throws -> (Double, Int) {
            var times: [Double] = []
            var size = 0
            let subject = try await store.reportSubject(centre: "C100")
            for _ in 0..<21 {
                times.append(try await seconds {
                    let snapshot = try await store.reportSnapshot(subject: subject, quarter: latest, policy: ThresholdPolicy(),
                                                                  channels: .standard, at: now)
                    size = HTMLReport.render(snapshot).utf8.count
                })
            }
            return (median(times), size)
        }
        say("")
        func reports(_ store: any ResponseStore, on database: String) async throws {
            let count = try await store.responseCount()
            say(String(format: "quarterly report%@, all centres, %@, %d stored responses: %.2f ms (median of 21)", database,
                       latest.description, count, try await reportTime(store) * 1000))
            let (htmlTime, htmlSize) = try await htmlReportTime(store)
            say(String(format: "HTML report%@, one centre (C100), %@, %d stored responses: %.2f ms (median of 21), %d bytes", database,
                       latest.description, count, htmlTime * 1000, htmlSize))
        }
        try await reports(store, on: "")
        if let postgresStore { try await reports(postgresStore, on: " on PostgreSQL") }

        // 3. One response per transaction (a naive server), FULL and NORMAL, and group commit (batches of 64).
        let extra = Workload.responses(options.single * 3, seed: 2)
        for (label, durability, slice) in [("FULL", Durability.full, 0), ("NORMAL", Durability.normal, 1)] {
            let single = try SQLiteStore(path: dbPath, configuration: StoreConfiguration(durability: durability))
            let part = extra[(slice * options.single)..<((slice + 1) * options.single)]
            let t = try await seconds { for r in part { _ = try await single.save([r], receivedAt: now) } }
            say(String(format: "one response per transaction, synchronous=%@: %.0f rows/s", label, Double(part.count) / t))
        }
        let grouped = Array(extra[(2 * options.single)...])
        let t = try await seconds {
            var i = 0
            while i < grouped.count {
                _ = try await store.save(Array(grouped[i..<min(grouped.count, i + 64)]), receivedAt: now)
                i += 64
            }
        }
        say(String(format: "group commit, 64 responses per transaction, synchronous=FULL: %.0f rows/s", Double(grouped.count) / t))

        // Batches of 100 responses, one transaction each (a kiosk's queue, a partner's push), on each store in turn.
        let hundreds = Workload.responses(options.single * options.runs, seed: 3)
        var sqliteHundreds: [Double] = [], postgresHundreds: [Double] = []
        func batchesOf100(_ store: any ResponseStore, _ part: ArraySlice<SurveyResponse>) async throws -> Double {
            try await seconds {
                var i = part.startIndex
                while i < part.endIndex {
                    _ = try await store.save(Array(part[i..<min(part.endIndex, i + 100)]), receivedAt: now, importID: nil, rejected: 0)
                    i += 100
                }
            }
        }
        for run in 0..<options.runs {
            let part = hundreds[(run * options.single)..<((run + 1) * options.single)]
            sqliteHundreds.append(try await batchesOf100(store, part))
            if let postgresStore { postgresHundreds.append(try await batchesOf100(postgresStore, part)) }
        }
        let batches = Double((options.single + 99) / 100)
        say(String(format: "batches of 100 responses, one transaction each, SQLite synchronous=FULL: %.0f batches/s, %.0f rows/s (median of %d)",
                    batches / median(sqliteHundreds), Double(options.single) / median(sqliteHundreds), options.runs))
        if !postgresHundreds.isEmpty {
            say(String(format: "batches of 100 responses, one transaction each, PostgreSQL synchronous_commit=on: %.0f batches/s, %.0f rows/s (median of %d)",
                        batches / median(postgresHundreds), Double(options.single) / median(postgresHundreds), options.runs))
        }

        // 4. The report at `large` stored responses.
        if options.large > options.rows {
            say("")
            try await fill(store, to: options.large, batch: 20_000, on: "SQLite", now: now)
            try await reports(store, on: "")
        }
        if let postgresStore, options.postgresLarge > options.rows {
            say("")
            try await fill(postgresStore, to: options.postgresLarge, batch: options.batch, on: "PostgreSQL", now: now)
            try await reports(postgresStore, on: " on PostgreSQL")
        }
        try store.close()
        if let postgresStore, let bench {
            await postgresStore.close()
            try await PostgresStore.dropDatabase(bench, from: options.postgres!.database)
        }
    }

    /// A new, empty, migrated `rida_bench` database on the server (the one of the run before dropped).
    static func freshPostgres(_ bench: PostgresLocation, from maintenance: String) async throws -> PostgresStore {
        try await PostgresStore.dropDatabase(bench, from: maintenance)
        try await PostgresStore.createDatabase(bench, from: maintenance)
        return try await PostgresStore.open(bench, maximumConnections: 4)
    }

    /// Fills `store` to `target` responses through its own batch save (`batch` responses per transaction, the rollups
    /// kept as every save keeps them), the next responses generated while a batch is stored; progress every million.
    @MainActor
    static func fill(_ store: any ResponseStore, to target: Int, batch: Int, on database: String, now: Instant) async throws {
        var stored = try await store.responseCount()
        let first = stored
        say("filling \(database) to \(target) responses, \(batch) per transaction…")
        var seed: UInt64 = 10
        let chunkSize = 500_000
        func generate(_ count: Int, _ seed: UInt64) -> Task<[SurveyResponse], Never> {
            Task.detached { Workload.responses(count, seed: seed) }
        }
        var next: Task<[SurveyResponse], Never>? = stored < target ? generate(min(chunkSize, target - stored), seed) : nil
        let start = DispatchTime.now().uptimeNanoseconds
        var reported = stored / 1_000_000
        while let pending = next {
            let chunk = await pending.value
            seed += 1
            let after = stored + chunk.count
            next = after < target ? generate(min(chunkSize, target - after), seed) : nil
            var i = 0
            while i < chunk.count {
                _ = try await store.save(Array(chunk[i..<min(chunk.count, i + batch)]), receivedAt: now, importID: nil, rejected: 0)
                i += batch
            }
            stored = after
            if stored / 1_000_000 > reported || stored >= target {
                reported = stored / 1_000_000
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                say(String(format: "  %d of %d stored, %.0f s, %.0f rows/s", stored, target, elapsed, Double(stored - first) / elapsed))
            }
        }
    }
}
