import GRDB
import GRDBSQLite
import RidaAggregation
import RidaSurvey

extension SQLiteStore {
    static func applyRollupDeltas(_ deltas: [RollupKey: Counts], in db: Database) throws {
        guard !deltas.isEmpty else { return }
        let statements = try RollupStatements(db, Self.rollupAdd)
        for (key, counts) in deltas {
            try RollupLayout.values(of: counts).withUnsafeBufferPointer { buffer in
                try statements.add(keys: [key.quarter, key.centre, key.channel], counts: buffer, in: db)
            }
        }
    }

    static let rollupAdd = RollupSQL(table: "rollup", keys: ["quarter", "centre", "channel"], columns: RollupLayout.columns)

    /// The rollup counts of each group in each of `quarters`.
    public func counts(for quarters: [Quarter]) async throws -> [Quarter: [GroupKey: Counts]] {
        try await read { db in try Self.counts(for: quarters, in: db) }
    }

    static func counts(for quarters: [Quarter], in db: Database) throws -> [Quarter: [GroupKey: Counts]] {
        let wanted = quarters.map(\.description)
        var result: [Quarter: [GroupKey: Counts]] = [:]
        let columns = RollupLayout.columns.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: wanted.count).joined(separator: ", ")
        let rows = try Row.fetchCursor(
            db, sql: "SELECT quarter, centre, channel, \(columns) FROM rollup WHERE quarter IN (\(placeholders))",
            arguments: StatementArguments(wanted))
        while let row = try rows.next() {
            guard let quarter = Quarter(row[0] as String) else { continue }
            result[quarter, default: [:]][GroupKey(centre: row[1], channel: row[2])] = RollupLayout.counts { row[3 + $0] }
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

/// The statements that add counts to one rollup table's rows.
struct RollupSQL: Sendable {
    let update: String
    let insert: String

    init(table: String, keys: [String], columns: [String]) {
        update = "UPDATE \(table) SET " + columns.map { "\($0) = \($0) + ?" }.joined(separator: ", ")
            + " WHERE " + keys.map { "\($0) = ?" }.joined(separator: " AND ")
        insert = "INSERT INTO \(table) (\((keys + columns).joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: keys.count + columns.count).joined(separator: ", ") + ")"
    }
}

/// Adds counts to rollup rows with SQLite's C API: an UPDATE of the row by its key (one descent of the B-tree),
/// and an INSERT only when the row is new. Cheaper than `INSERT … ON CONFLICT DO UPDATE`, which looks twice.
struct RollupStatements {
    let update: OpaquePointer
    let insert: OpaquePointer

    init(_ db: Database, _ sql: RollupSQL) throws {
        update = try db.cachedStatement(sql: sql.update).sqliteStatement
        insert = try db.cachedStatement(sql: sql.insert).sqliteStatement
    }

    func add(keys: [String], counts: UnsafeBufferPointer<Int64>, in db: Database) throws {
        sqlite3_reset(update)
        for (i, value) in counts.enumerated() { sqlite3_bind_int64(update, Int32(1 + i), value) }
        for (i, key) in keys.enumerated() { sqlite3_bind_text(update, Int32(1 + counts.count + i), key, -1, sqliteTransient) }
        try step(update, db)
        if sqlite3_changes(db.sqliteConnection) > 0 { return }
        sqlite3_reset(insert)
        for (i, key) in keys.enumerated() { sqlite3_bind_text(insert, Int32(1 + i), key, -1, sqliteTransient) }
        for (i, value) in counts.enumerated() { sqlite3_bind_int64(insert, Int32(1 + keys.count + i), value) }
        try step(insert, db)
    }

    private func step(_ statement: OpaquePointer, _ db: Database) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
