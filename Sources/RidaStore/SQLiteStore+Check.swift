import Crypto
import Foundation
import GRDB
import RidaSurvey

/// What `repairRollups` rebuilt: rows per table.
public struct RollupRepair: Sendable, Hashable {
    public var responses = 0
    public var rows: [String: Int] = [:]
}

extension SQLiteStore {
    /// Checks the database and returns every problem found (none when it is sound). Reads only.
    public func check(_ depth: CheckDepth = .full) async throws -> [CheckProblem] {
        let zone = configuration.zone
        return try await read { db in try Self.check(db, depth: depth, zone: zone) }
    }

    static func check(_ db: Database, depth: CheckDepth, zone: DeploymentZone) throws -> [CheckProblem] {
        var problems: [CheckProblem] = []
        let integrity = try String.fetchAll(db, sql: depth == .full ? "PRAGMA integrity_check" : "PRAGMA quick_check")
        if integrity != ["ok"] {
            problems += integrity.map { CheckProblem(.integrity, "SQLite reports: \($0)") }
            // A damaged file may not read further: say what SQLite said, and stop there.
            return problems
        }
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            let table: String = row[0], rowid: Int64? = row[1], parent: String = row[2]
            problems.append(CheckProblem(.foreignKeys, "\(table) row \(rowid.map(String.init) ?? "?") refers to a row of \(parent) that does not exist"))
        }
        problems += try checkSchema(db)
        problems += try checkNumbering(db)
        problems += try checkReportHashes(db)
        if depth == .full {
            problems += try checkRollups(db, zone: zone)
        }
        return problems
    }

    /// The guards the migrations made (append-only and frozen-report triggers, tables, indexes) are all there, as made.
    static func checkSchema(_ db: Database) throws -> [CheckProblem] {
        let reference = try DatabaseQueue()
        _ = try Migrations.steps().migrate(reference)
        let expected = try reference.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
                .map { (type: $0["type"] as String, name: $0["name"] as String, sql: $0["sql"] as String?) }
        }
        try reference.close()
        var actual: [String: (type: String, sql: String?)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master") {
            actual[row["name"]] = (row["type"], row["sql"])
        }
        var problems: [CheckProblem] = []
        for (type, name, sql) in expected {
            guard let found = actual[name], found.type == type else {
                problems.append(CheckProblem(.schema, "the \(type) \(name) that Rida's migrations made is missing"
                    + (type == "trigger" ? ": what it guards can now be changed or deleted behind Rida's back (restore a backup from before it was dropped)" : "")))
                continue
            }
            if type == "trigger", found.sql.map(Self.collapsingSpaces) != sql.map(Self.collapsingSpaces) {
                problems.append(CheckProblem(.schema, "the trigger \(name) is not the one Rida's migrations made"))
            }
        }
        return problems
    }

    /// SQL with every run of white space made one space: the same trigger, however it was indented.
    static func collapsingSpaces(_ sql: String) -> String {
        sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The tables kept append-only are numbered 1, 2, 3… with nothing removed: a gap or a missing last entry means a
    /// row was deleted behind Rida's back (its triggers refuse it).
    static func checkNumbering(_ db: Database) throws -> [CheckProblem] {
        let kept: [(table: String, what: String)] = [
            ("assessmentEntry", "the assessment history"), ("savedReport", "the saved reports"),
            ("reportAction", "the reports' actions"), ("reportActionStatus", "the actions' status history"),
            ("declineReason", "the decline reasons"), ("centreChange", "the centres' registry log"),
        ]
        var problems: [CheckProblem] = []
        for (table, what) in kept {
            guard try db.tableExists(table) else { continue }
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(max(id), 0) FROM \(table)")!
            let count: Int64 = row[0], highest: Int64 = row[1]
            let issued = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? highest
            if count != highest {
                problems.append(CheckProblem(.history, "\(what) (\(table)) is broken: \(count) entries numbered up to \(highest), so \(highest - count) were removed"))
            } else if issued > highest {
                problems.append(CheckProblem(.history, "\(what) (\(table)) is broken: its last \(issued - highest) entries (after #\(highest)) were removed"))
            }
        }
        return problems
    }

    /// Every saved report's stored content, and every published page, still has the SHA-256 stored with it.
    static func checkReportHashes(_ db: Database) throws -> [CheckProblem] {
        guard try db.tableExists("savedReport") else { return [] }
        var problems: [CheckProblem] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, scope, quarter, status, content, contentSha256, page, pageSha256 FROM savedReport
            WHERE content IS NOT NULL OR page IS NOT NULL ORDER BY id
            """)
        while let row = try rows.next() {
            let id: Int64 = row["id"]
            let name = "report #\(id) (\(row["status"] as String), \(row["scope"] as String), \(row["quarter"] as String))"
            if let content = row["content"] as String?, hex(SHA256.hash(data: Data(content.utf8))) != (row["contentSha256"] as String?) {
                problems.append(CheckProblem(.reports, "\(name): its stored content does not match its SHA-256"))
            }
            if let page = row["page"] as String?, hex(SHA256.hash(data: Data(page.utf8))) != (row["pageSha256"] as String?) {
                problems.append(CheckProblem(.reports, "\(name): its published page does not match its SHA-256"))
            }
        }
        return problems
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Rollups recounted

    /// The rollups as the responses give them: counts per quarter × centre × channel, per service, per counter, per
    /// local day (kept only for responses submitted at most `dayRollupWindow` days before they were received).
    struct Recount {
        /// Counts are flat: responses, q1s1…q4s5, then (quarterly and day rollups) stages before, during, after.
        var rollup: [[String]: [Int64]] = [:]
        var service: [[String]: [Int64]] = [:]
        var counter: [[String]: [Int64]] = [:]
        var day: [[String]: [Int64]] = [:]
        var responses = 0

        static let width = RollupLayout.width
        static let detailWidth = RollupLayout.detailWidth

        mutating func add(_ key: [String], to table: WritableKeyPath<Recount, [[String]: [Int64]]>, width: Int,
                          ratings: [Int?], stage: String?) {
            var counts = self[keyPath: table][key] ?? [Int64](repeating: 0, count: width)
            counts[RollupLayout.responsesIndex] += 1
            for (q, rating) in ratings.enumerated() {
                if let rating, (1...RollupLayout.scores).contains(rating) { counts[RollupLayout.index(question: q, score: rating)] += 1 }
            }
            if width == Self.width, let stage = stage.flatMap(Stage.init(rawValue:)) {
                counts[RollupLayout.index(of: stage)] += 1
            }
            self[keyPath: table][key] = counts
        }
    }

    /// One pass over the responses. `comment` is called for each response with a comment (the repair writes them).
    static func recount(_ db: Database, zone: DeploymentZone, comment: ((Row, Instant) throws -> Void)? = nil) throws -> Recount {
        var recount = Recount()
        // The responses counted: all but those set aside, once `misuse-v1` has made the column (an earlier migration's
        // Swift step, `rebuildDayRollups`, recounts a schema without it).
        let counted = try db.columns(in: "response").contains { $0.name == "setAside" } ? "WHERE setAside IS NULL" : ""
        let rows = try Row.fetchCursor(db, sql: """
            SELECT rowid, quarter, centre, channel, submittedAt, receivedAt, stage, q1, q2, q3, q4, service, counter, comment
            FROM response \(counted)
            """)
        while let row = try rows.next() {
            recount.responses += 1
            let quarter: String = row[1], centre: String = row[2], channel: String = row[3]
            let stage: String? = row[6]
            let ratings: [Int?] = [row[7], row[8], row[9], row[10]]
            recount.add([quarter, centre, channel], to: \.rollup, width: Recount.width, ratings: ratings, stage: stage)
            if let service = row[11] as String? {
                recount.add([quarter, centre, channel, service], to: \.service, width: Recount.detailWidth, ratings: ratings, stage: nil)
            }
            if let counter = row[12] as String? {
                recount.add([quarter, centre, counter], to: \.counter, width: Recount.detailWidth, ratings: ratings, stage: nil)
            }
            guard case .instant(let submitted) = ISO8601Timestamp.parse(row[4] as String) else { continue }
            let day = floorDiv(zone.wallClock(at: submitted), 86_400_000)
            if case .instant(let received) = ISO8601Timestamp.parse(row[5] as String),
               day >= floorDiv(zone.wallClock(at: received), 86_400_000) - dayRollupWindow {
                recount.add([CivilDate(daysSince1970: day).iso8601, centre, channel], to: \.day, width: Recount.width,
                            ratings: ratings, stage: stage)
            }
            if let comment, row[13] as String? != nil { try comment(row, submitted) }
        }
        return recount
    }

    static var rollupTables: [(table: String, name: String, keys: Int, width: Int, path: KeyPath<Recount, [[String]: [Int64]]>)] {
        [
        ("rollup", "quarterly rollup", 3, Recount.width, \.rollup),
        ("serviceRollup", "service rollup", 4, Recount.detailWidth, \.service),
        ("counterRollup", "counter rollup", 3, Recount.detailWidth, \.counter),
        ("dayRollup", "day rollup", 3, Recount.width, \.day),
        ]
    }

    static func checkRollups(_ db: Database, zone: DeploymentZone) throws -> [CheckProblem] {
        let recount = try recount(db, zone: zone)
        var problems: [CheckProblem] = []
        for table in rollupTables {
            var stored: [[String]: [Int64]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.table)")
            while let row = try rows.next() {
                let key = (0..<table.keys).map { row[$0] as String }
                stored[key] = (0..<table.width).map { row[table.keys + $0] as Int64 }
            }
            let expected = recount[keyPath: table.path]
            problems += CheckProblem.rollupDifferences(table.name, stored: stored, recounted: expected)
        }
        // Comments: each response's comment once, under its quarter and centre, and nothing else.
        let missing = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM response r WHERE r.comment IS NOT NULL AND r.setAside IS NULL AND NOT EXISTS (
                SELECT 1 FROM comment c WHERE c.quarter = r.quarter AND c.centre = r.centre AND c.seq = r.rowid
                  AND c.channel = r.channel AND c.text = r.comment)
            """) ?? 0
        let extra = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM comment c WHERE NOT EXISTS (
                SELECT 1 FROM response r WHERE r.rowid = c.seq AND r.quarter = c.quarter AND r.centre = c.centre
                  AND r.channel = c.channel AND r.comment = c.text AND r.setAside IS NULL)
            """) ?? 0
        if missing > 0 { problems.append(CheckProblem(.rollups, "\(missing) responses' comments are missing from the reports' comments")) }
        if extra > 0 { problems.append(CheckProblem(.rollups, "the reports' comments hold \(extra) that no response stored has")) }
        return problems
    }

    /// Rebuilds the day rollups from the stored responses (the live display's today and this week).
    static func rebuildDayRollups(in db: Database, zone: DeploymentZone) throws {
        try db.execute(sql: "DELETE FROM dayRollup")
        let days = try recount(db, zone: zone).day
        let placeholders = Array(repeating: "?", count: 3 + Recount.width).joined(separator: ", ")
        let statement = try db.makeStatement(sql: "INSERT INTO dayRollup VALUES (\(placeholders))")
        for (key, counts) in days {
            try statement.execute(arguments: StatementArguments(key.map { $0 as any DatabaseValueConvertible } + counts.map { $0 as any DatabaseValueConvertible }))
        }
    }

    /// Rebuilds every rollup (quarterly, service, counter, day) and the reports' comments from the stored responses,
    /// in one transaction: the reports and the live display then count exactly the responses stored.
    public func repairRollups() async throws -> RollupRepair {
        let zone = configuration.zone
        return try await write { db in
            for table in Self.rollupTables { try db.execute(sql: "DELETE FROM \(table.table)") }
            try db.execute(sql: "DELETE FROM comment")
            let insert = try db.cachedStatement(sql: Self.commentInsert)
            var comments = 0
            let recount = try Self.recount(db, zone: zone) { row, submitted in
                let ratings: [Int?] = [row[7], row[8], row[9], row[10]]
                let sum = ratings.compactMap { $0 }.reduce(0, +), count = ratings.compactMap { $0 }.count
                try insert.execute(arguments: [row[1] as String, row[2] as String, row[3] as String, row[0] as Int64,
                                               submitted.millisecondsSince1970, sum, count, row[11] as String?, row[13] as String])
                comments += 1
            }
            var repair = RollupRepair(responses: recount.responses, rows: ["comment": comments])
            for table in Self.rollupTables {
                let rows = recount[keyPath: table.path]
                let placeholders = Array(repeating: "?", count: table.keys + table.width).joined(separator: ", ")
                let statement = try db.makeStatement(sql: "INSERT INTO \(table.table) VALUES (\(placeholders))")
                for (key, counts) in rows {
                    var values: [any DatabaseValueConvertible] = key
                    values += counts.map { $0 as any DatabaseValueConvertible }
                    try statement.execute(arguments: StatementArguments(values))
                }
                repair.rows[table.table] = rows.count
            }
            return repair
        }
    }
}
