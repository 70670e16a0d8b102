import GRDB
import RidaAggregation
import RidaSurvey

/// The customers served per centre, channel and quarter (issue 15 point 4), one count per key: a later import replaces it.
extension SQLiteStore: ServedStore {
    public func saveServed(_ counts: [ServedCount], importID: Int64?, rejected: Int, at time: Instant) async throws -> (created: Int, replaced: Int) {
        try await write { db in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM customersServed WHERE centre = ? AND channel = ? AND quarter = ?")
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO customersServed (centre, channel, quarter, customers, importId, recordedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (centre, channel, quarter) DO UPDATE SET customers = excluded.customers, importId = excluded.importId,
                    recordedAt = excluded.recordedAt
                """)
            var created = 0, replaced = 0
            for count in counts {
                let quarter = count.quarter.description
                if try Int.fetchOne(exists, arguments: [count.centre, count.channel, quarter]) != nil { replaced += 1 } else { created += 1 }
                try upsert.execute(arguments: [count.centre, count.channel, quarter, count.customers, importID, time.iso8601])
            }
            if let importID {
                try db.execute(sql: "UPDATE import SET accepted = accepted + ?, rejected = rejected + ? WHERE id = ?",
                               arguments: [counts.count, rejected, importID])
            }
            return (created, replaced)
        }
    }

    public func servedCounts(quarter: Quarter, centre: String?) async throws -> [ServedCount] {
        try await read { db in try Self.servedCounts(quarter: quarter, centre: centre, in: db) }
    }

    static func servedCounts(quarter: Quarter, centre: String?, in db: Database) throws -> [ServedCount] {
        try Row.fetchAll(db, sql: """
            SELECT centre, channel, customers FROM customersServed WHERE quarter = ? AND (? IS NULL OR centre = ?) ORDER BY centre, channel
            """, arguments: [quarter.description, centre, centre]).map { row in
            ServedCount(centre: row["centre"], channel: row["channel"], quarter: quarter, customers: row["customers"])
        }
    }
}
