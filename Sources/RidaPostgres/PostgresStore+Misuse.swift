import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// The misuse rules, as `SQLiteStore+Misuse.swift` runs them, on a database several instances write at once: a device's
/// saves take an advisory lock on it first (`lockSources`), so they read its timeline one after the other; a response is
/// set aside by an `UPDATE … WHERE setAside IS NULL`, so two transactions never subtract it twice.
extension PostgresStore: MisuseStore {
    /// Takes the transaction's advisory lock of each source, in one order.
    static func lockSources(_ sources: Set<String>, on connection: PostgresConnection, logger: Logger) async throws {
        for source in sources.sorted() {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("rida-misuse:" + source), 0))", logger: logger)
        }
    }

    /// Runs the rules over the timelines of the devices that sent `watched` (created in this transaction), renames
    /// what an earlier rule now names, marks what they set aside (`setAside`, only where it is still counted and never
    /// reinstated), and returns the ids marked: `save` leaves those of its batch uncounted and subtracts the others.
    func decideMisuse(for watched: [SurveyResponse], policy: MisusePolicy, receivedAt: Instant,
                      on connection: PostgresConnection) async throws -> Set<String> {
        guard !watched.isEmpty else { return [] }
        let reach = policy.rules.reachMilliseconds
        // Only responses that arrived near this save's time join its timelines (`MisusePolicy.arrivalWindowSeconds`).
        let arrivals = policy.arrivals(around: receivedAt)
        let from = arrivals?.lowerBound.iso8601 ?? "0000-01-01T00:00:00.000Z",
            to = arrivals?.upperBound.iso8601 ?? "9999-12-31T23:59:59.999Z"
        var flagged: [(id: String, rule: MisuseRule)] = []
        let cap = Int64(MisuseRules.timelineCap)
        for device in DeviceBatch.grouping(watched) {
            let source = device.source
            let before = Instant(millisecondsSince1970: device.first.millisecondsSince1970 - 2 * reach).iso8601
            let first = device.first.iso8601, last = device.last.iso8601
            let after = Instant(millisecondsSince1970: device.last.millisecondsSince1970 + 2 * reach).iso8601
            // The device's timeline around the new responses, bounded as SQLite's (`MisuseRules.timelineCap`).
            let rows = try await connection.query("""
                (SELECT id, submittedAt, q1, q2, q3, q4, comment, setAside, reinstated, channel FROM response
                 WHERE source = \(source) AND receivedAt BETWEEN \(from) AND \(to) AND submittedAt >= \(before) AND submittedAt < \(first) ORDER BY submittedAt DESC LIMIT \(cap))
                UNION ALL
                (SELECT id, submittedAt, q1, q2, q3, q4, comment, setAside, reinstated, channel FROM response
                 WHERE source = \(source) AND receivedAt BETWEEN \(from) AND \(to) AND submittedAt BETWEEN \(first) AND \(last) LIMIT \(cap))
                UNION ALL
                (SELECT id, submittedAt, q1, q2, q3, q4, comment, setAside, reinstated, channel FROM response
                 WHERE source = \(source) AND receivedAt BETWEEN \(from) AND \(to) AND submittedAt > \(last) AND submittedAt <= \(after) ORDER BY submittedAt LIMIT \(cap))
                """, logger: logger)
            var timeline = DeviceTimeline()
            for try await row in rows {
                let c = row.makeRandomAccess()
                guard policy.watches(channel: try c[9].decode(String.self), source: source),
                      let submitted = instant(try c[1].decode(String.self)) else { continue }
                timeline.add(DeviceSubmission(id: try c[0].decode(String.self), submittedAt: submitted,
                                              ratings: try (2...5).map { try c[$0].decode(Int16?.self).map(Int.init) },
                                              comment: try c[6].decode(String?.self)),
                             setAside: try c[7].decode(String?.self).flatMap(MisuseRule.init(rawValue:)),
                             reinstated: try c[8].decode(Int64.self) != 0)
            }
            timeline.addCreated(device.created)
            let decided = policy.rules.review(timeline)
            flagged += decided.setAside
            if !decided.renamed.isEmpty {
                // Still set aside, now by the earlier rule; the counts do not change.
                let relabels = decided.renamed.map { ["id": $0.id, "rule": $0.rule.rawValue, "old": $0.old.rawValue] as [String: Any] }
                try await connection.query("""
                    UPDATE response r SET setAside = x.rule
                    FROM jsonb_to_recordset(\(try Self.json(relabels))::jsonb) AS x(id text, rule text, old text)
                    WHERE r.id = x.id AND r.setAside = x.old
                    """, logger: logger)
            }
        }
        guard !flagged.isEmpty else { return [] }
        let marks = flagged.sorted { $0.id < $1.id }.map { ["id": $0.id, "rule": $0.rule.rawValue] as [String: Any] }
        let marked = try await connection.query("""
            UPDATE response r SET setAside = x.rule
            FROM jsonb_to_recordset(\(try Self.json(marks))::jsonb) AS x(id text, rule text)
            WHERE r.id = x.id AND r.setAside IS NULL AND r.reinstated = 0
            RETURNING r.id
            """, logger: logger)
        var ids = Set<String>()
        for try await id in marked.decode(String.self) { ids.insert(id) }
        return ids
    }

    /// Removes the reports' comments of `stored` (set aside now).
    static func forgetComments(of stored: [StoredForRecount], on connection: PostgresConnection, logger: Logger) async throws {
        let commented = stored.filter { $0.response.comment != nil }
        guard !commented.isEmpty else { return }
        let keys = commented.map { ["quarter": $0.quarter, "centre": $0.response.centre, "seq": $0.sequence] as [String: Any] }
        try await connection.query("""
            DELETE FROM comment c USING jsonb_to_recordset(\(try Self.json(keys))::jsonb) AS x(quarter text, centre text, seq bigint)
            WHERE c.quarter = x.quarter AND c.centre = x.centre AND c.seq = x.seq
            """, logger: logger)
    }

    /// A stored response with what its counting used: its `seq` (the comments'), quarter and time of receipt.
    struct StoredForRecount: Sendable {
        var response: SurveyResponse
        var sequence: Int64
        var quarter: String
        var receivedAt: Instant
        var setAside: String?
    }

    static func storedForRecount(ids: [String], on connection: PostgresConnection, logger: Logger) async throws -> [StoredForRecount] {
        guard !ids.isEmpty else { return [] }
        let responses = try await Self.responses(ids: ids, on: connection, logger: logger)
        let rows = try await connection.query(
            "SELECT id, seq, quarter, receivedAt, setAside FROM response WHERE id = ANY(\(ids)) ORDER BY id", logger: logger)
        var stored: [StoredForRecount] = []
        for try await (id, seq, quarter, received, setAside) in rows.decode((String, Int64, String, String, String?).self) {
            guard let response = responses[id] else { continue }
            stored.append(StoredForRecount(response: response, sequence: seq, quarter: quarter,
                                           receivedAt: instant(received) ?? Instant(millisecondsSince1970: 0), setAside: setAside))
        }
        return stored
    }

    /// Adds (`sign` 1) or subtracts (-1) `stored` to or from every rollup, as `save` counted them.
    func adjustCounts(_ stored: [StoredForRecount], sign: Int, on connection: PostgresConnection) async throws {
        guard !stored.isEmpty else { return }
        let zone = configuration.zone
        var deltas = Deltas()
        for item in stored {
            deltas.add(item.response, quarter: item.quarter, counts: sign < 0 ? Counts.minus(item.response) : Counts.plus(item.response),
                       zone: zone, firstRecentDay: Deltas.firstRecentDay(receivedAt: item.receivedAt, zone: zone))
        }
        try await deltas.write(on: connection, logger: logger)
    }

    public func setAsideCounts(quarter: Quarter, centre: String?) async throws -> [SetAsideCount] {
        try await read { connection in
            try await Self.setAsideCounts(quarter: quarter, centre: centre, on: connection, logger: self.logger)
        }
    }

    static func setAsideCounts(quarter: Quarter, centre: String?, on connection: PostgresConnection, logger: Logger) async throws -> [SetAsideCount] {
        let rows = try await connection.query("""
            SELECT centre, channel, setAside, count(*) FROM response
            WHERE quarter = \(quarter.description) AND (\(centre)::text IS NULL OR centre = \(centre)) AND setAside IS NOT NULL
            GROUP BY centre, channel, setAside ORDER BY centre, channel, setAside
            """, logger: logger)
        var counts: [SetAsideCount] = []
        for try await (centre, channel, rule, n) in rows.decode((String, String, String, Int64).self) {
            if let rule = MisuseRule(rawValue: rule) {
                counts.append(SetAsideCount(centre: centre, channel: channel, rule: rule, responses: Int(n)))
            }
        }
        return counts
    }

    public func setAsideResponses(centre: String?, quarter: Quarter?, limit: Int) async throws -> [SetAsideResponse] {
        try await read { connection in
            let rows = try await connection.query("""
                SELECT id FROM response
                WHERE setAside IS NOT NULL AND (\(centre)::text IS NULL OR centre = \(centre))
                  AND (\(quarter?.description)::text IS NULL OR quarter = \(quarter?.description))
                ORDER BY submittedAt DESC, id LIMIT \(Int64(max(0, limit)))
                """, logger: self.logger)
            var ids: [String] = []
            for try await id in rows.decode(String.self) { ids.append(id) }
            let stored = try await Self.storedForRecount(ids: ids, on: connection, logger: self.logger)
            let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.response.id, $0) })
            return ids.compactMap { id in
                guard let item = byID[id], let rule = item.setAside.flatMap(MisuseRule.init(rawValue:)) else { return nil }
                let r = item.response
                return SetAsideResponse(id: r.id, centre: r.centre, channel: r.channel, submittedAt: r.submittedAt,
                                        source: r.source ?? "", rule: rule, ratings: r.ratings)
            }
        }
    }

    public func reinstate(_ which: Reinstatement, by who: String, reason: String, at time: Instant) async throws -> [String] {
        try await transaction { connection in
            let selected: PostgresRowSequence
            switch which {
            case .ids(let wanted):
                selected = try await connection.query(
                    "SELECT id, source FROM response WHERE id = ANY(\(wanted)) AND setAside IS NOT NULL ORDER BY id", logger: self.logger)
            case .burst(let source, let from, let through):
                selected = try await connection.query("""
                    SELECT id, source FROM response
                    WHERE source = \(source) AND submittedAt BETWEEN \(from.iso8601) AND \(through.iso8601) AND setAside IS NOT NULL
                    ORDER BY id
                    """, logger: self.logger)
            }
            var candidates: [String] = [], sources = Set<String>()
            for try await (id, source) in selected.decode((String, String?).self) {
                candidates.append(id)
                if let source { sources.insert(source) }
            }
            guard !candidates.isEmpty else { return [] }
            try await Self.lockSources(sources, on: connection, logger: self.logger)
            // Under the devices' locks, again: only what is still set aside is counted back, once.
            let before = try await Self.storedForRecount(ids: candidates, on: connection, logger: self.logger).filter { $0.setAside != nil }
            guard !before.isEmpty else { return [] }
            let ids = before.map(\.response.id)
            try await connection.query(
                "UPDATE response SET setAside = NULL, reinstated = 1 WHERE id = ANY(\(ids))", logger: self.logger)
            try await self.adjustCounts(before, sign: 1, on: connection)
            var decisions: [[String: Any]] = [], comments: [[String: Any]] = []
            for item in before {
                let r = item.response
                decisions.append(["id": r.id, "rule": item.setAside ?? "", "who": who, "why": reason, "at": time.iso8601])
                if let text = r.comment { comments.append(Self.commentRow(r, text, quarter: item.quarter, sequence: item.sequence)) }
            }
            try await connection.query("""
                INSERT INTO misuseDecision (responseId, rule, decidedBy, reason, decidedAt)
                SELECT id, rule, who, why, at FROM jsonb_to_recordset(\(try Self.json(decisions))::jsonb)
                    AS x(id text, rule text, who text, why text, at text)
                """, logger: self.logger)
            if !comments.isEmpty {
                try await connection.query("""
                    INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
                    SELECT quarter, centre, channel, seq, ms, sum, count, service, text
                    FROM jsonb_to_recordset(\(try Self.json(comments))::jsonb) AS x(
                        quarter text, centre text, channel text, seq bigint, ms bigint, sum integer, count integer, service text, text text)
                    """, logger: self.logger)
            }
            return ids
        }
    }
}
