import Foundation
import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// Saving responses, as `SQLiteStore+Responses.swift` does: one transaction per batch, each id decided created,
/// duplicate or conflict, the rollups (quarterly, per service, per counter, per recent local day) and the comments'
/// table kept in the same transaction, the import's counts too.
///
/// Several instances write at once here, so the order of the writes is fixed: responses by id, then each rollup table
/// by its key, then the centres first seen, then the import. Every transaction takes its row locks in that one order,
/// so two of them never wait for each other in a cycle (no deadlock); the counts are added by upserts
/// (`ON CONFLICT … DO UPDATE SET n = t.n + excluded.n`), which PostgreSQL applies to the row as committed by the other
/// writer (no lost update). An id sent through two instances at once is inserted by one; the other's insert waits for
/// that commit, inserts nothing, and reads the stored response to decide duplicate or conflict.
///
/// A batch is a few statements whatever its size: the responses in one `INSERT … SELECT … FROM jsonb_to_recordset($1)`
/// (the batch as one JSON parameter, in id order), their comments in another, and one upsert per rollup table.
extension PostgresStore {
    public func save(_ responses: [SurveyResponse], receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome] {
        let outcomes = try await transaction { connection in
            try await self.save(responses, on: connection, receivedAt: receivedAt, importID: importID, rejected: rejected)
        }
        // Committed: the surveys answered and the centres named are in the database for good.
        committedRows.withLock { rows in
            for response in responses {
                rows.surveys.insert(SurveyKey(id: response.surveyID, version: response.surveyVersion))
                rows.centres.insert(response.centre)
            }
        }
        return outcomes
    }

    /// Stores the batch's responses: the preparation is SQLite's writer's (see `PreparedBatch`), of no use here.
    public func save(_ batch: PreparedBatch, receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome] {
        try await save(batch.responses, receivedAt: receivedAt, importID: importID, rejected: rejected)
    }

    public func response(id: String) async throws -> SurveyResponse? {
        try await read { connection in try await Self.response(id: id, on: connection, logger: self.logger) }
    }

    public func responseCount() async throws -> Int {
        try await read { connection in
            let rows = try await connection.query("SELECT count(*) FROM response", logger: self.logger)
            return Int(try await rows.decode(Int64.self).first { _ in true } ?? 0)
        }
    }

    public func registerSurvey(_ questionnaire: Questionnaire, definition: String) async throws {
        try await transaction { connection in
            try await Self.registerSurvey(id: questionnaire.id, version: questionnaire.version, definition: definition,
                                          on: connection, logger: self.logger)
        }
    }

    // MARK: Inside the transaction

    func save(_ responses: [SurveyResponse], on connection: PostgresConnection, receivedAt: Instant, importID: Int64?,
              rejected: Int) async throws -> [SaveOutcome] {
        try await ensureSurveys(for: responses, on: connection)
        let zone = configuration.zone
        let misuse = configuration.misuse
        // The devices the misuse rules watch are locked first, before any row: one device's saves on several instances
        // then read its timeline one after the other, each seeing the one before (READ COMMITTED), in one lock order.
        try await Self.lockSources(Set(responses.filter(misuse.applies(to:)).compactMap(\.source)), on: connection, logger: logger)
        let received = receivedAt.iso8601
        let firstRecentDay = Deltas.firstRecentDay(receivedAt: receivedAt, zone: zone)
        var deltas = Deltas()
        var outcomes = [SaveOutcome](repeating: .duplicate, count: responses.count)
        guard !responses.isEmpty else { return outcomes }
        // By id, the first of a batch's repeats first (so it is the one stored, as SQLite stores it): one statement
        // inserts them all in that order, and says which it stored.
        let order = responses.indices.sorted { (responses[$0].id, $0) < (responses[$1].id, $1) }
        let quarters = responses.map { zone.quarter(at: $0.submittedAt).description }
        // Responses the misuse rules read, or a rating the database will refuse (a caller's bug, refused whole by the
        // insert before anything is counted), take the statements one by one.
        let countable = responses.allSatisfy { $0.ratings.count == 4 && $0.ratings.allSatisfy { ($0 ?? 1) >= 1 && ($0 ?? 1) <= 5 } }
        if countable, !responses.contains(where: misuse.applies(to:)) {
            return try await saveInOneStatement(responses, order: order, quarters: quarters, on: connection, receivedAt: receivedAt,
                                                importID: importID, rejected: rejected)
        }
        var binds = PostgresBindings()
        binds.append(try Self.json(Self.responseRows(responses, order: order, quarters: quarters)))
        binds.append(importID)
        binds.append(received)
        let inserted = try await connection.query(PostgresQuery(unsafeSQL: Self.insertResponsesSQL(rows: "$1", importID: "$2", received: "$3"),
                                                                binds: binds), logger: logger)
        var sequence: [String: Int64] = [:]
        for try await (id, seq) in inserted.decode((String, Int64).self) { sequence[id] = seq }
        var comments: [[String: Any]] = []
        var others: [Int] = []
        // The misuse rules decide first, before any rollup row is locked: what they set aside of this batch is never
        // counted, and what they set aside of earlier responses is subtracted in the same upserts, so each rollup table
        // is written once per save, in key order, as the header says (no deadlock with another instance's save).
        let created = Set(sequence.keys)
        var watched: [SurveyResponse] = []
        var watchedIDs = Set<String>()
        for i in order where created.contains(responses[i].id) && misuse.applies(to: responses[i]) && watchedIDs.insert(responses[i].id).inserted {
            watched.append(responses[i])
        }
        let setAside = try await decideMisuse(for: watched, policy: misuse, receivedAt: receivedAt, on: connection)
        var contactable: [(response: SurveyResponse, quarter: String)] = []
        var contactableIDs = Set<String>()  // the first of a batch's repeats, the one stored
        for i in order where created.contains(responses[i].id) && contactableIDs.insert(responses[i].id).inserted && responses[i].contact != nil {
            contactable.append((responses[i], quarters[i]))
        }
        try await Self.openCases(for: contactable, policy: configuration.followUp, zone: zone, at: receivedAt, on: connection, logger: logger)
        for i in order {
            let r = responses[i]
            guard let seq = sequence.removeValue(forKey: r.id) else {
                others.append(i)
                continue
            }
            outcomes[i] = .created
            if setAside.contains(r.id) { continue }  // kept, counted nowhere
            let quarter = quarters[i]
            deltas.add(r, quarter: quarter, counts: Counts.plus(r), zone: zone, firstRecentDay: firstRecentDay)
            if let comment = r.comment { comments.append(Self.commentRow(r, comment, quarter: quarter, sequence: seq)) }
        }
        if !comments.isEmpty {
            try await connection.query("""
                INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
                SELECT quarter, centre, channel, seq, ms, sum, count, service, text
                FROM jsonb_to_recordset(\(try Self.json(comments))::jsonb) AS x(
                    quarter text, centre text, channel text, seq bigint, ms bigint, sum integer, count integer, service text, text text)
                """, logger: logger)
        }
        // Earlier responses the rules set aside now: out of the same deltas, and out of the comments.
        let earlier = try await Self.storedForRecount(ids: setAside.subtracting(created).sorted(), on: connection, logger: logger)
        for item in earlier {
            deltas.add(item.response, quarter: item.quarter, counts: Counts.minus(item.response), zone: zone,
                       firstRecentDay: Deltas.firstRecentDay(receivedAt: item.receivedAt, zone: zone))
        }
        try await Self.forgetComments(of: earlier, on: connection, logger: logger)
        // The ids stored already (or earlier in this batch): duplicates or conflicts, against what is stored.
        if !others.isEmpty {
            let stored = try await Self.responses(ids: Array(Set(others.map { responses[$0].id })), on: connection, logger: logger)
            for i in others { outcomes[i] = SaveOutcome(stored: stored[responses[i].id], sent: responses[i]) }
        }
        try await deltas.write(on: connection, logger: logger)
        // Every centre this batch stored a response of, set aside ones included (SQLite registers them alike).
        let centres = Set(deltas.rollups.keys.map { $0.parts[1] }).union(responses.filter { created.contains($0.id) }.map(\.centre))
        let knownCentres = committedRows.withLock { $0.centres }
        try await Self.registerUnseenCentres(centres.subtracting(knownCentres), on: connection, at: receivedAt, logger: logger)
        try await Self.announce(centres, on: connection, logger: logger)
        try await Self.tally(outcomes, rejected: rejected, into: importID, on: connection, logger: logger)
        return outcomes
    }

    /// Adds a batch's outcomes (and `rejected`) to import `importID`'s counts; nothing when the batch is no import's.
    static func tally(_ outcomes: [SaveOutcome], rejected: Int, into importID: Int64?, on connection: PostgresConnection, logger: Logger) async throws {
        guard let importID else { return }
        var tally = SaveTally(rejected: rejected)
        for outcome in outcomes { tally.add(outcome) }
        try await connection.query("""
            UPDATE import SET accepted = accepted + \(Int64(tally.accepted)), duplicates = duplicates + \(Int64(tally.duplicates)),
                              conflicts = conflicts + \(Int64(tally.conflicts)), rejected = rejected + \(Int64(tally.rejected))
            WHERE id = \(importID)
            """, logger: logger)
    }

    /// The batch's rows for `insertResponsesSQL`, in `order` (by id, a batch's repeats first-sent first).
    static func responseRows(_ responses: [SurveyResponse], order: [Int], quarters: [String]) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        rows.reserveCapacity(responses.count)
        for (position, i) in order.enumerated() {
            let r = responses[i]
            var row: [String: Any] = ["i": position, "id": r.id, "centre": r.centre, "channel": r.channel,
                                      "at": r.submittedAt.iso8601, "quarter": quarters[i], "sid": r.surveyID, "sv": r.surveyVersion]
            for q in 0..<4 { if let rating = r.ratings[q] { row["q\(q + 1)"] = rating } }
            row["stage"] = r.stage?.rawValue
            row["service"] = r.service
            row["counter"] = r.counter
            row["comment"] = r.comment
            row["entity"] = r.entity
            row["source"] = r.source
            rows.append(row)
        }
        return rows
    }

    /// The insert of a batch's responses, its parameters named: those it stored, with their sequence numbers.
    static func insertResponsesSQL(rows: String, importID: String, received: String, returning: String = "id, seq") -> String {
        """
        INSERT INTO response (id, centre, channel, submittedAt, quarter, stage, q1, q2, q3, q4,
                              service, counter, comment, surveyId, surveyVersion, importId, receivedAt, entity, source)
        SELECT id, centre, channel, at, quarter, stage, q1, q2, q3, q4, service, counter, comment, sid, sv,
               \(importID)::bigint, \(received)::text, entity, source
        FROM jsonb_to_recordset(\(rows)::jsonb) AS x(
            i integer, id text, centre text, channel text, at text, quarter text, stage text,
            q1 smallint, q2 smallint, q3 smallint, q4 smallint, service text, counter text, comment text,
            sid text, sv integer, entity text, source text)
        ORDER BY i
        ON CONFLICT (id) DO NOTHING
        RETURNING \(returning)
        """
    }

    /// A response's row of the reports' comments, for `jsonb_to_recordset` (the save's and a reinstatement's).
    static func commentRow(_ r: SurveyResponse, _ text: String, quarter: String, sequence: Int64) -> [String: Any] {
        var sum = 0, count = 0
        for rating in r.ratings { if let rating { sum += rating; count += 1 } }
        var row: [String: Any] = ["quarter": quarter, "centre": r.centre, "channel": r.channel, "seq": sequence,
                                  "ms": r.submittedAt.millisecondsSince1970, "sum": sum, "count": count, "text": text]
        row["service"] = r.service
        return row
    }

    /// Adds `deltas` to `table`'s rows in one upsert, its rows in the keys' order.
    static func add(_ deltas: [RollupKey: Counts], to table: RollupTable, on connection: PostgresConnection, logger: Logger) async throws {
        guard !deltas.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(try json(rollupRows(deltas, table: table)))
        try await connection.query(PostgresQuery(unsafeSQL: upsertSQL(table, rows: "$1"), binds: binds), logger: logger)
    }

    /// `deltas` as the rows of `upsertSQL`, in the keys' order.
    static func rollupRows(_ deltas: [RollupKey: Counts], table: RollupTable) -> [[String: Any]] {
        let columns = table.detail ? RollupLayout.detailColumns : RollupLayout.columns
        var rows: [[String: Any]] = []
        for (position, key) in deltas.keys.sorted().enumerated() {
            var row: [String: Any] = ["i": position]
            for (name, part) in zip(table.keys, key.parts) { row[name.lowercased()] = part }
            for (name, value) in zip(columns, RollupLayout.values(of: deltas[key]!, detail: table.detail)) { row[name.lowercased()] = value }
            rows.append(row)
        }
        return rows
    }

    /// The upsert adding the rows of parameter `rows` to `table`, its rows in the keys' order; `condition`, when
    /// given, is a `WHERE` that makes it run after another part of one statement.
    static func upsertSQL(_ table: RollupTable, rows: String, condition: String? = nil) -> String {
        let columns = table.detail ? RollupLayout.detailColumns : RollupLayout.columns
        let names = table.keys + columns
        return """
            INSERT INTO \(table.name) AS t (\(names.joined(separator: ", ")))
            SELECT \(names.joined(separator: ", ")) FROM jsonb_to_recordset(\(rows)::jsonb) AS x(i integer, \(
                (table.keys.map { "\($0) text" } + columns.map { "\($0) bigint" }).joined(separator: ", ")))
            \(condition.map { "WHERE " + $0 } ?? "")
            ORDER BY i
            ON CONFLICT (\(table.keys.joined(separator: ", "))) DO UPDATE SET
            \(columns.map { "\($0) = t.\($0) + excluded.\($0)" }.joined(separator: ", "))
            """
    }

    /// Rows as one JSON array, for `jsonb_to_recordset`: a batch in one statement (its texts never reach a log or a
    /// message: PostgreSQL's errors name no bound value).
    ///
    /// Written by hand: `JSONSerialization` took about 10 µs a value here, most of a large batch's time (rida-bench).
    /// Texts and integers are written directly; any other value goes through `JSONSerialization`.
    static func json(_ rows: [[String: Any]]) throws -> String {
        var out = "["
        out.reserveCapacity(rows.count * 24 * (rows.first?.count ?? 1))
        for (n, row) in rows.enumerated() {
            out += n == 0 ? "{" : ",{"
            var first = true
            for (key, value) in row {
                if !first { out += "," }
                first = false
                appendJSON(key, to: &out)
                out += ":"
                switch value {
                case let text as String: appendJSON(text, to: &out)
                case let number as Int: out += String(number)
                case let number as Int64: out += String(number)
                case let number as Int32: out += String(number)
                case let flag as Bool: out += flag ? "true" : "false"
                default:
                    out += String(decoding: try JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed), as: UTF8.self)
                }
            }
            out += "}"
        }
        out += "]"
        return out
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, everything else as it is (UTF-8).
    static func appendJSON(_ text: String, to out: inout String) {
        out += "\""
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Records the definitions the responses answered, the first time each is seen.
    func ensureSurveys(for responses: [SurveyResponse], on connection: PostgresConnection) async throws {
        let known = committedRows.withLock { $0.surveys }
        let surveys = Set(responses.map { SurveyKey(id: $0.surveyID, version: $0.surveyVersion) }).subtracting(known)
        for survey in surveys.sorted() {
            let rows = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM survey WHERE id = \(survey.id) AND version = \(Int32(survey.version)))", logger: logger)
            if try await rows.decode(Bool.self).first(where: { _ in true }) == true { continue }
            guard let definition = BuiltInSurvey.named(survey.id, version: survey.version)?.definition else {
                throw StoreError.unavailable(path: location.description,
                                             reason: "the survey \(survey.id) version \(survey.version) is not registered")
            }
            try await Self.registerSurvey(id: survey.id, version: survey.version, definition: definition, on: connection, logger: logger)
        }
    }

    static func registerSurvey(id: String, version: Int, definition: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "INSERT INTO survey (id, version, definition) VALUES (\(id), \(Int32(version)), \(definition)) ON CONFLICT DO NOTHING",
            logger: logger)
    }

    static func response(id: String, on connection: PostgresConnection, logger: Logger) async throws -> SurveyResponse? {
        try await responses(ids: [id], on: connection, logger: logger)[id]
    }

    /// The stored responses with `ids`, by id.
    static func responses(ids: [String], on connection: PostgresConnection, logger: Logger) async throws -> [String: SurveyResponse] {
        let rows = try await connection.query("""
            SELECT id, centre, channel, submittedAt, stage, q1, q2, q3, q4, service, counter, comment, entity, surveyId, surveyVersion,
                   source
            FROM response WHERE id = ANY(\(ids))
            """, logger: logger)
        var found: [String: SurveyResponse] = [:]
        for try await row in rows {
            let c = row.makeRandomAccess()
            let submitted = instant(try c[3].decode(String.self)) ?? Instant(millisecondsSince1970: 0)
            var response = SurveyResponse(
                id: try c[0].decode(String.self), centre: try c[1].decode(String.self), channel: try c[2].decode(String.self),
                submittedAt: submitted, stage: try c[4].decode(String?.self).flatMap(Stage.init(rawValue:)),
                ratings: try (5...8).map { try c[$0].decode(Int16?.self).map(Int.init) },
                service: try c[9].decode(String?.self), counter: try c[10].decode(String?.self),
                comment: try c[11].decode(String?.self), entity: try c[12].decode(String?.self),
                surveyID: try c[13].decode(String.self), surveyVersion: Int(try c[14].decode(Int32.self)))
            response.source = try c[15].decode(String?.self)
            found[response.id] = response
        }
        return found
    }
}

/// The rollup tables a save adds to: their key columns, and whether they keep the stages.
enum RollupTable {
    case rollup, service, counter, day

    var name: String {
        switch self {
        case .rollup: "rollup"
        case .service: "serviceRollup"
        case .counter: "counterRollup"
        case .day: "dayRollup"
        }
    }

    var keys: [String] {
        switch self {
        case .rollup: ["quarter", "centre", "channel"]
        case .service: ["quarter", "centre", "channel", "service"]
        case .counter: ["quarter", "centre", "counter"]
        case .day: ["day", "centre", "channel"]
        }
    }

    /// The service and counter rollups keep `RollupLayout.detailColumns`, without the stages.
    var detail: Bool { self == .service || self == .counter }
}

/// A rollup row's key columns' values, in the table's key order; keys sort by them, the one order every writer takes.
struct RollupKey: Hashable, Comparable {
    var parts: [String]

    init(_ parts: String...) { self.parts = parts }

    static func < (a: RollupKey, b: RollupKey) -> Bool { a.parts.lexicographicallyPrecedes(b.parts) }
}

struct SurveyKey: Hashable, Comparable {
    var id: String
    var version: Int

    static func < (a: SurveyKey, b: SurveyKey) -> Bool { (a.id, a.version) < (b.id, b.version) }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension Counts {
    /// The counts of `response` alone.
    static func plus(_ response: SurveyResponse) -> Counts {
        var counts = Counts.zero
        counts.add(response)
        return counts
    }
}

/// The counts a save adds to each rollup table, by key.
struct Deltas {
    var rollups: [RollupKey: Counts] = [:]
    var services: [RollupKey: Counts] = [:]
    var counters: [RollupKey: Counts] = [:]
    var days: [RollupKey: Counts] = [:]

    /// The tables in the one order every writer takes them.
    var tables: [(RollupTable, [RollupKey: Counts])] {
        [(.rollup, rollups), (.service, services), (.counter, counters), (.day, days)].filter { !$0.1.isEmpty }
    }

    /// The first local day the live display's day rollups keep for a response received at `receivedAt`
    /// (`SQLiteStore.dayRollupWindow`).
    static func firstRecentDay(receivedAt: Instant, zone: DeploymentZone) -> Int64 {
        floorDiv(zone.wallClock(at: receivedAt), 86_400_000) - SQLiteStore.dayRollupWindow
    }

    /// Adds `counts` (a response's, or its negation) under `r`'s keys: its quarter, service, counter and recent day.
    mutating func add(_ r: SurveyResponse, quarter: String, counts: Counts, zone: DeploymentZone, firstRecentDay: Int64) {
        rollups[RollupKey(quarter, r.centre, r.channel), default: .zero].add(counts)
        if let service = r.service { services[RollupKey(quarter, r.centre, r.channel, service), default: .zero].add(counts) }
        // A counter names a point of service of the centre, whatever the channel.
        if let counter = r.counter { counters[RollupKey(quarter, r.centre, counter), default: .zero].add(counts) }
        let day = floorDiv(zone.wallClock(at: r.submittedAt), 86_400_000)
        if day >= firstRecentDay {
            days[RollupKey(CivilDate(daysSince1970: day).iso8601, r.centre, r.channel), default: .zero].add(counts)
        }
    }

    /// Adds every table's deltas, in the one order of the tables and of each table's keys.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        for (table, deltas) in tables { try await PostgresStore.add(deltas, to: table, on: connection, logger: logger) }
    }
}
