import Foundation
import GRDB
import RidaSurvey

extension SQLiteStore {
    /// Records the start of an import and returns its id, with the process running it (this one: pid and host name), so
    /// the record reads as interrupted if that process dies before `finishImport`.
    public func beginImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?, at time: Instant) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO import (kind, source, sha256, byteCount, mapping, startedAt, status, ownerPid, ownerHost)
                    VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)
                    """,
                arguments: [kind, source, sha256, byteCount, mapping, time.iso8601, Int64(getpid()), ImportOwner.hostName])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of an import: finished, or failed part-way (its committed batches stay).
    public func finishImport(_ id: Int64, failed: Bool = false, at time: Instant) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE import SET status = ?, finishedAt = ? WHERE id = ?",
                arguments: [failed ? "failed" : "finished", time.iso8601, id])
        }
    }

    /// Records a file refused whole: its name, SHA-256 and size, and why; nothing of it was stored.
    @discardableResult
    public func recordRefusedImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?,
                                    reason: String, at time: Instant) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO import (kind, source, sha256, byteCount, mapping, startedAt, finishedAt, status, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'failed', ?)
                    """,
                arguments: [kind, source, sha256, byteCount, mapping, time.iso8601, time.iso8601, reason])
            return db.lastInsertedRowID
        }
    }

    /// Every import, oldest first. A record still `running` whose process is gone (killed, or the machine restarted)
    /// reads as `interrupted`: what its committed batches stored stays, and running the file again stores the rest.
    public func imports() async throws -> [ImportRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import ORDER BY id").map { row in
                let stored: String = row["status"]
                let status = stored == "running" && !ImportOwner.isAlive(pid: row["ownerPid"], host: row["ownerHost"])
                    ? "interrupted" : stored
                return ImportRecord(
                    id: row["id"], kind: row["kind"], source: row["source"], sha256: row["sha256"],
                    byteCount: row["byteCount"], mapping: row["mapping"], startedAt: row["startedAt"],
                    finishedAt: row["finishedAt"], status: status, reason: row["reason"],
                    tally: SaveTally(accepted: row["accepted"], duplicates: row["duplicates"],
                                     conflicts: row["conflicts"], rejected: row["rejected"]))
            }
        }
    }
}

/// The process that runs an import. Its liveness is decided when a record is read, not stored: a killed process
/// cannot write that it died, and nothing else is sure to run after it.
public enum ImportOwner {
    /// This machine's name, as `gethostname` gives it.
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Whether the import's process may still be running. A record begun before `hardening-import-owner` has no owner:
    /// every import since records one, so it was left by a Rida that is no longer running it (not alive). A process on
    /// another host cannot be asked: alive, as far as this one knows. On this host, `kill(pid, 0)` failing with ESRCH
    /// says no such process (EPERM: it exists, owned by another user).
    public static func isAlive(pid: Int64?, host: String?) -> Bool {
        guard let pid, let host else { return false }
        guard host == hostName else { return true }
        guard let pid32 = Int32(exactly: pid), pid32 > 0 else { return false }
        return kill(pid32, 0) == 0 || errno != ESRCH
    }
}
