import ArgumentParser
import Foundation
import RidaStore

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
        abstract: "Check the database, and rebuild its rollups.",
        subcommands: [Check.self, RepairRollups.self]
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
}
