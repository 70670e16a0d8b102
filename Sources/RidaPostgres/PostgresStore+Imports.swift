import Foundation
import PostgresNIO
import RidaStore
import RidaSurvey

/// The bookkeeping of imports, as `SQLiteStore+Imports.swift` keeps it: who runs an import (pid and host), so one left
/// `running` by a killed process reads as interrupted.
extension PostgresStore {
    public func beginImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?, at time: Instant) async throws -> Int64 {
        try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO import (kind, source, sha256, byteCount, mapping, startedAt, status, ownerPid, ownerHost)
                VALUES (\(kind), \(source), \(sha256), \(byteCount), \(mapping), \(time.iso8601), 'running',
                        \(Int64(getpid())), \(ImportOwner.hostName))
                RETURNING id
                """, logger: self.logger)
            return try await rows.decode(Int64.self).first { _ in true } ?? 0
        }
    }

    public func finishImport(_ id: Int64, failed: Bool, at time: Instant) async throws {
        try await transaction { connection in
            try await connection.query(
                "UPDATE import SET status = \(failed ? "failed" : "finished"), finishedAt = \(time.iso8601) WHERE id = \(id)",
                logger: self.logger)
        }
    }

    @discardableResult
    public func recordRefusedImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?,
                                    reason: String, at time: Instant) async throws -> Int64 {
        try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO import (kind, source, sha256, byteCount, mapping, startedAt, finishedAt, status, reason)
                VALUES (\(kind), \(source), \(sha256), \(byteCount), \(mapping), \(time.iso8601), \(time.iso8601), 'failed', \(reason))
                RETURNING id
                """, logger: self.logger)
            return try await rows.decode(Int64.self).first { _ in true } ?? 0
        }
    }

    public func imports() async throws -> [ImportRecord] {
        try await read { connection in
            let rows = try await connection.query("""
                SELECT id, kind, source, sha256, byteCount, mapping, startedAt, finishedAt, status, reason,
                       accepted, duplicates, conflicts, rejected, ownerPid, ownerHost
                FROM import ORDER BY id
                """, logger: self.logger)
            var records: [ImportRecord] = []
            for try await row in rows {
                let (id, kind, source, sha256, byteCount, mapping, startedAt, finishedAt, stored, reason) =
                    try row.decode((Int64, String, String, String, Int64, String?, String, String?, String, String?).self)
                let columns = row.makeRandomAccess()
                let accepted = try columns[10].decode(Int64.self), duplicates = try columns[11].decode(Int64.self)
                let conflicts = try columns[12].decode(Int64.self), rejected = try columns[13].decode(Int64.self)
                let pid = try columns[14].decode(Int64?.self), host = try columns[15].decode(String?.self)
                let status = stored == "running" && !ImportOwner.isAlive(pid: pid, host: host) ? "interrupted" : stored
                records.append(ImportRecord(
                    id: id, kind: kind, source: source, sha256: sha256, byteCount: byteCount, mapping: mapping,
                    startedAt: startedAt, finishedAt: finishedAt, status: status, reason: reason,
                    tally: SaveTally(accepted: Int(accepted), duplicates: Int(duplicates), conflicts: Int(conflicts),
                                     rejected: Int(rejected))))
            }
            return records
        }
    }
}
