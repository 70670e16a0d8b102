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
extension PostgresStore {
    public func save(_ responses: [SurveyResponse], receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome] {
        try await transaction { connection in
            try await self.save(responses, on: connection, receivedAt: receivedAt, importID: importID, rejected: rejected)
        }
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
        let received = receivedAt.iso8601
        // The live display's day rollups keep only days near the time of receipt (`SQLiteStore.dayRollupWindow`).
        let firstRecentDay = floorDiv(zone.wallClock(at: receivedAt), 86_400_000) - SQLiteStore.dayRollupWindow
        var rollups: [RollupKey: Counts] = [:], services: [RollupKey: Counts] = [:]
        var counters: [RollupKey: Counts] = [:], days: [RollupKey: Counts] = [:]
        var outcomes = [SaveOutcome](repeating: .duplicate, count: responses.count)
        // By id, the first of a batch's repeats first (so it is the one stored, as SQLite stores it).
        let order = responses.indices.sorted { (responses[$0].id, $0) < (responses[$1].id, $1) }
        for i in order {
            let r = responses[i]
            let quarter = zone.quarter(at: r.submittedAt).description
            let ratings = r.ratings.map { $0.map(Int16.init) }
            let inserted = try await connection.query("""
                INSERT INTO response (id, centre, channel, submittedAt, quarter, stage, q1, q2, q3, q4,
                                      service, counter, comment, surveyId, surveyVersion, importId, receivedAt, entity)
                VALUES (\(r.id), \(r.centre), \(r.channel), \(r.submittedAt.iso8601), \(quarter), \(r.stage?.rawValue),
                        \(ratings[0]), \(ratings[1]), \(ratings[2]), \(ratings[3]), \(r.service), \(r.counter), \(r.comment),
                        \(r.surveyID), \(Int32(r.surveyVersion)), \(importID), \(received), \(r.entity))
                ON CONFLICT (id) DO NOTHING
                RETURNING seq
                """, logger: logger)
            guard let seq = try await inserted.decode(Int64.self).first(where: { _ in true }) else {
                let stored = try await Self.response(id: r.id, on: connection, logger: logger)
                outcomes[i] = SaveOutcome(stored: stored, sent: r)
                continue
            }
            outcomes[i] = .created
            rollups[RollupKey(quarter, r.centre, r.channel), default: .zero].add(r)
            if let service = r.service { services[RollupKey(quarter, r.centre, r.channel, service), default: .zero].add(r) }
            // A counter names a point of service of the centre, whatever the channel.
            if let counter = r.counter { counters[RollupKey(quarter, r.centre, counter), default: .zero].add(r) }
            let day = floorDiv(zone.wallClock(at: r.submittedAt), 86_400_000)
            if day >= firstRecentDay {
                days[RollupKey(CivilDate(daysSince1970: day).iso8601, r.centre, r.channel), default: .zero].add(r)
            }
            if let comment = r.comment {
                var sum: Int32 = 0, count: Int32 = 0
                for rating in r.ratings { if let rating { sum += Int32(rating); count += 1 } }
                try await connection.query("""
                    INSERT INTO comment (quarter, centre, channel, seq, submittedMs, ratingSum, ratingCount, service, text)
                    VALUES (\(quarter), \(r.centre), \(r.channel), \(seq), \(r.submittedAt.millisecondsSince1970), \(sum), \(count),
                            \(r.service), \(comment))
                    """, logger: logger)
            }
        }
        try await Self.add(rollups, to: .rollup, on: connection, logger: logger)
        try await Self.add(services, to: .service, on: connection, logger: logger)
        try await Self.add(counters, to: .counter, on: connection, logger: logger)
        try await Self.add(days, to: .day, on: connection, logger: logger)
        try await Self.registerUnseenCentres(Set(rollups.keys.map { $0.parts[1] }), on: connection, at: receivedAt, logger: logger)
        if let importID {
            var tally = SaveTally(rejected: rejected)
            for outcome in outcomes { tally.add(outcome) }
            try await connection.query("""
                UPDATE import SET accepted = accepted + \(Int64(tally.accepted)), duplicates = duplicates + \(Int64(tally.duplicates)),
                                  conflicts = conflicts + \(Int64(tally.conflicts)), rejected = rejected + \(Int64(tally.rejected))
                WHERE id = \(importID)
                """, logger: logger)
        }
        return outcomes
    }

    /// Adds `deltas` to `table`'s rows, one upsert per key, in the keys' order.
    static func add(_ deltas: [RollupKey: Counts], to table: RollupTable, on connection: PostgresConnection, logger: Logger) async throws {
        guard !deltas.isEmpty else { return }
        let columns = table.detail ? RollupLayout.detailColumns : RollupLayout.columns
        let names = table.keys + columns
        let sql = """
            INSERT INTO \(table.name) AS t (\(names.joined(separator: ", ")))
            VALUES (\(names.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))
            ON CONFLICT (\(table.keys.joined(separator: ", "))) DO UPDATE SET
            \(columns.map { "\($0) = t.\($0) + excluded.\($0)" }.joined(separator: ", "))
            """
        for key in deltas.keys.sorted() {
            var binds = PostgresBindings(capacity: names.count)
            for part in key.parts { binds.append(part) }
            for value in RollupLayout.values(of: deltas[key]!, detail: table.detail) { binds.append(value) }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        }
    }

    /// Records the definitions the responses answered, the first time each is seen.
    func ensureSurveys(for responses: [SurveyResponse], on connection: PostgresConnection) async throws {
        let surveys = Set(responses.map { SurveyKey(id: $0.surveyID, version: $0.surveyVersion) })
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
        let rows = try await connection.query("""
            SELECT id, centre, channel, submittedAt, stage, q1, q2, q3, q4, service, counter, comment, entity, surveyId, surveyVersion
            FROM response WHERE id = \(id)
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            let submitted = instant(try c[3].decode(String.self)) ?? Instant(millisecondsSince1970: 0)
            return SurveyResponse(
                id: try c[0].decode(String.self), centre: try c[1].decode(String.self), channel: try c[2].decode(String.self),
                submittedAt: submitted, stage: try c[4].decode(String?.self).flatMap(Stage.init(rawValue:)),
                ratings: try (5...8).map { try c[$0].decode(Int16?.self).map(Int.init) },
                service: try c[9].decode(String?.self), counter: try c[10].decode(String?.self),
                comment: try c[11].decode(String?.self), entity: try c[12].decode(String?.self),
                surveyID: try c[13].decode(String.self), surveyVersion: Int(try c[14].decode(Int32.self)))
        }
        return nil
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
