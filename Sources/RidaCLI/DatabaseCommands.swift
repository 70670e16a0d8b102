import ArgumentParser
import Foundation
import Synchronization
import RidaPostgres
import RidaStore
import RidaUseCases

/// `rida backup`: a consistent copy of the database while `rida serve` keeps writing.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database, consistently, while rida serve keeps writing.",
        discussion: """
            The copy is made with SQLite's online backup API in one read transaction: it holds every response \
            committed before it started, and none half. It is one file (no -wal beside it), readable by its owner \
            only, checked with SQLite's integrity_check, and renamed into place only when whole. \
            rida restore puts one back.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The backup file to write (replaced if it exists).", valueName: "file"))
    var out: String

    func run() async throws {
        let summary = try SQLiteStore.backup(databaseAt: store.databasePath, to: out)
        print("Backed up \(store.databasePath) to \(summary.path): \(summary.responses) responses, schema \(summary.schema), \(summary.bytes) bytes; integrity_check ok.")
    }
}

/// `rida restore FILE`: puts a backup in place after checking it.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back as the database, after checking it.",
        discussion: """
            The backup must open, pass SQLite's integrity_check and foreign_key_check, be a Rida database, and have \
            a schema no newer than this rida. A database that a running process (rida serve) has open is never \
            replaced: stop the service first. An existing database is replaced only with --force, and is then kept \
            beside it as <db>.replaced-<time>. Run rida db check afterwards; opening an older backup upgrades it.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The backup file (from rida backup, or a scheduled backup).", valueName: "file"))
    var file: String

    @Flag(help: "Replace an existing database (it is kept aside, not deleted).")
    var force = false

    func run() async throws {
        let summary = try SQLiteStore.restore(from: file, to: store.databasePath, force: force, at: now())
        let inspection = summary.inspection
        print("Restored \(file) as \(store.databasePath): \(inspection.responses) responses, schema \(inspection.schema); integrity_check ok.")
        if let kept = summary.replacedKeptAt { print("The database it replaced is kept at \(kept).") }
        if !inspection.pendingMigrations.isEmpty {
            print("It is from an older rida: opening it upgrades it (\(inspection.pendingMigrations.joined(separator: ", "))), keeping a copy as it is.")
        }
        print("Next: rida db check --db \(store.databasePath), then start the service; kiosks re-send what they queued.")
    }
}

/// `rida db check` and `rida db repair-rollups`.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check the database, rebuild its rollups, and copy it between SQLite and PostgreSQL.",
        subcommands: [Check.self, RepairRollups.self, Copy.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the database: one line per problem, exit status 1 when there is any.",
            discussion: """
                SQLite's integrity_check and foreign_key_check; the schema's append-only and frozen-report guards; \
                the kept histories (assessment, saved reports, actions, declines, registry log) numbered with nothing \
                removed; every saved report's content and published page against its SHA-256; and every rollup \
                (quarterly, day, service, counter) and the reports' comments recounted from the responses. \
                --quick leaves out the recount and runs quick_check instead of integrity_check.
                """
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Only the quick checks (what /health?deep=1 runs).")
        var quick = false

        func run() async throws {
            let problems = try await store.withStore(try store.settings(), create: false) { db in
                try await db.check(quick ? .quick : .full)
            }
            for problem in problems { print(problem) }
            if problems.isEmpty {
                print("\(store.databaseName) is sound: no problem found\(quick ? " by the quick checks" : "").")
            } else {
                printError("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(store.databaseName)"
                           + (problems.contains { $0.area == .rollups } ? "; rida db repair-rollups rebuilds the rollups from the responses." : "."))
                throw ExitCode(1)
            }
        }
    }

    struct RepairRollups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "repair-rollups",
            abstract: "Rebuild every rollup and the reports' comments from the responses, in one transaction.",
            discussion: "Safe while rida serve runs: submissions wait for the transaction, then go on."
        )

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let db = try store.open(try store.settings(), create: false)
            defer { try? db.close() }
            let repair = try await db.repairRollups()
            let rows = repair.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("Rebuilt the rollups of \(repair.responses) responses in one transaction: \(rows) rows.")
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy everything a database holds into another that holds nothing, and verify the copy.",
            discussion: """
                Each of --from and --to is a SQLite file or a PostgreSQL database (postgres://user@host:5432/database): \
                SQLite to PostgreSQL moves a deployment onto several instances, PostgreSQL to SQLite hands a centre its \
                own file. Everything is copied: responses, rollups, imports, the registry and its log, assessments \
                with their history, evidence, saved reports with their frozen content and pages, actions, declines \
                and API keys (their hashes, as they are). The destination is migrated first and must hold nothing; \
                a new file is made. The source is read from one snapshot, a PostgreSQL source read-only (never migrated: a \
                standby will do, if its schema is this version's); the destination is written in one \
                transaction and verified before it is committed: each table's rows counted and compared value for \
                value, every rollup recounted from the responses, every published report's SHA-256 checked. A copy \
                that fails or does not verify stores nothing. Progress goes to standard error, the summary to \
                standard output. Stop the services writing to the source first: what they write after the copy \
                starts is not in it.
                """
        )

        @Option(name: .long, help: ArgumentHelp("A JSON settings file (default: $RIDA_CONFIG); see docs/configuration.md.", valueName: "file"))
        var config: String?

        @Option(help: ArgumentHelp("The database to copy: a SQLite file or a postgres:// URL.", valueName: "source"))
        var from: String

        @Option(help: ArgumentHelp("The database to copy into, holding nothing: a SQLite file (made if missing) or a postgres:// URL.",
                                   valueName: "destination"))
        var to: String

        func run() async throws {
            // The options every other command shares, with this one's settings file: how databases are opened.
            let store = try StoreOptions.parse(config.map { ["--config", $0] } ?? [])
            let settings = try store.settings()
            let name = { (path: String) in (try? PostgresLocation(url: path).description) ?? path }
            let source = try await store.openStore(settings, create: false, path: from, readOnly: true)
            let isFile = !PostgresLocation.isPostgresURL(to)
            let made = isFile && !FileManager.default.fileExists(atPath: to)
            let destination: OpenedStore
            do {
                destination = try await store.openStore(settings, create: true, path: to)
            } catch {
                await source.close()
                throw error
            }
            let progress = CopyProgress()
            do {
                let summary = try await CopyDatabase(
                    from: source.store, to: destination.store, destinationName: name(to), progress: { progress.show($0) }
                ).run()
                await destination.close()
                await source.close()
                let rows = summary.tables.reduce(0) { $0 + $1.rows }
                for table in summary.tables {
                    print("\(table.table.padding(toLength: 24, withPad: " ", startingAt: 0)) \(table.rows) row\(table.rows == 1 ? "" : "s")\(table.verified ? ", verified" : "")")
                }
                for note in summary.notes { print("note: \(note)") }
                print("Copied \(name(from)) into \(name(to)): \(rows) rows in \(summary.tables.count) tables, each verified; "
                      + "every rollup recounted and \(summary.publishedReports) published report\(summary.publishedReports == 1 ? "" : "s") checked against \(summary.publishedReports == 1 ? "its" : "their") SHA-256.")
            } catch {
                await destination.close()
                await source.close()
                // A file this command made holds nothing of the copy: it goes, so a second attempt starts clean.
                if made {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: to + suffix) }
                }
                throw error
            }
        }
    }
}

/// Shows a copy's progress on standard error: a line when a table starts, then every 100 000 rows.
final class CopyProgress: Sendable {
    /// The rows of the current table when its last line was shown.
    private let shown = Mutex(0)

    func show(_ progress: CopyDatabase.Progress) {
        switch progress {
        case .copying(let table, let done, let total):
            let show = shown.withLock { shown in
                if done == 0 { shown = 0; return true }
                guard done < total, done - shown >= 100_000 else { return false }
                shown = done
                return true
            }
            if show { printStatus(done == 0 ? "copying \(table): \(total) row\(total == 1 ? "" : "s")" : "copying \(table): \(done) of \(total) rows") }
        case .verifying(let table):
            printStatus("verifying \(table)")
        case .checking:
            printStatus("checking the destination: rollups recounted, published reports' SHA-256")
        }
    }
}
