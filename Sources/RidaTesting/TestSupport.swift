import Foundation
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
/// arguments (`@Test(arguments: StoreKind.all)`), so each test runs once per implementation: a second store
/// (PostgreSQL, issue 14) adds its case here and runs the same tests.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `SQLiteStore` on a file in a fresh temporary folder (WAL, a pool of readers).
    case sqliteFile
    /// `SQLiteStore` in memory: nothing on disk.
    case sqliteMemory

    public static let all: [StoreKind] = allCases

    public var description: String { rawValue }

    /// A new, empty store of this kind.
    public func open(_ configuration: StoreConfiguration = StoreConfiguration(durability: .normal)) throws -> FreshStore {
        switch self {
        case .sqliteFile:
            let database = try TemporaryDatabase()
            return FreshStore(store: try database.open(configuration), temporary: database)
        case .sqliteMemory:
            return FreshStore(store: try SQLiteStore.inMemory(configuration: configuration), temporary: nil)
        }
    }
}

/// A store made for one test, as the protocols see it; `remove()` deletes what it left on disk, if anything.
public struct FreshStore: Sendable {
    public let store: any RidaStorage
    let temporary: TemporaryDatabase?

    /// The store as a `CommentStore`, when it is one.
    public var comments: (any CommentStore)? { store as? any CommentStore }

    public func remove() {
        if let sqlite = store as? SQLiteStore { try? sqlite.close() }
        temporary?.remove()
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
