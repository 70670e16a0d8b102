import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore: MisuseStore {
    static var timelineCap: Int { MisuseRules.timelineCap }

    /// Runs the misuse rules over the timelines of the devices that sent `watched` (created in this transaction), and
    /// sets aside what they flag, subtracting from the rollups and comments what was counted. The rules are monotone
    /// (more responses only ever flag more), so a window of a device's timeline around the new responses, `reach` twice
    /// over on each side, flags nothing the whole timeline would not: no earlier decision is undone.
    static func applyMisuseRules(to watched: [SurveyResponse], policy: MisusePolicy, zone: DeploymentZone, receivedAt: Instant,
                                 in db: Database) throws {
        guard !watched.isEmpty else { return }
        let reach = policy.rules.reachMilliseconds
        var flagged: [(id: String, rule: MisuseRule)] = []
        // Only responses that arrived near this save's time join its timelines (`MisusePolicy.arrivalWindowSeconds`).
        let arrivals = policy.arrivals(around: receivedAt)
        let arrivedFrom = arrivals?.lowerBound.iso8601 ?? "0000-01-01T00:00:00.000Z",
            arrivedTo = arrivals?.upperBound.iso8601 ?? "9999-12-31T23:59:59.999Z"
        for device in DeviceBatch.grouping(watched) {
            let columns = """
                SELECT id, submittedAt, q1, q2, q3, q4, comment, setAside, reinstated, channel FROM response
                WHERE source = ? AND receivedAt BETWEEN ? AND ?
                """
            let first = device.first.iso8601, last = device.last.iso8601
            // The device's timeline around the new responses, bounded (`MisuseRules.timelineCap`).
            var rows = try Row.fetchAll(db, sql: columns + " AND submittedAt >= ? AND submittedAt < ? ORDER BY submittedAt DESC LIMIT ?",
                                        arguments: [device.source, arrivedFrom, arrivedTo,
                                                    Instant(millisecondsSince1970: device.first.millisecondsSince1970 - 2 * reach).iso8601,
                                                    first, timelineCap])
            rows += try Row.fetchAll(db, sql: columns + " AND submittedAt BETWEEN ? AND ? LIMIT ?",
                                     arguments: [device.source, arrivedFrom, arrivedTo, first, last, timelineCap])
            rows += try Row.fetchAll(db, sql: columns + " AND submittedAt > ? AND submittedAt <= ? ORDER BY submittedAt LIMIT ?",
                                     arguments: [device.source, arrivedFrom, arrivedTo, last,
                                                 Instant(millisecondsSince1970: device.last.millisecondsSince1970 + 2 * reach).iso8601,
                                                 timelineCap])
            var timeline = DeviceTimeline()
            for row in rows where policy.watches(channel: row["channel"], source: device.source) {
                guard case .instant(let submitted) = ISO8601Timestamp.parse(row["submittedAt"] as String) else { continue }
                timeline.add(DeviceSubmission(id: row["id"], submittedAt: submitted, ratings: [row["q1"], row["q2"], row["q3"], row["q4"]],
                                              comment: row["comment"]),
                             setAside: (row["setAside"] as String?).flatMap(MisuseRule.init(rawValue:)), reinstated: (row["reinstated"] as Int64) != 0)
            }
            timeline.addCreated(device.created)
            let decided = policy.rules.review(timeline)
            flagged += decided.setAside
            let relabel = try db.cachedStatement(sql: "UPDATE response SET setAside = ? WHERE id = ?")
            for (id, rule, _) in decided.renamed {
                try relabel.execute(arguments: [rule.rawValue, id])  // still set aside, now by the earlier rule
            }
        }
        guard !flagged.isEmpty else { return }
        let responses = try flagged.map { try storedForRecount(id: $0.id, in: db) }
        try adjustCounts(responses, sign: -1, zone: zone, in: db)
        let mark = try db.cachedStatement(sql: "UPDATE response SET setAside = ? WHERE id = ?")
        let forget = try db.cachedStatement(sql: "DELETE FROM comment WHERE quarter = ? AND centre = ? AND seq = ?")
        for ((id, rule), stored) in zip(flagged, responses) {
            try mark.execute(arguments: [rule.rawValue, id])
            if stored.response.comment != nil {
                try forget.execute(arguments: [stored.quarter, stored.response.centre, stored.sequence])
            }
        }
    }

    /// A stored response with what its counting used: its rowid (the comments' `seq`), quarter and time of receipt.
    struct StoredForRecount {
        var response: SurveyResponse
        var sequence: Int64
        var quarter: String
        var receivedAt: Instant
    }

    static func storedForRecount(id: String, in db: Database) throws -> StoredForRecount {
        guard let row = try Row.fetchOne(db, sql: "SELECT rowid AS seq, * FROM response WHERE id = ?", arguments: [id]) else {
            throw DatabaseError(resultCode: .SQLITE_NOTFOUND, message: "the response to recount is not stored")
        }
        let received: Instant
        if case .instant(let instant) = ISO8601Timestamp.parse(row["receivedAt"] as String) { received = instant } else {
            received = Instant(millisecondsSince1970: 0)
        }
        return StoredForRecount(response: decodeResponse(row), sequence: row["seq"], quarter: row["quarter"], receivedAt: received)
    }

    /// Adds (`sign` 1) or subtracts (-1) `stored` to or from every rollup, as `save` counted them: under the quarter
    /// stored with the response (the one a recount reads, whatever the deployment's zone is now), and in the day rollups
    /// where the day was within `dayRollupWindow` of the response's receipt.
    static func adjustCounts(_ stored: [StoredForRecount], sign: Int, zone: DeploymentZone, in db: Database) throws {
        guard !stored.isEmpty else { return }
        var rollups: [RollupKey: Counts] = [:], days: [DayRollupKey: Counts] = [:]
        var services: [[String]: Counts] = [:], counters: [[String]: Counts] = [:]
        for item in stored {
            let r = item.response
            let counts = sign < 0 ? Counts.minus(r) : { var c = Counts.zero; c.add(r); return c }()
            rollups[RollupKey(quarter: item.quarter, centre: r.centre, channel: r.channel), default: .zero].add(counts)
            if let service = r.service { services[[item.quarter, r.centre, r.channel, service], default: .zero].add(counts) }
            if let counter = r.counter { counters[[item.quarter, r.centre, counter], default: .zero].add(counts) }
            let day = floorDiv(zone.wallClock(at: r.submittedAt), 86_400_000)
            if day >= floorDiv(zone.wallClock(at: item.receivedAt), 86_400_000) - dayRollupWindow {
                days[DayRollupKey(day: day, centre: r.centre, channel: r.channel), default: .zero].add(counts)
            }
        }
        try applyRollupDeltas(rollups, in: db)
        for (table, deltas) in [(Self.serviceAdd, services), (Self.counterAdd, counters)] {
            let statements = try RollupStatements(db, table)
            for key in deltas.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                try RollupLayout.values(of: deltas[key]!, detail: true).withUnsafeBufferPointer { buffer in
                    try statements.add(keys: key, counts: buffer, in: db)
                }
            }
        }
        try applyDayRollupDeltas(days, in: db)
    }

    public func setAsideCounts(quarter: Quarter, centre: String?) async throws -> [SetAsideCount] {
        try await read { db in try Self.setAsideCounts(quarter: quarter, centre: centre, in: db) }
    }

    static func setAsideCounts(quarter: Quarter, centre: String?, in db: Database) throws -> [SetAsideCount] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT centre, channel, setAside, count(*) FROM response
            WHERE quarter = ? AND (?2 IS NULL OR centre = ?2) AND setAside IS NOT NULL
            GROUP BY centre, channel, setAside ORDER BY centre, channel, setAside
            """, arguments: [quarter.description, centre])
        return rows.compactMap { row in
            MisuseRule(rawValue: row[2]).map { SetAsideCount(centre: row[0], channel: row[1], rule: $0, responses: row[3]) }
        }
    }

    public func setAsideResponses(centre: String?, quarter: Quarter?, limit: Int) async throws -> [SetAsideResponse] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM response
                WHERE setAside IS NOT NULL AND (?1 IS NULL OR centre = ?1) AND (?2 IS NULL OR quarter = ?2)
                ORDER BY submittedAt DESC, id LIMIT ?3
                """, arguments: [centre, quarter?.description, max(0, limit)])
            return rows.compactMap { row in
                let response = Self.decodeResponse(row)
                guard let rule = MisuseRule(rawValue: row["setAside"]) else { return nil }
                return SetAsideResponse(id: response.id, centre: response.centre, channel: response.channel,
                                        submittedAt: response.submittedAt, source: response.source ?? "", rule: rule,
                                        ratings: response.ratings)
            }
        }
    }

    public func reinstate(_ which: Reinstatement, by who: String, reason: String, at time: Instant) async throws -> [String] {
        let zone = configuration.zone
        return try await write { db in
            let ids: [String]
            switch which {
            case .ids(let wanted):
                ids = try wanted.filter { id in
                    try Bool.fetchOne(db, sql: "SELECT setAside IS NOT NULL FROM response WHERE id = ?", arguments: [id]) ?? false
                }
            case .burst(let source, let from, let through):
                ids = try String.fetchAll(db, sql: """
                    SELECT id FROM response WHERE source = ? AND submittedAt BETWEEN ? AND ? AND setAside IS NOT NULL
                    ORDER BY submittedAt, id
                    """, arguments: [source, from.iso8601, through.iso8601])
            }
            let unique = uniqued(ids)
            guard !unique.isEmpty else { return [] }
            let stored = try unique.map { try Self.storedForRecount(id: $0, in: db) }
            try Self.adjustCounts(stored, sign: 1, zone: zone, in: db)
            let comment = try db.cachedStatement(sql: Self.commentInsert)
            for item in stored {
                let rule = try String.fetchOne(db, sql: "SELECT setAside FROM response WHERE id = ?", arguments: [item.response.id]) ?? ""
                try db.execute(sql: "UPDATE response SET setAside = NULL, reinstated = 1 WHERE id = ?", arguments: [item.response.id])
                try db.execute(sql: """
                    INSERT INTO misuseDecision (responseId, rule, decidedBy, reason, decidedAt) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [item.response.id, rule, who, reason, time.iso8601])
                if let text = item.response.comment {
                    try Self.bindComment(item.response, text, sequence: item.sequence, quarter: item.quarter, to: comment, in: db)
                }
            }
            return unique
        }
    }
}

/// `values` without repeats, in the order first seen.
func uniqued(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
