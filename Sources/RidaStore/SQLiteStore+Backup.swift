import Foundation
import GRDB
import RidaSurvey

/// What a backup holds: where it is, its size, its responses and the last migration of its schema.
public struct BackupSummary: Sendable, Hashable {
    public var path: String
    public var bytes: Int64
    public var responses: Int
    /// The last migration applied to the copied database (its schema version).
    public var schema: String
}

/// What checking a file before restoring it found.
public struct BackupInspection: Sendable, Hashable {
    public var responses: Int
    public var schema: String
    /// Migrations this version of Rida applies when it opens the file (none when it is current).
    public var pendingMigrations: [String]
}

/// What a restore did.
public struct RestoreSummary: Sendable, Hashable {
    public var inspection: BackupInspection
    /// Where the database that was replaced is kept, when there was one.
    public var replacedKeptAt: String?
}

extension SQLiteStore {
    /// Copies this database to `destination` through SQLite's online backup API, in one step inside one read
    /// transaction: a snapshot of every commit made before it started, while the writer keeps committing (WAL).
    /// The copy is written beside `destination`, made readable by its owner only (0600), checked with
    /// `integrity_check`, synced, and then renamed into place, so `destination` is never half a copy.
    public func backup(to destination: String) async throws -> BackupSummary {
        let source = writer
        let path = self.path
        return try await Task.detached {
            try Self.copy(from: source, sourcePath: path, to: destination)
        }.value
    }

    /// `backup(to:)` for a database given by its path, without opening it as a store (no migration runs): what
    /// `rida backup` does beside a running `rida serve`.
    public static func backup(databaseAt source: String, to destination: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: source) else { throw StoreError.missing(path: source) }
        do {
            guard try looksLikeSQLite(source) else { throw StoreError.notADatabase(path: source) }
            var config = Configuration()
            config.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: source, configuration: config)
            defer { try? queue.close() }
            return try copy(from: queue, sourcePath: source, to: destination)
        } catch let error as DatabaseError {
            throw storeError(error, path: source)
        }
    }

    static func copy(from source: any DatabaseReader, sourcePath: String, to destination: String) throws -> BackupSummary {
        if sameFile(sourcePath, destination) {
            throw StoreError.unavailable(path: destination, reason: "it is the database itself: give the backup another path")
        }
        let temporary = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try createPrivateFile(temporary, replacing: true)
        var renamed = false
        defer { if !renamed { removeDatabaseFiles(temporary) } }
        do {
            let copy = try DatabaseQueue(path: temporary)
            do {
                try source.backup(to: copy)
                let summary = try copy.writeWithoutTransaction { db -> BackupSummary in
                    // One self-contained file: no write-ahead log beside it.
                    try db.execute(sql: "PRAGMA journal_mode = DELETE")
                    let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                    guard problems == ["ok"] else {
                        throw StoreError.unavailable(path: destination, reason: "the copy failed its integrity check (\(problems.prefix(3).joined(separator: "; ")))")
                    }
                    let (responses, schema) = try ridaContents(db, path: sourcePath)
                    return BackupSummary(path: destination, bytes: 0, responses: responses, schema: schema)
                }
                try copy.close()
                try syncFile(temporary)
                if rename(temporary, destination) != 0 {
                    throw StoreError.unavailable(path: destination, reason: "the copy could not be renamed into place (\(String(cString: strerror(errno))))")
                }
                renamed = true
                var result = summary
                result.bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int64) ?? 0
                return result
            } catch {
                try? copy.close()
                throw error
            }
        } catch let error as DatabaseError {
            throw storeError(error, path: destination)
        }
    }

    /// The responses and the last migration of a Rida database; throws when it is not one.
    static func ridaContents(_ db: Database, path: String) throws -> (responses: Int, schema: String) {
        guard try db.tableExists("grdb_migrations"), try db.tableExists("response") else {
            throw StoreError.notADatabase(path: path)
        }
        let responses = try Int.fetchOne(db, sql: "SELECT count(*) FROM response") ?? 0
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let order = Migrations.migrator().migrations
        let schema = order.last { applied.contains($0) } ?? applied.last ?? "none"
        return (responses, schema)
    }

    /// Checks a file before it is restored: it opens, passes `integrity_check` and `foreign_key_check`, is a Rida
    /// database, and its schema is not newer than this version of Rida. Nothing is written to it.
    public static func inspectBackup(at path: String) throws -> BackupInspection {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.unavailable(path: path, reason: "there is no such file")
        }
        do {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
            guard size > 0, try looksLikeSQLite(path) else { throw StoreError.notADatabase(path: path) }
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard problems == ["ok"] else {
                    throw StoreError.unavailable(path: path, reason: "it fails SQLite's integrity check (\(problems.prefix(3).joined(separator: "; ")))")
                }
                if try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") != nil {
                    throw StoreError.unavailable(path: path, reason: "it fails SQLite's foreign key check (rida db check --db \(path) lists the rows)")
                }
                guard try db.tableExists("grdb_migrations"), try db.tableExists("response") else {
                    throw StoreError.unavailable(path: path, reason: "it is a SQLite file but not a Rida database")
                }
                let migrator = Migrations.migrator()
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                let unknown = applied.subtracting(migrator.migrations).sorted()
                if !unknown.isEmpty { throw StoreError.newerVersion(path: path, unknownMigrations: unknown) }
                let (responses, schema) = try ridaContents(db, path: path)
                return BackupInspection(responses: responses, schema: schema,
                                        pendingMigrations: migrator.migrations.filter { !applied.contains($0) })
            }
        } catch let error as DatabaseError {
            throw storeError(error, path: path)
        }
    }

    /// Puts the backup at `backup` in place as the database at `path`, after `inspectBackup(at:)` passes.
    ///
    /// Refused while any other process has the database open (a running `rida serve`: stop it first). An existing
    /// database is replaced only with `force`, and is then kept beside it as `<path>.replaced-<time>` (with its
    /// write-ahead log), never deleted. The restored file is a fresh copy made with the backup API, readable by
    /// its owner only; opening it later migrates it if it is older (see `SQLiteStore.init`).
    public static func restore(from backup: String, to path: String, force: Bool, at time: Instant) throws -> RestoreSummary {
        let inspection = try inspectBackup(at: backup)
        if sameFile(backup, path) {
            throw StoreError.unavailable(path: path, reason: "the backup is the database itself")
        }
        var kept: String?
        if FileManager.default.fileExists(atPath: path) {
            if try isOpenElsewhere(path) {
                throw StoreError.unavailable(path: path, reason: "another process has it open (a running rida serve?): stop it, then restore")
            }
            guard force else {
                throw StoreError.unavailable(path: path, reason: "it exists: add --force to replace it (it is kept beside it as \(path).replaced-…, not deleted)")
            }
        }
        let temporary = path + ".restoring-\(ProcessInfo.processInfo.processIdentifier)"
        _ = try Self.backup(databaseAt: backup, to: temporary)
        if FileManager.default.fileExists(atPath: path) {
            let stamp = time.iso8601.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
            let aside = path + ".replaced-" + stamp
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                if rename(path + suffix, aside + suffix) != 0 {
                    removeDatabaseFiles(temporary)
                    throw StoreError.unavailable(path: path, reason: "it could not be moved aside (\(String(cString: strerror(errno))))")
                }
            }
            try? FileManager.default.removeItem(atPath: path + "-shm")
            kept = aside
        }
        if rename(temporary, path) != 0 {
            throw StoreError.unavailable(path: path, reason: "the restored copy \(temporary) could not be renamed into place (\(String(cString: strerror(errno))))")
        }
        return RestoreSummary(inspection: inspection, replacedKeptAt: kept)
    }

    /// Whether another process has the database at `path` open, read from SQLite's own locks: every connection to a
    /// database in WAL mode holds a shared lock on byte 128 of its `-shm` file (the "DMS" byte of SQLite's unix VFS)
    /// while it is open. A write lock on that byte is refused while any other process holds it.
    public static func isOpenElsewhere(_ path: String) throws -> Bool {
        let shm = path + "-shm"
        guard FileManager.default.fileExists(atPath: shm) else { return false }
        let fd = open(shm, O_RDWR)
        guard fd >= 0 else { return false }
        defer { closeDescriptor(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        if fcntl(fd, F_GETLK, &lock) != 0 { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    /// Creates an empty file readable and writable by its owner only (0600), so SQLite keeps those permissions for
    /// the database and its `-wal` and `-shm` files.
    static func createPrivateFile(_ path: String, replacing: Bool) throws {
        if replacing { removeDatabaseFiles(path) }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "its folder does not exist" : errno == EISDIR ? "it is a folder" : String(cString: strerror(errno))
            throw StoreError.unavailable(path: path, reason: "it cannot be created (\(reason))")
        }
        closeDescriptor(fd)
    }

    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { closeDescriptor(fd) }
        _ = fsync(fd)
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}

/// `close(2)`, named apart from `SQLiteStore.close()`.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
