import Foundation
import Synchronization
import RidaPostgres
import RidaStore
import RidaSurvey

/// A database file in a fresh temporary folder, removed when the test is done with it.
public struct TemporaryDatabase: Sendable {
    public let folder: URL
    public let path: String

    public init(name: String = "rida.sqlite") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rida-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent(name).path
    }

    /// Opens a store on the file, creating it.
    public func open(_ configuration: StoreConfiguration = StoreConfiguration(durability: .normal)) throws -> SQLiteStore {
        try SQLiteStore(path: path, configuration: configuration)
    }

    /// A file in the same folder with `contents`.
    public func file(_ name: String, _ contents: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Which implementation of the store protocols a test runs against. Store suites take `StoreKind.all` as their
/// arguments (`@Test(arguments: StoreKind.all)`), so each test runs once per implementation.
///
/// PostgreSQL (`.postgres`) runs when the environment variable `RIDA_TEST_POSTGRES` holds a server's URL (./test starts
/// one with scripts/postgres); each test gets a database of its own on it.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `SQLiteStore` on a file in a fresh temporary folder (WAL, a pool of readers).
    case sqliteFile
    /// `SQLiteStore` in memory: nothing on disk.
    case sqliteMemory
    /// `PostgresStore` on a new database of the server at `RIDA_TEST_POSTGRES`, dropped by `remove()`.
    case postgres

    /// The server the PostgreSQL cases run against, if any.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["RIDA_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    static let sqlite: [StoreKind] = [.sqliteFile, .sqliteMemory]

    /// Every store that implements `RidaStorage`: PostgreSQL when `RIDA_TEST_POSTGRES` names a server.
    public static let all: [StoreKind] = sqlite + (postgresURL != nil ? [.postgres] : [])

    public var description: String { rawValue }

    /// A new, empty store of this kind, as `RidaStorage`.
    public func open(_ configuration: StoreConfiguration = StoreConfiguration(durability: .normal)) async throws -> FreshStore {
        switch self {
        case .sqliteFile:
            let database = try TemporaryDatabase()
            return FreshStore(store: try database.open(configuration), temporary: database, postgres: nil)
        case .sqliteMemory:
            return FreshStore(store: try SQLiteStore.inMemory(configuration: configuration), temporary: nil, postgres: nil)
        case .postgres:
            let database = try await PostgresTestDatabase.create(configuration)
            return FreshStore(store: database.store, temporary: nil, postgres: database)
        }
    }
}

/// A store made for one test, as the protocols see it; `remove()` deletes what it left on disk, if anything.
public struct FreshStore: Sendable {
    public let store: any RidaStorage
    let temporary: TemporaryDatabase?
    let postgres: PostgresTestDatabase?

    public func remove() {
        if let sqlite = store as? SQLiteStore { try? sqlite.close() }
        temporary?.remove()
        postgres?.remove()
    }
}

/// A database of its own on the test server (`RIDA_TEST_POSTGRES`): `CREATE DATABASE rida_t_<random>`, opened with
/// `PostgresStore` (which migrates it); `remove()` closes the store and drops the database. The server itself is a
/// throwaway one (scripts/postgres), removed whole when the tests end, so a database left by a crashed test goes too.
public struct PostgresTestDatabase: Sendable {
    /// How long the tests' stores wait for a connection before saying the database is away: longer than a served
    /// instance's 3 s, as the tests run many at once on a loaded machine (the 503 tests use `rida serve` itself).
    public static let leaseDeadline: Duration = .seconds(20)
    public let store: PostgresStore
    public let location: PostgresLocation
    let server: PostgresLocation

    /// The server's URL, or a failure saying RIDA_TEST_POSTGRES is not set.
    public static func serverLocation() throws -> PostgresLocation {
        guard let url = StoreKind.postgresURL else {
            throw KeyError("RIDA_TEST_POSTGRES is not set: start a server with eval \"$(scripts/postgres start)\".")
        }
        return try PostgresLocation(url: url)
    }

    /// A new empty database on the test server, migrated.
    public static func create(_ configuration: StoreConfiguration = StoreConfiguration(durability: .normal),
                              maximumConnections: Int = 4) async throws -> PostgresTestDatabase {
        let server = try serverLocation()
        let name = "rida_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let location = server.with(database: String(name))
        try await PostgresStore.createDatabase(location, from: server.database)
        let store = try await PostgresStore.open(location, configuration: configuration, maximumConnections: maximumConnections,
                                                 leaseDeadline: Self.leaseDeadline)
        return PostgresTestDatabase(store: store, location: location, server: server)
    }

    /// Another store on the same database: a second instance, as a second `rida serve` would open it.
    public func openAgain(maximumConnections: Int = 4) async throws -> PostgresStore {
        try await PostgresStore.open(location, configuration: store.configuration, maximumConnections: maximumConnections,
                                     leaseDeadline: Self.leaseDeadline)
    }

    /// Makes the database's new sessions read-only and ends the open ones (this store's connections reopen read-only),
    /// as a hot standby's are: what stands in for a standby (`--read-db`) where making a real one is too slow.
    public func makeReadOnly() throws {
        try onServer("ALTER DATABASE \(location.database) SET default_transaction_read_only = on")
        try endSessions()
    }

    /// Ends every session open on the database (the pools reconnect, or fail to when connections are not allowed).
    public func endSessions() throws {
        try onServer("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(location.database)'")
    }

    /// Runs `sql` with `psql` (RIDA_PG_BIN's, else the one on the PATH) on the server's own database, not this one.
    public func onServer(_ sql: String) throws {
        let bin = ProcessInfo.processInfo.environment["RIDA_PG_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host, "-p", "\(server.port)", "-U", server.user,
                             "-d", server.database, "-c", sql]
        if let password = server.password { process.environment = ["PGPASSWORD": password] }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw KeyError("psql could not run \(sql)") }
    }

    /// Closes the store and drops the database, in the background (a test's `defer` cannot wait).
    public func remove() {
        let (store, server, name) = (store, server, location)
        Task {
            await store.close()
            try? await PostgresStore.dropDatabase(name, from: server.database)
        }
    }
}

/// Builds responses for tests: the defaults are a valid response at C01's counter on 2026-02-01.
public func response(
    _ id: String = UUID().uuidString, centre: String = "C01", channel: String = "counter",
    at submitted: String = "2026-02-01T10:00:00+03:00", stage: Stage? = nil,
    _ ratings: [Int?] = [5, 4, 4, 5], service: String? = nil, counter: String? = nil, comment: String? = nil,
    entity: String? = nil
) -> SurveyResponse {
    guard case .instant(let instant) = ISO8601Timestamp.parse(submitted) else {
        preconditionFailure("test timestamps carry an offset: \(submitted)")
    }
    return SurveyResponse(id: id, centre: centre, channel: channel, submittedAt: instant, stage: stage,
                          ratings: ratings, service: service, counter: counter, comment: comment, entity: entity)
}

/// An instant from an ISO 8601 text with an offset.
public func instant(_ text: String) -> Instant {
    guard case .instant(let instant) = ISO8601Timestamp.parse(text) else {
        preconditionFailure("test timestamps carry an offset: \(text)")
    }
    return instant
}

/// The repository's root folder, found from this source file's path.
public func repositoryRoot(file: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}

/// The built `rida` executable (run `swift build` first; `swift test` builds it).
public func ridaExecutable() -> URL {
    let root = repositoryRoot()
    for configuration in ["debug", "release"] {
        let candidate = root.appendingPathComponent(".build/\(configuration)/rida")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return root.appendingPathComponent(".build/debug/rida")
}

/// The outcome of running a command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `rida` with `arguments` in `directory`, and waits for it.
public func runRida(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = ridaExecutable()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "RIDA_DB")
    env.removeValue(forKey: "RIDA_CONFIG")
    env.removeValue(forKey: "RIDA_READ_DB")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a large output cannot fill a pipe and block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A clock a test moves by hand: the `now` a use case or the service reads.
public final class TestClock: Sendable {
    let time: Mutex<Instant>
    public init(_ start: Instant) { time = Mutex(start) }
    public var now: Instant { time.withLock { $0 } }
    public func advance(seconds: Int64) { time.withLock { $0 = $0.adding(milliseconds: seconds * 1_000) } }
}
