import ArgumentParser
import Foundation
import Logging
import RidaAssessment
import RidaPostgres
import RidaStore
import RidaSurvey

@main
struct Rida: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rida",
        abstract: "Customer-satisfaction surveys for government service centres, after Bahrain's 2023 guide.",
        discussion: """
            Rida stores the guide's appendix-3 questionnaire responses in one SQLite file and reports \
            each quarter's figures and thresholds per centre and channel.

            Start with `rida demo`, then `rida report --db rida-demo.sqlite --quarter <the quarter it printed>`.
            """,
        version: RidaVersion.current,
        subcommands: [DemoCommand.self, ImportCommand.self, ImportsCommand.self, ReportCommand.self, SurveyCommand.self,
                      CriteriaCommand.self, CentresCommand.self, MappingCommand.self, AssessCommand.self, ServeCommand.self, KeysCommand.self,
                      BackupCommand.self, RestoreCommand.self, DatabaseCommand.self, MisuseCommand.self, CasesCommand.self, InvitationsCommand.self, SignsCommand.self,
                      WidgetsCommand.self]
    )

    /// Parses the arguments, runs the command, and reports its error in the one place errors are reported: a sentence
    /// on standard error (`rida: …`), never a stack trace, and a non-zero exit status. ArgumentParser's own errors (a
    /// bad option, `--help`, `ExitCode`) keep its handling.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as any RidaFailure {
            printError(commandLineSentence(failure))
            Foundation.exit(exitStatus(for: failure))
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // ArgumentParser's own: a bad option, --help and `rida help` (thrown by its help command's run), ExitCode.
            exit(withError: error)
        } catch {
            // Not Rida's own (a Foundation or GRDB error): its description (interpolation uses it when it has one).
            printError("\(error)")
            Foundation.exit(2)
        }
    }

    /// The exit status for a failure: 2 for every kind (the command did not do what it was asked), but where a command
    /// says otherwise (`CLIError.exitCode`: 1 when a file's rows were refused and each problem is listed).
    static func exitStatus(for failure: any RidaFailure) -> Int32 {
        if let error = failure as? CLIError { return error.exitCode }
        switch failure.kind {
        case .invalid, .notFound, .conflict, .unauthorized, .forbidden, .tooLarge, .rateLimited, .unavailable, .internalFailure:
            return 2
        }
    }
}

/// One version number everywhere: `rida --version`, `/health`, and the engine version stored with every report.
enum RidaVersion {
    static let current = RidaEngine.version
}

/// Where the database is and how the deployment is set up: shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file (default: $RIDA_DB, else ./rida.sqlite), or a PostgreSQL database as postgres://user@host:5432/database (every command but demo, backup, restore and db repair-rollups).",
        valueName: "path"))
    var db: String?

    @Option(name: .customLong("read-db"), help: ArgumentHelp(
        "A streaming standby of the PostgreSQL database, as postgres://user@host:5432/database (default: $RIDA_READ_DB): reports and assessments are read from it, opened read-only; everything else uses --db.",
        valueName: "url"))
    var readDB: String?

    @Option(name: .long, help: ArgumentHelp("A JSON settings file (default: $RIDA_CONFIG); see docs/configuration.md.", valueName: "file"))
    var config: String?

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["RIDA_DB"] ?? "rida.sqlite"
    }

    /// Where reports and assessments are read, when not from `--db`: `--read-db`, else `RIDA_READ_DB` (empty is none).
    var readDatabaseURL: String? {
        (readDB ?? ProcessInfo.processInfo.environment["RIDA_READ_DB"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    func settings() throws -> Settings {
        try Settings.load(path: config ?? ProcessInfo.processInfo.environment["RIDA_CONFIG"])
    }

    /// Opens the SQLite store; `create` is false for commands that only read. A PostgreSQL URL is refused with the
    /// commands that take one: the others work on a SQLite file so far.
    func open(_ settings: Settings, create: Bool) throws -> SQLiteStore {
        if PostgresLocation.isPostgresURL(databasePath) {
            throw StoreError.unavailable(
                path: (try? PostgresLocation(url: databasePath).description) ?? "postgres://…",
                reason: "this command works on a SQLite database file (rida db copy moves a database between the two)")
        }
        let store = try SQLiteStore(path: databasePath, configuration: settings.storeConfiguration, create: create)
        announceUpgrade(store)
        return store
    }
}

/// The database a command works on, SQLite or PostgreSQL, and how to close it when done.
struct OpenedStore: Sendable {
    let store: any RidaStorage & StoreCopying
    /// The SQLite store, for what only a file has (backups, `announceUpgrade`); nil on PostgreSQL.
    let sqlite: SQLiteStore?
    let close: @Sendable () async -> Void
}

extension StoreOptions {
    /// Opens the database: a SQLite file (made when `create`, else it must exist), or a PostgreSQL database when
    /// `--db` or `RIDA_DB` is a `postgres://` URL (migrated if needed; `create` does not apply: the database is made
    /// with PostgreSQL's own createdb). `connections` bounds the PostgreSQL pool.
    /// `readOnly` opens a PostgreSQL database without migrating it (its schema must be this version's), as a source is
    /// read: a standby can be one, and reading never changes what is read. A SQLite file opens as always.
    func openStore(_ settings: Settings, create: Bool, connections: Int = 2, path: String? = nil,
                   readOnly: Bool = false) async throws -> OpenedStore {
        let path = path ?? databasePath
        if PostgresLocation.isPostgresURL(path) {
            let store = try await PostgresStore.open(url: path, readOnly: readOnly, configuration: settings.storeConfiguration,
                                                     maximumConnections: connections)
            return OpenedStore(store: store, sqlite: nil, close: { await store.close() })
        }
        let store = try SQLiteStore(path: path, configuration: settings.storeConfiguration, create: create)
        announceUpgrade(store)
        return OpenedStore(store: store, sqlite: store, close: { try? store.close() })
    }

    /// Opens the read database (`--read-db` or `RIDA_READ_DB`) read-only, or nil when there is none. It must be a
    /// PostgreSQL standby: a SQLite file has no standby to read from. A standby that lacks this version's migrations
    /// (its primary was migrated a moment ago, by this very command when it opened `--db`) is waited for, up to
    /// `replayWait`, before the refusal stands. With `evenIfAway` (the service), a standby that cannot be reached is
    /// opened all the same, said on standard error, and checked when it answers: its reads answer 503 meanwhile.
    func openReadStore(_ settings: Settings, connections: Int = 2, replayWait: Duration = .zero,
                       evenIfAway: Bool = false) async throws -> OpenedStore? {
        guard let url = readDatabaseURL else { return nil }
        // A standby serves its primary: with a SQLite file as --db, a read database (say, RIDA_READ_DB left in the
        // environment) would answer for another database than the one named.
        guard PostgresLocation.isPostgresURL(databasePath) else {
            throw CLIError("The read database (--read-db or RIDA_READ_DB) is a standby of a PostgreSQL database, and --db names \(databaseName), a SQLite file: leave the read database out (unset RIDA_READ_DB) to read from it.")
        }
        guard PostgresLocation.isPostgresURL(url) else {
            throw CLIError("The read database (--read-db or RIDA_READ_DB) must be a PostgreSQL standby's postgres:// URL; \(PostgresURLError.withoutPassword(url)) is not one: leave it out to read from --db.")
        }
        let deadline = ContinuousClock.now + replayWait
        while true {
            do {
                let store = try await PostgresStore.open(url: url, readOnly: true, configuration: settings.storeConfiguration,
                                                         maximumConnections: connections)
                return OpenedStore(store: store, sqlite: nil, close: { await store.close() })
            } catch let error as ReadOnlyDatabaseError where ContinuousClock.now < deadline {
                guard case .behind = error else { throw error }
                try await Task.sleep(for: .milliseconds(500))
            } catch let error as StoreError where evenIfAway {
                // Away is waited for; a server that answered no (a wrong password, no such database) is a mistake in
                // the URL that 503s for ever would hide.
                guard case .unavailable = error, !PostgresStore.refusedTheURL(error) else { throw error }
                printStatus("rida: \(error.description) Reports and assessments answer 503 until it can, and its schema is checked then.")
                let store = try await PostgresStore.open(url: url, readOnly: true, checkingLater: true,
                                                         configuration: settings.storeConfiguration, maximumConnections: connections)
                return OpenedStore(store: store, sqlite: nil, close: { await store.close() })
            }
        }
    }

    /// Opens the database reports and assessments are read from (the read database when there is one, else the
    /// database itself, which must exist), runs `body` on it and closes it.
    func withReadStore<T>(_ settings: Settings, _ body: (any RidaStorage) async throws -> T) async throws -> T {
        guard let opened = try await openReadStore(settings) else {
            return try await withStore(settings, create: false, body)
        }
        return try await using(opened, body)
    }

    /// Opens the database, runs `body` on it and closes it, whether `body` returns or throws.
    func withStore<T>(_ settings: Settings, create: Bool, _ body: (any RidaStorage) async throws -> T) async throws -> T {
        try await using(try await openStore(settings, create: create), body)
    }

    private func using<T>(_ opened: OpenedStore, _ body: (any RidaStorage) async throws -> T) async throws -> T {
        do {
            let value = try await body(opened.store)
            await opened.close()
            return value
        } catch {
            await opened.close()
            throw error
        }
    }

    /// The database as messages name it: the file's path, or the URL without its password.
    var databaseName: String {
        (try? PostgresLocation(url: databasePath).description) ?? PostgresURLError.withoutPassword(databasePath)
    }
}

/// A failure's sentence as the command line tells it: the library's sentence, then the command that does its next
/// step, when it has one. The one place the command line names its commands in a library error (`Rida.main` prints it).
func commandLineSentence(_ failure: any RidaFailure) -> String {
    guard let step = failure.nextStep else { return failure.description }
    var sentence = failure.description
    if sentence.hasSuffix(".") { sentence.removeLast() }
    return sentence + step.commandLineHint
}

extension NextStep {
    /// The hint that follows a sentence (its last full stop removed), with its own punctuation and full stop.
    var commandLineHint: String {
        switch self {
        case .createDatabase: ": import responses first (rida import FILE) or create the demo (rida demo)."
        case .listEntities: ": rida centres entities lists them."
        case .registerCentres(let entity): ": register them with rida centres add --entity \(entity)."
        case .registerCentre(let centre): " (rida centres add \(centre) --entity … --kind headquarters --channels …)."
        case .registerHeadquarters(let centre): " (rida centres add \(centre) --kind headquarters)."
        case .registerEntity(let entity): " (rida centres add-entity \(entity))."
        case .registerServingEntities(let centre): " (rida centres add \(centre) --serves …)."
        case .completeCentre(let centre): ": rida centres add \(centre) --entity … --kind … --channels …."
        case .registerRemoteCentre(let entity): ": rida centres add ID --entity \(entity) --kind remote --channels …."
        case .importTawasul: " (rida import --kind tawasul FILE)."
        case .listReports: ": rida report list shows them."
        case .publishReport(let id): ": rida report publish \(id) does it."
        case .correctReport(let id): "; rida report correct \(id) starts a correction."
        case .dropActionWithNote: ": record it, then rida report action REPORT ACTION --status dropped --note …."
        case .listActions: ": rida report list --format json shows its actions."
        case .recordAction(let report, let action): " (rida report action \(report) \(action) …)."
        case .openAssessment: " (rida assess open …)."
        case .listAssessments: ": rida assess list shows the open ones."
        case .listImports: " (rida imports lists them)."
        case .copyIntoEmptyDatabase: ": give rida db copy --to a new file, or an empty PostgreSQL database (createdb NAME)."
        }
    }
}

/// Says on standard error when opening upgraded a database written by an older rida, and where its copy is.
func announceUpgrade(_ store: SQLiteStore) {
    if let upgrade = store.upgrade { printStatus("rida: \(store.path) was \(upgrade).") }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data(("rida: " + text + "\n").utf8))
}

func printStatus(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A logger that writes to standard error at warning level and above unless asked for more.
func makeLogger(verbose: Bool = false) -> Logger {
    var logger = Logger(label: "rida") { label in StreamLogHandler.standardError(label: label) }
    logger.logLevel = verbose ? .info : .warning
    return logger
}

func now() -> Instant {
    Instant(Date())
}

func isTerminal(_ fd: Int32) -> Bool {
    isatty(fd) == 1
}
