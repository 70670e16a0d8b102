import GRDB
import RidaAggregation
import RidaSurvey

/// A centre and channel on one local day (days since 1970-01-01 on the deployment's wall clock).
struct DayRollupKey: Hashable {
    var day: Int64
    var centre: String
    var channel: String
}

extension SQLiteStore {
    /// Day rollups are kept for responses submitted at most this many days before they are received.
    /// The live display reads today and this week, which always fall inside the window (a response
    /// received later than it was submitted is still inside it when its day is shown); an import of last
    /// year's history adds nothing here and costs no per-day upserts.
    public static let dayRollupWindow: Int64 = 35

    /// Adds a batch's per-day counts to `dayRollup`, one upsert per day × centre × channel.
    ///
    /// Called by `save` in the same transaction as the quarterly rollups, so the live display's
    /// day figures and the quarterly report always count the same responses.
    static func applyDayRollupDeltas(_ deltas: [DayRollupKey: Counts], in db: Database) throws {
        guard !deltas.isEmpty else { return }
        let columns = RollupLayout.columns
        let placeholders = Array(repeating: "?", count: columns.count + 3).joined(separator: ", ")
        let updates = columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", ")
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO dayRollup (day, centre, channel, \(columns.joined(separator: ", ")))
            VALUES (\(placeholders))
            ON CONFLICT(centre, day, channel) DO UPDATE SET \(updates)
            """)
        for (key, counts) in deltas {
            let keys: [any DatabaseValueConvertible] = [CivilDate(daysSince1970: key.day).iso8601, key.centre, key.channel]
            try upsert.execute(arguments: StatementArguments(keys + RollupLayout.values(of: counts).map { $0 as any DatabaseValueConvertible }))
        }
    }

    /// Builds `dayRollup` from the stored responses: run once, by the migration that creates it.
    static func backfillDayRollups(in db: Database, zone: DeploymentZone) throws {
        var deltas: [DayRollupKey: Counts] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT centre, channel, submittedAt, stage, q1, q2, q3, q4 FROM response")
        while let row = try rows.next() {
            guard case .instant(let submitted) = ISO8601Timestamp.parse(row[2] as String) else { continue }
            let response = SurveyResponse(
                id: "", centre: row[0], channel: row[1], submittedAt: submitted,
                stage: (row[3] as String?).flatMap(Stage.init(rawValue:)),
                ratings: [row[4], row[5], row[6], row[7]])
            let day = floorDiv(zone.wallClock(at: submitted), 86_400_000)
            deltas[DayRollupKey(day: day, centre: response.centre, channel: response.channel), default: .zero].add(response)
        }
        try applyDayRollupDeltas(deltas, in: db)
    }

    /// The counts of `centre` per channel over the local days `from...through`, read from the day rollups.
    public func dayCounts(centre: String, from: CivilDate, through: CivilDate) async throws -> [String: Counts] {
        try await read { db in
            let sums = RollupLayout.columns.map { "sum(\($0))" }.joined(separator: ", ")
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT channel, \(sums) FROM dayRollup WHERE centre = ? AND day BETWEEN ? AND ? GROUP BY channel",
                arguments: [centre, from.iso8601, through.iso8601])
            var result: [String: Counts] = [:]
            while let row = try rows.next() {
                result[row[0]] = Self.counts(from: row, offset: 1)
            }
            return result
        }
    }

    /// The quarterly rollup counts of `centre` per channel in `quarter`.
    public func quarterCounts(centre: String, quarter: Quarter) async throws -> [String: Counts] {
        try await read { db in
            let columns = RollupLayout.columns.joined(separator: ", ")
            let rows = try Row.fetchCursor(
                db, sql: "SELECT channel, \(columns) FROM rollup WHERE quarter = ? AND centre = ?",
                arguments: [quarter.description, centre])
            var result: [String: Counts] = [:]
            while let row = try rows.next() {
                result[row[0]] = Self.counts(from: row, offset: 1)
            }
            return result
        }
    }

    /// Reads the rollup count columns starting at column `offset` of `row`.
    static func counts(from row: Row, offset: Int) -> Counts {
        RollupLayout.counts { row[offset + $0] }
    }
}
