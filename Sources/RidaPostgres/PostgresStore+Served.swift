import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// The customers served per centre, channel and quarter, as `SQLiteStore+Served.swift` keeps them: one count per key,
/// replaced by a later import.
extension PostgresStore: ServedStore {
    public func saveServed(_ counts: [ServedCount], importID: Int64?, rejected: Int, at time: Instant) async throws -> (created: Int, replaced: Int) {
        try await transaction { connection in
            var created = 0, replaced = 0
            // In the keys' order, so two imports writing overlapping counts cannot deadlock.
            for count in counts.sorted(by: { ($0.centre, $0.channel, $0.quarter) < ($1.centre, $1.channel, $1.quarter) }) {
                // `xmax = 0` on the returned row: it was inserted, not updated.
                let rows = try await connection.query("""
                    INSERT INTO customersServed (centre, channel, quarter, customers, importId, recordedAt)
                    VALUES (\(count.centre), \(count.channel), \(count.quarter.description), \(Int64(count.customers)), \(importID), \(time.iso8601))
                    ON CONFLICT (centre, channel, quarter) DO UPDATE SET customers = excluded.customers, importId = excluded.importId,
                        recordedAt = excluded.recordedAt
                    RETURNING (xmax = 0)
                    """, logger: self.logger)
                for try await inserted in rows.decode(Bool.self) {
                    if inserted { created += 1 } else { replaced += 1 }
                }
            }
            if let importID {
                try await connection.query("""
                    UPDATE import SET accepted = accepted + \(Int64(counts.count)), rejected = rejected + \(Int64(rejected)) WHERE id = \(importID)
                    """, logger: self.logger)
            }
            return (created, replaced)
        }
    }

    public func servedCounts(quarter: Quarter, centre: String?) async throws -> [ServedCount] {
        try await read { connection in
            try await Self.servedCounts(quarter: quarter, centre: centre, on: connection, logger: self.logger)
        }
    }

    static func servedCounts(quarter: Quarter, centre: String?, on connection: PostgresConnection, logger: Logger) async throws -> [ServedCount] {
        let rows = try await connection.query("""
            SELECT centre, channel, customers FROM customersServed
            WHERE quarter = \(quarter.description) AND (\(centre)::text IS NULL OR centre = \(centre))
            ORDER BY centre, channel
            """, logger: logger)
        var counts: [ServedCount] = []
        for try await (centre, channel, customers) in rows.decode((String, String, Int64).self) {
            counts.append(ServedCount(centre: centre, channel: channel, quarter: quarter, customers: Int(customers)))
        }
        return counts
    }
}
