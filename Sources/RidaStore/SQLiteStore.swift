#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Foundation
import GRDB
import Logging
import RidaAggregation
import RidaSurvey

/// What storing one response did.
public enum SaveOutcome: Sendable, Hashable {
    /// Stored and counted.
    case created
    /// The same id with the same content was already stored: acknowledged, not counted again.
    case duplicate
    /// The same id was stored with other content: the first stays; `fields` differ.
    case conflict(fields: [String])
}

/// The counts of one save or import.
public struct SaveTally: Sendable, Hashable, Codable {
    public var accepted = 0
    public var duplicates = 0
    public var conflicts = 0
    public var rejected = 0

    public init(accepted: Int = 0, duplicates: Int = 0, conflicts: Int = 0, rejected: Int = 0) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.rejected = rejected
    }

    public mutating func add(_ outcome: SaveOutcome) {
        switch outcome {
        case .created: accepted += 1
        case .duplicate: duplicates += 1
        case .conflict: conflicts += 1
        }
    }

    public mutating func add(_ other: SaveTally) {
        accepted += other.accepted
        duplicates += other.duplicates
        conflicts += other.conflicts
        rejected += other.rejected
    }
}

/// The record of one import: where the evidence came from, so verdicts can point to it.
public struct ImportRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var kind: String
    public var source: String
    public var sha256: String
    public var byteCount: Int64
    public var mapping: String?
    public var startedAt: String
    public var finishedAt: String?
    /// running, finished or failed; interrupted when read for a record left running by a process that is gone.
    public var status: String
    /// For a file refused whole: the sentence that said why (nothing of it was stored).
    public var reason: String? = nil
    public var tally: SaveTally

    public init(id: Int64, kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?, startedAt: String,
                finishedAt: String?, status: String, reason: String? = nil, tally: SaveTally) {
        self.id = id
        self.kind = kind
        self.source = source
        self.sha256 = sha256
        self.byteCount = byteCount
        self.mapping = mapping
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.reason = reason
        self.tally = tally
    }
}

/// Rida's store: one SQLite file in WAL mode, written by one writer; or, for tests, a database in memory.
///
/// A `Sendable` struct over a GRDB `DatabasePool` (a file) or `DatabaseQueue` (in memory); it runs its migrations
/// when opened. Responses are stored with the rollups that reports read, in the same transaction,
/// so a report never rescans responses and a crash never leaves half a batch. It implements `RidaStorage`.
///
/// ```swift
/// let store = try SQLiteStore(path: "rida.sqlite")          // a file, created 0600 when new
/// let scratch = try SQLiteStore.inMemory()                  // nothing on disk: for unit tests
/// ```
public struct SQLiteStore: Sendable {
    public let path: String
    public let configuration: StoreConfiguration
    let writer: any DatabaseWriter
    /// The last write's failure, when no write has succeeded since: what `/health` reports.
    let lastWriteFailure = WriteFailure()
    /// What opening did to a database written by an older Rida; nil when it was current (or new).
    public private(set) var upgrade: Upgrade?

    /// An upgrade done when the store was opened: the schema it had, the migrations applied in one transaction,
    /// and where the database as it was is kept.
    public struct Upgrade: Sendable, Hashable, CustomStringConvertible {
        public var from: String
        public var applied: [String]
        public var keptAt: String?

        public var description: String {
            "upgraded from \(from) (\(applied.joined(separator: ", ")), in one transaction)"
                + (keptAt.map { "; the database as it was is kept at \($0)" } ?? "")
        }
    }

    /// The path an in-memory store reports as its `path` (in sentences; there is no file).
    public static let memoryPath = ":memory:"

    /// A new, empty store in memory, migrated to this version: nothing touches the disk, and it is gone when the last
    /// copy of the store is released. One connection (GRDB's `DatabaseQueue`: a pool cannot be in memory) serves
    /// the writer and the readers in turn, so `GroupCommitWriter` and every read work as on a file. Only for tests
    /// and scratch work: the operations on a file (backup, restore, upgrading with a copy kept) need one.
    public static func inMemory(configuration: StoreConfiguration = StoreConfiguration()) throws(StoreError) -> SQLiteStore {
        do {
            let queue = try DatabaseQueue(configuration: Self.databaseConfiguration(configuration))
            _ = try Migrations.steps(zone: configuration.zone).migrate(queue)
            return SQLiteStore(writer: queue, path: memoryPath, configuration: configuration)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: memoryPath)
        } catch {
            throw .unavailable(path: memoryPath, reason: "\(error)")
        }
    }

    private init(writer: any DatabaseWriter, path: String, configuration: StoreConfiguration) {
        self.writer = writer
        self.path = path
        self.configuration = configuration
    }

    /// GRDB's configuration of every connection: foreign keys on, a busy timeout, the page cache.
    static func databaseConfiguration(_ configuration: StoreConfiguration) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        let cacheKiB = configuration.cacheKiB
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        }
        return config
    }

    /// Opens (and, when `create` is true, creates) the database at `path`, migrating it to this version.
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration(), create: Bool = true) throws(StoreError) {
        self.path = path
        self.configuration = configuration
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if exists, isFolder.boolValue {
            throw .unavailable(path: path, reason: "it is a folder, not a file: give the database file's path, such as \((path as NSString).appendingPathComponent("rida.sqlite"))")
        }
        if !create, !exists {
            throw .missing(path: path)
        }
        // A command that only reads must not turn an empty file (a failed copy, a typo'd touch) into a database.
        if !create, exists, ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0,
           !FileManager.default.fileExists(atPath: path + "-wal") {
            throw .unavailable(path: path, reason: "it is an empty file, not a Rida database: check the --db path (a command that only reads never creates one)")
        }
        do {
            if FileManager.default.fileExists(atPath: path) {
                if try !Self.looksLikeSQLite(path) { throw StoreError.notADatabase(path: path) }
            } else {
                // Readable by its owner only (0600); SQLite gives its -wal and -shm files the same permissions.
                try Self.createPrivateFile(path, replacing: false)
            }
            let pool = try DatabasePool(path: path, configuration: Self.databaseConfiguration(configuration))
            let steps = Migrations.steps(zone: configuration.zone)
            let migrator = steps.migrator
            let (pending, from) = try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                    throw StoreError.newerVersion(path: path, unknownMigrations: unknown)
                }
                let pending = try steps.pending(in: db)
                return (pending, steps.identifiers.last { !pending.contains($0) })
            }
            // An older Rida's database: a copy of it as it is goes beside it first, then every pending migration
            // runs in one transaction. No copy, no upgrade.
            var kept: String?
            if let from, let first = pending.first {
                var copy = path + ".before-" + first
                var attempt = 1
                while FileManager.default.fileExists(atPath: copy) {  // an earlier copy is never overwritten
                    attempt += 1
                    copy = path + ".before-" + first + "-\(attempt)"
                }
                do {
                    _ = try Self.copy(from: pool, sourcePath: path, to: copy)
                } catch let error as StoreError {
                    throw StoreError.unavailable(path: path, reason: "it needs upgrading from \(from), and the copy kept before upgrading could not be written (\(error.description)); nothing was changed")
                }
                kept = copy
            }
            let applied = try steps.migrate(pool)
            if let from, !applied.isEmpty {
                upgrade = Upgrade(from: from, applied: applied, keptAt: kept)
            }
            try pool.barrierWriteWithoutTransaction { db in
                // GRDB's pool sets `synchronous` after `prepareDatabase`: set it here, on the writer.
                let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
            self.writer = pool
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        } catch {
            throw .unavailable(path: path, reason: "\(error)")
        }
    }

    static func looksLikeSQLite(_ path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 16) ?? Data()
        return header.isEmpty || header == Data("SQLite format 3\0".utf8)
    }

    static func storeError(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: .notADatabase(path: path)
        case .SQLITE_CANTOPEN: .unavailable(path: path, reason: "it cannot be opened (check that the folder exists and is writable)")
        case .SQLITE_READONLY: .unavailable(path: path, reason: "it is read-only")
        case .SQLITE_FULL: .unavailable(path: path, reason: "the disk is full")
        default: .unavailable(path: path, reason: error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// Runs `body` in one write transaction, mapping SQLite's errors to `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let result = try await writer.write(body)
            lastWriteFailure.clear()
            return result
        } catch let error as DatabaseError {
            let storeError = Self.storeError(error, path: path)
            switch error.resultCode {
            case .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN: lastWriteFailure.record(storeError)
            default: break
            }
            throw storeError
        }
    }

    /// Why the database cannot take writes now, or nil: the last write failed for want of space or permission (and none
    /// succeeded since), or the disk holding it has less than `minimumFreeBytes` left.
    public func unwritableReason(minimumFreeBytes: Int64) -> String? {
        if let failure = lastWriteFailure.current { return failure.description }
        if let free = freeBytes(), free < minimumFreeBytes {
            return "The disk holding the database \(path) has \(free) bytes free, less than the \(minimumFreeBytes) it needs (db.minimumFreeBytes): free space on it."
        }
        return nil
    }

    /// Bytes free for this process on the file system holding the database.
    public func freeBytes() -> Int64? {
        if path == Self.memoryPath { return nil }
        var info = statvfs()
        let folder = (path as NSString).deletingLastPathComponent
        guard statvfs(folder.isEmpty ? "." : folder, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }

    /// The value of `PRAGMA synchronous` on the writer: 2 is FULL, 1 is NORMAL.
    public func synchronousSetting() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Flushes the write-ahead log into the database file and closes it.
    public func close() throws {
        if let pool = writer as? DatabasePool {
            _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try pool.close()
        }
    }
}

/// The last write failure of a store, shared by its copies (the store is a struct): set by a failed write, cleared by
/// the next one that succeeds.
final class WriteFailure: Sendable {
    private let failure = Mutex<StoreError?>(nil)

    var current: StoreError? { failure.withLock { $0 } }

    func record(_ error: StoreError) { failure.withLock { $0 = error } }

    func clear() {
        // Most writes succeed with nothing to clear: read first, write only when needed.
        failure.withLock { if $0 != nil { $0 = nil } }
    }
}
