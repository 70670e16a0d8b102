import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore {
    static func applyRollupDeltas(_ deltas: [RollupKey: Counts], in db: Database) throws {
        guard !deltas.isEmpty else { return }
        let columns = Migrations.rollupCountColumns
        let placeholders = Array(repeating: "?", count: columns.count + 3).joined(separator: ", ")
        let updates = columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", ")
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO rollup (quarter, centre, channel, \(columns.joined(separator: ", ")))
            VALUES (\(placeholders))
            ON CONFLICT(quarter, centre, channel) DO UPDATE SET \(updates)
            """)
        for (key, counts) in deltas {
            var values: [any DatabaseValueConvertible] = [key.quarter, key.centre, key.channel, counts.responses]
            for row in counts.scores { for value in row { values.append(value) } }
            for value in counts.stages { values.append(value) }
            try upsert.execute(arguments: StatementArguments(values))
        }
    }

    /// The rollup counts of each group in each of `quarters`.
    public func counts(for quarters: [Quarter]) async throws -> [Quarter: [GroupKey: Counts]] {
        try await read { db in try Self.counts(for: quarters, in: db) }
    }

    static func counts(for quarters: [Quarter], in db: Database) throws -> [Quarter: [GroupKey: Counts]] {
        let wanted = quarters.map(\.description)
        var result: [Quarter: [GroupKey: Counts]] = [:]
        let columns = Migrations.rollupCountColumns.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: wanted.count).joined(separator: ", ")
        let rows = try Row.fetchCursor(
            db, sql: "SELECT quarter, centre, channel, \(columns) FROM rollup WHERE quarter IN (\(placeholders))",
            arguments: StatementArguments(wanted))
        while let row = try rows.next() {
            guard let quarter = Quarter(row[0] as String) else { continue }
            var counts = Counts(responses: row[3])
            for q in 0..<4 { for s in 0..<5 { counts.scores[q][s] = row[4 + q * 5 + s] } }
            counts.stages = [row[24], row[25], row[26]]
            result[quarter, default: [:]][GroupKey(centre: row[1], channel: row[2])] = counts
        }
        return result
    }

    /// The quarters that have responses, newest last.
    public func quartersWithResponses() async throws -> [Quarter] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT quarter FROM rollup ORDER BY quarter").compactMap(Quarter.init)
        }
    }

    /// The quarterly report of `scope`, read from the rollups.
    public func quarterlyReport(_ scope: ReportScope, policy: ThresholdPolicy, channels: ChannelCatalog) async throws -> QuarterlyReport {
        let counts = try await counts(for: [scope.quarter, scope.quarter.previous])
        return QuarterlyReport(
            scope: scope, zone: configuration.zone, policy: policy, channels: channels,
            current: counts[scope.quarter] ?? [:], previous: counts[scope.quarter.previous] ?? [:])
    }
}
