import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore {
    /// Stores `responses` in one transaction with their rollups: all of them or none.
    ///
    /// A response whose id is already stored is a duplicate when its content is the same
    /// and a conflict otherwise; neither is counted again, and the first stays.
    /// When `importID` is given, the import's counts grow in the same transaction,
    /// `rejected` included, so they always match what was committed.
    public func save(
        _ responses: [SurveyResponse], receivedAt: Instant, importID: Int64? = nil, rejected: Int = 0
    ) async throws -> [SaveOutcome] {
        let zone = configuration.zone
        return try await write { db in
            try Self.save(responses, in: db, zone: zone, receivedAt: receivedAt, importID: importID, rejected: rejected)
        }
    }

    static func save(
        _ responses: [SurveyResponse], in db: Database, zone: DeploymentZone,
        receivedAt: Instant, importID: Int64?, rejected: Int
    ) throws -> [SaveOutcome] {
        try ensureSurveys(for: responses, in: db)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO response (id, centre, channel, submittedAt, quarter, stage, q1, q2, q3, q4,
                                  service, counter, comment, surveyId, surveyVersion, importId, receivedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO NOTHING
            """)
        let received = receivedAt.iso8601
        var deltas: [RollupKey: Counts] = [:]
        var dayDeltas: [DayRollupKey: Counts] = [:]  // the live display's day rollups, same transaction
        var outcomes: [SaveOutcome] = []
        outcomes.reserveCapacity(responses.count)
        var tally = SaveTally(rejected: rejected)
        var quarterCache: (day: Int64, quarter: String)? = nil

        for response in responses {
            // Responses of one batch mostly fall on few days: cache the day's quarter.
            let day = floorDiv(zone.wallClock(at: response.submittedAt), 86_400_000)
            let quarter: String
            if let cached = quarterCache, cached.day == day {
                quarter = cached.quarter
            } else {
                quarter = zone.quarter(at: response.submittedAt).description
                quarterCache = (day, quarter)
            }
            try insert.execute(arguments: [
                response.id, response.centre, response.channel, response.submittedAt.iso8601, quarter,
                response.stage?.rawValue, response.ratings[0], response.ratings[1], response.ratings[2], response.ratings[3],
                response.service, response.counter, response.comment, response.surveyID, response.surveyVersion,
                importID, received,
            ])
            let outcome: SaveOutcome
            if db.changesCount == 1 {
                deltas[RollupKey(quarter: quarter, centre: response.centre, channel: response.channel), default: .zero].add(response)
                dayDeltas[DayRollupKey(day: day, centre: response.centre, channel: response.channel), default: .zero].add(response)
                outcome = .created
            } else {
                let stored = try Self.response(id: response.id, in: db)
                let differing = stored.map { Self.differingFields($0, response) } ?? []
                outcome = differing.isEmpty ? .duplicate : .conflict(fields: differing)
            }
            tally.add(outcome)
            outcomes.append(outcome)
        }
        try applyRollupDeltas(deltas, in: db)
        try applyDayRollupDeltas(dayDeltas, in: db)
        if let importID {
            try db.execute(
                sql: """
                    UPDATE import SET accepted = accepted + ?, duplicates = duplicates + ?,
                                      conflicts = conflicts + ?, rejected = rejected + ?
                    WHERE id = ?
                    """,
                arguments: [tally.accepted, tally.duplicates, tally.conflicts, tally.rejected, importID])
        }
        return outcomes
    }

    /// The stored response with `id`.
    public func response(id: String) async throws -> SurveyResponse? {
        try await read { db in try Self.response(id: id, in: db) }
    }

    /// How many responses are stored.
    public func responseCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM response") ?? 0 }
    }

    static func response(id: String, in db: Database) throws -> SurveyResponse? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM response WHERE id = ?", arguments: [id]) else { return nil }
        return decodeResponse(row)
    }

    static func decodeResponse(_ row: Row) -> SurveyResponse {
        let submittedText: String = row["submittedAt"]
        let submitted: Instant
        if case .instant(let instant) = ISO8601Timestamp.parse(submittedText) {
            submitted = instant
        } else {
            submitted = Instant(millisecondsSince1970: 0)
        }
        return SurveyResponse(
            id: row["id"], centre: row["centre"], channel: row["channel"], submittedAt: submitted,
            stage: (row["stage"] as String?).flatMap(Stage.init(rawValue:)),
            ratings: [row["q1"], row["q2"], row["q3"], row["q4"]],
            service: row["service"], counter: row["counter"], comment: row["comment"],
            surveyID: row["surveyId"], surveyVersion: row["surveyVersion"]
        )
    }

    static func differingFields(_ a: SurveyResponse, _ b: SurveyResponse) -> [String] {
        var fields: [String] = []
        if a.centre != b.centre { fields.append("centre") }
        if a.channel != b.channel { fields.append("channel") }
        if a.submittedAt != b.submittedAt { fields.append("submitted_at") }
        if a.stage != b.stage { fields.append("stage") }
        for i in 0..<SurveyResponse.ratedQuestionCount where a.ratings[i] != b.ratings[i] { fields.append("q\(i + 1)") }
        if a.service != b.service { fields.append("service") }
        if a.counter != b.counter { fields.append("counter") }
        if a.comment != b.comment { fields.append("comment") }
        if a.surveyID != b.surveyID || a.surveyVersion != b.surveyVersion { fields.append("survey") }
        return fields
    }

    /// Records the definitions the responses answered, the first time each is seen,
    /// so an edited questionnaire never changes the meaning of stored responses.
    static func ensureSurveys(for responses: [SurveyResponse], in db: Database) throws {
        var seen = Set<String>()
        for response in responses {
            let key = "\(response.surveyID)\u{0}\(response.surveyVersion)"
            guard seen.insert(key).inserted else { continue }
            let exists = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM survey WHERE id = ? AND version = ?)",
                arguments: [response.surveyID, response.surveyVersion]) ?? false
            if exists { continue }
            guard let definition = StandardSurveys.definition(id: response.surveyID, version: response.surveyVersion) else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT,
                                    message: "the survey \(response.surveyID) version \(response.surveyVersion) is not registered")
            }
            try registerSurvey(id: response.surveyID, version: response.surveyVersion, definition: definition, in: db)
        }
    }

    static func registerSurvey(id: String, version: Int, definition: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO survey (id, version, definition) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [id, version, definition])
    }

    /// Records a definition a centre wrote, so responses can answer it.
    public func registerSurvey(_ questionnaire: Questionnaire, definition: String) async throws {
        try await write { db in
            try Self.registerSurvey(id: questionnaire.id, version: questionnaire.version, definition: definition, in: db)
        }
    }
}

struct RollupKey: Hashable {
    var quarter: String
    var centre: String
    var channel: String
}

extension StandardSurveys {
    /// The built-in definition text with this id and version.
    static func definition(id: String, version: Int) -> String? {
        for questionnaire in [Questionnaire.appendix3, .appendix4] where questionnaire.id == id && questionnaire.version == version {
            return questionnaire.id == Questionnaire.appendix3.id ? appendix3 : appendix4
        }
        return nil
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension SQLiteStore {
    /// Whether every stored response is a demo response (ids starting with `demo-`): such a file may be rebuilt.
    public func holdsOnlyDemoData() throws -> Bool {
        try writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM response WHERE id NOT LIKE 'demo-%')") ?? false
        }
    }
}
