import Foundation
import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// A save no misuse rule reads (issue 14 point 7: fewer round trips per submission): the responses, their comments,
/// the four rollups and the live display's announcement in one statement, each part a data-modifying `WITH` query.
///
/// The rollups are added for every id of the batch as if each were new, since that is nearly always so (a retry is
/// rare); the statement says which ids it stored, and what it added for the others (duplicates, conflicts, an id
/// another instance stored a moment before) is taken back at once by a second statement, in the same transaction,
/// on rows this transaction has locked already. The comments are inserted only for the ids stored (joined to the
/// insert's `RETURNING`).
///
/// The lock order of `PostgresStore+Responses.swift` holds: each part reads the one before it (`WHERE (SELECT count(*)
/// FROM previous) >= 0`), so PostgreSQL runs them in the written order (responses, then rollup, service, counter and day
/// rollups, each by its key), as the statements of a save the misuse rules read do.
extension PostgresStore {
    func saveInOneStatement(_ responses: [SurveyResponse], order: [Int], quarters: [String], on connection: PostgresConnection,
                            receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome] {
        let zone = configuration.zone
        let firstRecentDay = Deltas.firstRecentDay(receivedAt: receivedAt, zone: zone)
        // The first of a batch's repeats of an id is the one that may be stored (the insert takes them in `order`).
        var firsts: [Int] = []
        var seen = Set<String>()
        for i in order where seen.insert(responses[i].id).inserted { firsts.append(i) }
        var deltas = Deltas()
        var comments: [[String: Any]] = []
        for i in firsts {
            let r = responses[i]
            deltas.add(r, quarter: quarters[i], counts: Counts.plus(r), zone: zone, firstRecentDay: firstRecentDay)
            if let text = r.comment {
                var row = Self.commentRow(r, text, quarter: quarters[i], sequence: 0)
                row.removeValue(forKey: "seq")
                row["id"] = r.id
                comments.append(row)
            }
        }
        var binds = PostgresBindings()
        binds.append(try Self.json(Self.responseRows(responses, order: order, quarters: quarters)))
        binds.append(importID)
        binds.append(receivedAt.iso8601)
        var parts = ["ins AS (\(Self.insertResponsesSQL(rows: "$1", importID: "$2", received: "$3", returning: "id, seq, centre")))"]
        if !comments.isEmpty {
            binds.append(try Self.json(comments))
            parts.append("""
                c AS (INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
                SELECT x.quarter, x.centre, x.channel, ins.seq, x.ms, x.sum, x.count, x.service, x.text
                FROM jsonb_to_recordset($\(binds.count)::jsonb) AS x(
                    id text, quarter text, centre text, channel text, ms bigint, sum integer, count integer, service text, text text)
                JOIN ins ON ins.id = x.id)
                """)
        }
        var previous = "ins"
        for (table, tableDeltas) in deltas.tables where !tableDeltas.isEmpty {
            binds.append(try Self.json(Self.rollupRows(tableDeltas, table: table)))
            let name = "r_\(table.name)"
            parts.append("\(name) AS (\(Self.upsertSQL(table, rows: "$\(binds.count)", condition: "(SELECT count(*) FROM \(previous)) >= 0")) RETURNING 1)")
            previous = name
        }
        // The centres of the responses stored, announced last (the announcement is sent at the commit), as
        // `payload(for:)` writes them: a JSON array in order, or `*` when too long; nothing when nothing was stored.
        binds.append(Self.changesChannel)
        parts.append("""
            n AS (SELECT pg_notify($\(binds.count), CASE WHEN octet_length(p) <= \(Self.largestAnnouncement) THEN p ELSE '*' END)
                  FROM (SELECT json_agg(c ORDER BY c)::text AS p FROM (SELECT DISTINCT centre AS c FROM ins) d) q
                  WHERE p IS NOT NULL AND (SELECT count(*) FROM \(previous)) >= 0)
            """)
        let sql = """
            WITH \(parts.joined(separator: ",\n"))
            SELECT (SELECT count(*) FROM n) AS announced, (SELECT coalesce(array_agg(id ORDER BY seq), '{}') FROM ins) AS stored
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var created = Set<String>()
        for try await (_, stored) in rows.decode((Int64, [String]).self) { created.formUnion(stored) }

        var outcomes = [SaveOutcome](repeating: .duplicate, count: responses.count)
        var others: [Int] = []
        var back = Deltas()
        var counted = Set<String>()
        for i in order {
            let r = responses[i]
            if created.contains(r.id), counted.insert(r.id).inserted {
                outcomes[i] = .created
                continue
            }
            others.append(i)
        }
        for i in firsts where !created.contains(responses[i].id) {
            back.add(responses[i], quarter: quarters[i], counts: Counts.minus(responses[i]), zone: zone, firstRecentDay: firstRecentDay)
        }
        // What was added for ids not stored, taken back (rows this transaction holds already).
        try await back.write(on: connection, logger: logger)
        if !others.isEmpty {
            let stored = try await Self.responses(ids: Array(Set(others.map { responses[$0].id })), on: connection, logger: logger)
            for i in others { outcomes[i] = SaveOutcome(stored: stored[responses[i].id], sent: responses[i]) }
        }
        var contactable: [(response: SurveyResponse, quarter: String)] = []
        for i in firsts where created.contains(responses[i].id) && responses[i].contact != nil { contactable.append((responses[i], quarters[i])) }
        try await Self.openCases(for: contactable, policy: configuration.followUp, zone: zone, at: receivedAt, on: connection, logger: logger)
        let createdCentres = Set(firsts.filter { created.contains(responses[$0].id) }.map { responses[$0].centre })
        let knownCentres = committedRows.withLock { $0.centres }
        try await Self.registerUnseenCentres(createdCentres.subtracting(knownCentres), on: connection, at: receivedAt, logger: logger)
        try await Self.tally(outcomes, rejected: rejected, into: importID, on: connection, logger: logger)
        return outcomes
    }
}
