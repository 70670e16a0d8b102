import Logging
import PostgresNIO
import RidaStore
import RidaSurvey
import Synchronization

/// Rida's store on PostgreSQL: the same protocols as `SQLiteStore`, for several `rida` instances over one database
/// (issue 14). It keeps a bounded pool of connections (`PostgresClient`); every write is one transaction, committed
/// with `synchronous_commit` on before it answers, and the rollups are added with upserts in a fixed key order, so
/// writers on several instances neither deadlock nor lose a count.
///
/// ```swift
/// let store = try await PostgresStore.open(url: "postgres://rida@127.0.0.1:5432/rida")
/// defer { Task { await store.close() } }
/// ```
///
/// Opening connects once on its own, applies the pending migrations (`PostgresMigrations`) under an advisory lock, and
/// only then starts the pool. The files `PostgresStore+<Topic>.swift` implement the protocols on top of the two helpers
/// here: `transaction(_:)` for writes and `read(_:)` for reads.
public final class PostgresStore: Sendable {
    public let location: PostgresLocation
    public let configuration: StoreConfiguration
    /// Opened for reading only (`open(_:readOnly:…)`): no migration, every session read-only, every write refused.
    public let readOnly: Bool
    let logger: Logger
    let client: PostgresClient
    /// How long an operation waits for a connection of the pool before it says the database is away: 3 s by default
    /// (a kiosk waits a few seconds at most); the tests' stores wait longer, as a loaded machine may take that long.
    let leaseDeadline: Duration
    /// What the operations on the pool's connections wait on to learn that their connection closed (`untilClosed`).
    let watches = ConnectionWatches()
    /// The pool's run loop: `PostgresClient` needs `run()` for as long as it is used; `close()` cancels it.
    private let running: Task<Void, Never>
    /// The sentence saying why the last write failed for want of space or permission, while no write has succeeded
    /// since: what `unwritableReason` reports (`PostgresStore+Health.swift`).
    let writeFailure = Mutex<String?>(nil)
    /// The surveys and centres this store saw committed in the database: rows never deleted, so a save need not ask
    /// again (two round trips of each save, five with a batch naming five centres). Filled after a commit only.
    let committedRows = Mutex<(surveys: Set<SurveyKey>, centres: Set<String>)>(([], []))
    /// A read-only store opened while its server could not be reached (`checkingLater`): its schema is checked on the
    /// first connection leased, and every operation fails with that check's refusal until it passes.
    private let uncheckedSchema: Mutex<Bool>

    private init(location: PostgresLocation, configuration: StoreConfiguration, readOnly: Bool, uncheckedSchema: Bool,
                 leaseDeadline: Duration, client: PostgresClient, logger: Logger) {
        self.location = location
        self.leaseDeadline = leaseDeadline
        self.configuration = configuration
        self.readOnly = readOnly
        self.uncheckedSchema = Mutex(uncheckedSchema)
        self.client = client
        self.logger = logger
        // Started at once, on this thread until it first waits, so the pool is running before the first lease.
        if #available(macOS 26, *) {
            running = Task.immediate { await client.run() }
        } else {
            running = Task { await client.run() }
        }
    }

    deinit { running.cancel() }

    /// Opens the database at `url` (`postgres://user[:password]@host[:port]/database`), applying its migrations, or
    /// only checking them when `readOnly`.
    public static func open(
        url: String, readOnly: Bool = false, checkingLater: Bool = false, configuration: StoreConfiguration = StoreConfiguration(),
        maximumConnections: Int = 8, logger: Logger = PostgresStore.quietLogger
    ) async throws -> PostgresStore {
        try await open(PostgresLocation(url: url), readOnly: readOnly, checkingLater: checkingLater, configuration: configuration,
                       maximumConnections: maximumConnections, logger: logger)
    }

    /// Opens the database at `location`, applying its migrations: a `StoreError` says why it cannot be used (the
    /// server cannot be reached, refuses the user, has no such database, or was migrated by a newer Rida), and
    /// `ReadOnlyDatabaseError.notPrimary` that it takes no writes (a standby).
    ///
    /// `readOnly` opens a streaming standby (PostgreSQL's hot standby), where reports and assessments are read: nothing
    /// is migrated, but the migrations present must be exactly this version's (`ReadOnlyDatabaseError` says what is
    /// amiss otherwise), every session is read-only (`default_transaction_read_only`), and every write is refused with
    /// `ReadOnlyDatabaseError.writeRefused` before it reaches the server. With `checkingLater` too, it does not connect
    /// now: the check is made on the first connection leased (what `rida serve` does when the standby is away as it
    /// starts: reports answer 503 until the standby answers and passes the check).
    public static func open(
        _ location: PostgresLocation, readOnly: Bool = false, checkingLater: Bool = false,
        configuration: StoreConfiguration = StoreConfiguration(), maximumConnections: Int = 8,
        leaseDeadline: Duration = .seconds(3), logger: Logger = PostgresStore.quietLogger
    ) async throws -> PostgresStore {
        let later = readOnly && checkingLater
        if !later { try await prepare(location, readOnly: readOnly, logger: logger) }
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = max(1, maximumConnections)
        options.connectTimeout = .seconds(10)
        options.additionalStartupParameters = startupParameters(readOnly: readOnly)
        var client = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        client.options = options
        return PostgresStore(location: location, configuration: configuration, readOnly: readOnly, uncheckedSchema: later,
                             leaseDeadline: leaseDeadline, client: PostgresClient(configuration: client, backgroundLogger: logger), logger: logger)
    }

    /// Migrates the database on a connection of its own, or only checks its migrations when `readOnly`.
    private static func prepare(_ location: PostgresLocation, readOnly: Bool, logger: Logger) async throws {
        let connection = try await connect(location, readOnly: readOnly, logger: logger)
        do {
            // A server stopping now must not leave `rida serve` waiting for ever to start (see `withConnection`).
            try await untilClosed(connection, location: location) {
                if readOnly {
                    try await PostgresMigrations.verify(on: connection, location: location, logger: logger)
                } else {
                    _ = try await PostgresMigrations.migrate(on: connection, location: location, logger: logger)
                }
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            // 25006: the migration's first statement ran in a read-only transaction.
            if !readOnly, sqlState(error) == "25006" { throw ReadOnlyDatabaseError.notPrimary(location: location.description) }
            throw failure(error, location: location)
        }
    }

    /// Stops the pool and closes its connections. The store cannot be used after.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// A logger that says only what is wrong (PostgresNIO logs each query at debug level).
    public static var quietLogger: Logger {
        var logger = Logger(label: "rida.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// Every session commits durably (whatever the server's default) and names itself in `pg_stat_activity`.
    /// A read-only store's sessions are read-only as well, so the server refuses a write that would slip past
    /// `transaction(_:)`.
    static func startupParameters(readOnly: Bool) -> [(String, String)] {
        [("synchronous_commit", "on"), ("application_name", "rida")] + (readOnly ? [("default_transaction_read_only", "on")] : [])
    }

    /// One connection on its own, outside the pool: for migrating, and for creating or dropping a database.
    public static func connect(_ location: PostgresLocation, readOnly: Bool = false,
                               logger: Logger = PostgresStore.quietLogger) async throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = startupParameters(readOnly: readOnly)
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw failure(error, location: location)
        }
    }

    /// Creates the empty database `location` names, connecting to the server's database `postgres` as the same
    /// user: the user needs the right to create databases. The name is an identifier: letters, digits and `_`.
    public static func createDatabase(_ location: PostgresLocation, from maintenance: String = "postgres",
                                      logger: Logger = PostgresStore.quietLogger) async throws {
        try await maintain(location, from: maintenance, sql: "CREATE DATABASE \(try identifier(location.database, location))", logger: logger)
    }

    /// Drops the database `location` names, closing the connections left on it (`WITH (FORCE)`); nothing when there is none.
    public static func dropDatabase(_ location: PostgresLocation, from maintenance: String = "postgres",
                                    logger: Logger = PostgresStore.quietLogger) async throws {
        try await maintain(location, from: maintenance,
                           sql: "DROP DATABASE IF EXISTS \(try identifier(location.database, location)) WITH (FORCE)", logger: logger)
    }

    private static func maintain(_ location: PostgresLocation, from maintenance: String, sql: String, logger: Logger) async throws {
        let connection = try await connect(location.with(database: maintenance), logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw failure(error, location: location)
        }
    }

    private static func identifier(_ name: String, _ location: PostgresLocation) throws -> String {
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
              !(name.first!.isNumber) else {
            throw PostgresURLError(url: location.description, reason: "the database name \(name) is not made of letters, digits and _")
        }
        return name
    }

    // MARK: What the other files of the module build on

    /// Runs `body` in one transaction on a connection of the pool: committed when it returns, rolled back when it
    /// throws. An error of the database becomes a `StoreError` (`unavailable`); Rida's own errors pass as they are.
    /// A store opened read-only refuses at once (`ReadOnlyDatabaseError.writeRefused`).
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        if readOnly { throw ReadOnlyDatabaseError.writeRefused(location: location.description) }
        return try await withConnection { connection in
            // READ COMMITTED whatever the server's default: the saves' insert-if-new waits for a concurrent insert and
            // then sees its row, where REPEATABLE READ would fail with a serialization error.
            try await connection.query("BEGIN ISOLATION LEVEL READ COMMITTED", logger: self.logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger)
                self.noteWrite(failure: nil)
                return value
            } catch {
                // When the connection is gone the server has rolled back already.
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                self.noteWrite(failure: error)
                throw error
            }
        }
    }

    /// Runs `body` on a connection of the pool, each statement on its own (no transaction around them).
    @discardableResult
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection(body)
    }

    /// Runs `body` in one read-only transaction that sees one snapshot of the database (`REPEATABLE READ`): for reads
    /// of several statements that must agree with each other, as a report's.
    @discardableResult
    func snapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// Runs `body` on a connection of the pool, leased within `leaseDeadline` (`PostgresLease`): when the server is
    /// away, an operation fails within seconds with `StoreError.unavailable` (503 with `Retry-After` over HTTP).
    ///
    /// `body` also ends, with the connection's error, when the connection closes under it: PostgresNIO never answers
    /// a query written to a connection the server has just closed (its write fails with nobody to tell), so without
    /// this one operation caught by a server's restart would wait for ever, and with it the group-commit writer and
    /// every submission queued behind it.
    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            let (connection, lease) = try await PostgresLease.lease(from: client, within: leaseDeadline)
            defer { lease.done() }
            let check = uncheckedSchema.withLock { $0 }
            return try await Self.untilClosed(connection, location: location, watches: watches) {
                if check {
                    try await PostgresMigrations.verify(on: connection, location: self.location, logger: self.logger)
                    self.uncheckedSchema.withLock { $0 = false }
                }
                return try await body(connection)
            }
        } catch {
            throw Self.failure(error, location: location)
        }
    }

    /// `body`'s value, or `StoreError.unavailable` as soon as `connection` closes while it runs (then `body`, run in a
    /// task of its own, is cancelled and left behind: it may wait for ever on an answer that will not come).
    ///
    /// Cancelled before `body` is done, the caller returns at once and the connection is closed: `body` may still have
    /// statements on it (PostgresNIO's queries do not stop when cancelled), and the pool must never lend it to another
    /// operation whose statements would interleave with them.
    static func untilClosed<T: Sendable>(
        _ connection: PostgresConnection, location: PostgresLocation, watches: ConnectionWatches = ConnectionWatches(),
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = DeadlineRace<T>()
        let token = watches.watch(connection) {
            race.finish(.failure(StoreError.unavailable(path: location.description, reason: "the connection to the server was closed")))
        }
        defer { watches.stopWatching(token, on: connection) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
                let work = Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                }
                race.hold(work)
            }
        } onCancel: {
            if race.finish(.failure(CancellationError())) { connection.close().whenComplete { _ in } }
        }
    }

    /// Rida's errors as they are; PostgreSQL's and the connection's as `StoreError.unavailable`, with the server's
    /// message (never a statement's arguments: answers may be personal).
    static func failure(_ error: any Error, location: PostgresLocation) -> any Error {
        if error is any RidaFailure || error is CancellationError { return error }
        if let error = error as? LeaseTimeout { return StoreError.unavailable(path: location.description, reason: error.description) }
        if let error = error as? PSQLError {
            return StoreError.unavailable(path: location.description, reason: reason(error))
        }
        if let error = error as? PostgresError {
            // The older API's error (a multi-statement script, as a migration): its text is the server's message.
            return StoreError.unavailable(path: location.description, reason: "PostgreSQL said: \(error.description)")
        }
        // The pool's own errors (no connection could be made for a while, or the pool was shut down).
        return StoreError.unavailable(path: location.description,
                                      reason: "no connection to the server could be had (\(String(describing: type(of: error))))")
    }

    /// Whether `error` is the server refusing what the URL says (SQLSTATE class 28: the user or password; 3D000: no such
    /// database; 42501: no privilege), rather than being away: a mistake to report at once, not to wait out.
    public static func refusedTheURL(_ error: StoreError) -> Bool {
        guard case .unavailable(_, let reason) = error else { return false }
        return reason.contains("(SQLSTATE 28") || reason.contains("(SQLSTATE 3D000)") || reason.contains("(SQLSTATE 42501)")
    }

    static func reason(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "PostgreSQL said: \(message)\(code)"
        }
        switch error.code {
        case .connectionError: return "the server cannot be reached"
        case .serverClosedConnection, .clientClosedConnection: return "the connection to the server was closed"
        case .poolClosed: return "the store was closed"
        case .authMechanismRequiresPassword: return "the server asks for a password and the URL gives none"
        default: return "PostgresNIO error \(error.code)"
        }
    }
}

extension PostgresStore {
    /// The SQLSTATE of a database error, if `error` is one (`23505` is a unique violation).
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

/// Every protocol of Rida's store: `ResponseStore`, `RegistryStore` and `KeyStore` (`+Responses`, `+Reports`,
/// `+Imports`, `+Registry`, `+Keys`), `AssessmentStore` (`+Assessments`), `SavedReportStore` (`+SavedReports`),
/// `CommentStore` (`+Comments`) and `StoreHealth` (`+Health`).
extension PostgresStore: RidaStorage {}
