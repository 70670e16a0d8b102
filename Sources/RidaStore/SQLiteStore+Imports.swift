import GRDB
import RidaSurvey

extension SQLiteStore {
    /// Records the start of an import and returns its id.
    public func beginImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?, at time: Instant) async throws -> Int64 {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO import (kind, source, sha256, byteCount, mapping, startedAt, status)
                    VALUES (?, ?, ?, ?, ?, ?, 'running')
                    """,
                arguments: [kind, source, sha256, byteCount, mapping, time.iso8601])
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

    /// Every import, oldest first.
    public func imports() async throws -> [ImportRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM import ORDER BY id").map { row in
                ImportRecord(
                    id: row["id"], kind: row["kind"], source: row["source"], sha256: row["sha256"],
                    byteCount: row["byteCount"], mapping: row["mapping"], startedAt: row["startedAt"],
                    finishedAt: row["finishedAt"], status: row["status"], reason: row["reason"],
                    tally: SaveTally(accepted: row["accepted"], duplicates: row["duplicates"],
                                     conflicts: row["conflicts"], rejected: row["rejected"]))
            }
        }
    }
}
