import GRDB
import GRDBSQLite
import RidaAggregation
import RidaSurvey

/// Responses made ready for the writer: every per-row computation that needs no database (the quarter in
/// the deployment's zone, the ISO text of the instant, the rollup group) done beforehand, so that an import
/// can prepare the next batch on one core while the single writer stores this one on the other.
public struct PreparedBatch: Sendable {
    public let responses: [SurveyResponse]
    /// The deployment's zone the batch was prepared in.
    let zone: DeploymentZone
    /// Each response's `submittedAt` as stored.
    let submittedTexts: [String]
    /// Each response's local day (days since 1970-01-01 in the deployment's zone).
    let days: [Int64]
    /// Each response's index into `groups`.
    let groupIndex: [Int]
    /// The distinct quarter × centre × channel groups of the batch.
    let groups: [RollupKey]
    /// Each response's index into `services`, or -1 when it names no service (q5).
    let serviceIndex: [Int32]
    /// The distinct group × service pairs of the batch.
    let services: [DetailKey]
    /// Each response's index into `counters`, or -1 when it names no counter (q6).
    let counterIndex: [Int32]
    /// The distinct quarter × centre pairs of the batch: a counter (q6) names a point of service of the centre,
    /// whatever the channel, so the counter rollup is kept per centre.
    let centreGroups: [CentreKey]
    /// The distinct centre group × counter pairs of the batch (`group` indexes `centreGroups`).
    let counters: [DetailKey]
    /// Indices into `services` and `counters` in the order of the rollups' keys: upserts walk each B-tree forward.
    let serviceOrder: [Int32]
    let counterOrder: [Int32]

    public init(_ responses: [SurveyResponse], zone: DeploymentZone) {
        self.responses = responses
        self.zone = zone
        var submittedTexts: [String] = []
        var days: [Int64] = []
        var groupIndex: [Int] = []
        submittedTexts.reserveCapacity(responses.count)
        days.reserveCapacity(responses.count)
        groupIndex.reserveCapacity(responses.count)
        var groups: [RollupKey] = []
        var index: [RollupKey: Int] = [:]
        var centreGroups: [CentreKey] = []
        var centreIndex: [CentreKey: Int] = [:]
        var groupCentre: [Int] = []
        var serviceIndex: [Int32] = [], counterIndex: [Int32] = []
        serviceIndex.reserveCapacity(responses.count)
        counterIndex.reserveCapacity(responses.count)
        var services: [DetailKey] = [], counters: [DetailKey] = []
        var serviceLookup: [DetailKey: Int32] = [:], counterLookup: [DetailKey: Int32] = [:]
        func detail(_ value: String?, group: Int, keys: inout [DetailKey], lookup: inout [DetailKey: Int32]) -> Int32 {
            guard let value else { return -1 }
            let key = DetailKey(group: group, value: value)
            if let existing = lookup[key] { return existing }
            let position = Int32(keys.count)
            lookup[key] = position
            keys.append(key)
            return position
        }
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
            let key = RollupKey(quarter: quarter, centre: response.centre, channel: response.channel)
            let group: Int
            if let existing = index[key] {
                group = existing
            } else {
                group = groups.count
                index[key] = group
                groups.append(key)
                let centreKey = CentreKey(quarter: quarter, centre: response.centre)
                if let existing = centreIndex[centreKey] {
                    groupCentre.append(existing)
                } else {
                    centreIndex[centreKey] = centreGroups.count
                    groupCentre.append(centreGroups.count)
                    centreGroups.append(centreKey)
                }
            }
            groupIndex.append(group)
            serviceIndex.append(detail(response.service, group: group, keys: &services, lookup: &serviceLookup))
            counterIndex.append(detail(response.counter, group: groupCentre[group], keys: &counters, lookup: &counterLookup))
            submittedTexts.append(response.submittedAt.iso8601)
            days.append(day)
        }
        self.submittedTexts = submittedTexts
        self.days = days
        self.groupIndex = groupIndex
        self.groups = groups
        self.serviceIndex = serviceIndex
        self.services = services
        self.counterIndex = counterIndex
        self.centreGroups = centreGroups
        self.counters = counters
        var rank = [Int](repeating: 0, count: groups.count)
        for (position, group) in groups.indices.sorted(by: {
            (groups[$0].quarter, groups[$0].centre, groups[$0].channel) < (groups[$1].quarter, groups[$1].centre, groups[$1].channel)
        }).enumerated() { rank[group] = position }
        var centreRank = [Int](repeating: 0, count: centreGroups.count)
        for (position, group) in centreGroups.indices.sorted(by: {
            (centreGroups[$0].quarter, centreGroups[$0].centre) < (centreGroups[$1].quarter, centreGroups[$1].centre)
        }).enumerated() { centreRank[group] = position }
        func keyOrder(_ keys: [DetailKey], _ rank: [Int]) -> [Int32] {
            (0..<Int32(keys.count)).sorted { a, b in
                let x = keys[Int(a)], y = keys[Int(b)]
                return rank[x.group] != rank[y.group] ? rank[x.group] < rank[y.group] : x.value < y.value
            }
        }
        serviceOrder = keyOrder(services, rank)
        counterOrder = keyOrder(counters, centreRank)
    }
}

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
        try await save(PreparedBatch(responses, zone: configuration.zone), receivedAt: receivedAt, importID: importID, rejected: rejected)
    }

    /// Stores a batch prepared beforehand (see `PreparedBatch`), as `save(_:receivedAt:importID:rejected:)` does.
    public func save(
        _ batch: PreparedBatch, receivedAt: Instant, importID: Int64? = nil, rejected: Int = 0
    ) async throws -> [SaveOutcome] {
        let misuse = configuration.misuse, followUp = configuration.followUp
        return try await write { db in
            try Self.save(batch, in: db, receivedAt: receivedAt, importID: importID, rejected: rejected, misuse: misuse,
                          followUp: followUp)
        }
    }

    static func save(
        _ batch: PreparedBatch, in db: Database, receivedAt: Instant, importID: Int64?, rejected: Int,
        misuse: MisusePolicy = .off, followUp: FollowUpPolicy? = nil
    ) throws -> [SaveOutcome] {
        let responses = batch.responses
        try ensureSurveys(for: responses, in: db)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO response (id, centre, channel, submittedAt, quarter, stage, q1, q2, q3, q4,
                                  service, counter, comment, surveyId, surveyVersion, importId, receivedAt, entity, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO NOTHING
            """)
        let received = receivedAt.iso8601
        // Counts per group, flat, in `RollupLayout`'s order. Flat integers keep the per-row work to a few
        // additions; they become `Counts` once per group at the end.
        let width = RollupLayout.width
        var flat = [Int](repeating: 0, count: batch.groups.count * width)
        var serviceTallies = DetailTallies(count: batch.services.count)
        var counterTallies = DetailTallies(count: batch.counters.count)
        let commentInsert = try db.cachedStatement(sql: Self.commentInsert)
        // The live display's day rollups, same transaction. Only days near the time of receipt are kept:
        // the display shows today and this week, and an import of old history would otherwise make one
        // day group per row (see dayRollupWindow).
        var dayDeltas: [DayRollupKey: Counts] = [:]
        let firstRecentDay = floorDiv(batch.zone.wallClock(at: receivedAt), 86_400_000) - Self.dayRollupWindow
        var outcomes: [SaveOutcome] = []
        outcomes.reserveCapacity(responses.count)
        var tally = SaveTally(rejected: rejected)
        var watched: [SurveyResponse] = []  // created responses the misuse rules look at
        var contactable: [(response: SurveyResponse, quarter: String)] = []  // created responses that may open a case

        for (i, response) in responses.enumerated() {
            let group = batch.groupIndex[i]
            try bind(response, submitted: batch.submittedTexts[i], quarter: batch.groups[group].quarter,
                     importID: importID, received: received, to: insert, in: db)
            let outcome: SaveOutcome
            if db.changesCount == 1 {
                RollupLayout.add(response, to: &flat, at: group * width)
                let service = batch.serviceIndex[i], counter = batch.counterIndex[i]
                if service >= 0 { serviceTallies.add(response, at: Int(service)) }
                if counter >= 0 { counterTallies.add(response, at: Int(counter)) }
                if let comment = response.comment {
                    try bindComment(response, comment, sequence: sqlite3_last_insert_rowid(db.sqliteConnection),
                                    quarter: batch.groups[group].quarter, to: commentInsert, in: db)
                }
                if batch.days[i] >= firstRecentDay {
                    dayDeltas[DayRollupKey(day: batch.days[i], centre: response.centre, channel: response.channel), default: .zero].add(response)
                }
                if misuse.applies(to: response) { watched.append(response) }
                if response.contact != nil { contactable.append((response, batch.groups[group].quarter)) }
                outcome = .created
            } else {
                let stored = try Self.response(id: response.id, in: db)
                outcome = SaveOutcome(stored: stored, sent: response)
            }
            tally.add(outcome)
            outcomes.append(outcome)
        }
        var deltas: [RollupKey: Counts] = [:]
        for group in batch.groups.indices where flat[group * width + RollupLayout.responsesIndex] > 0 {
            let base = group * width
            deltas[batch.groups[group]] = RollupLayout.counts { flat[base + $0] }
        }
        try applyRollupDeltas(deltas, in: db)
        try applyDetailTallies(serviceTallies, keys: batch.services, order: batch.serviceOrder, sql: Self.serviceAdd, in: db) { key in
            let group = batch.groups[key.group]
            return [group.quarter, group.centre, group.channel, key.value]
        }
        try applyDetailTallies(counterTallies, keys: batch.counters, order: batch.counterOrder, sql: Self.counterAdd, in: db) { key in
            let group = batch.centreGroups[key.group]
            return [group.quarter, group.centre, key.value]
        }
        try applyDayRollupDeltas(dayDeltas, in: db)
        try applyMisuseRules(to: watched, policy: misuse, zone: batch.zone, receivedAt: receivedAt, in: db)
        if let followUp { try openCases(for: contactable, policy: followUp, zone: batch.zone, at: receivedAt, in: db) }
        try registerUnseenCentres(Set(deltas.keys.map(\.centre)), in: db, at: receivedAt)
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

    /// Binds and runs the insert with SQLite's C API: the hot path of every import, where building
    /// GRDB's `StatementArguments` for each row costs more than the insert. Arguments never reach an error message.
    @inline(__always)
    static func bind(
        _ r: SurveyResponse, submitted: String, quarter: String, importID: Int64?, received: String, to insert: Statement, in db: Database
    ) throws {
        let s = insert.sqliteStatement
        sqlite3_reset(s)
        func text(_ index: Int32, _ value: String?) {
            if let value {
                sqlite3_bind_text(s, index, value, -1, sqliteTransient)
            } else {
                sqlite3_bind_null(s, index)
            }
        }
        text(1, r.id)
        text(2, r.centre)
        text(3, r.channel)
        text(4, submitted)
        text(5, quarter)
        text(6, r.stage?.rawValue)
        for q in 0..<4 {
            if let rating = r.ratings[q] { sqlite3_bind_int(s, Int32(7 + q), Int32(rating)) } else { sqlite3_bind_null(s, Int32(7 + q)) }
        }
        text(11, r.service)
        text(12, r.counter)
        text(13, r.comment)
        text(14, r.surveyID)
        sqlite3_bind_int64(s, 15, Int64(r.surveyVersion))
        if let importID { sqlite3_bind_int64(s, 16, importID) } else { sqlite3_bind_null(s, 16) }
        text(17, received)
        text(18, r.entity)
        text(19, r.source)
        let code = sqlite3_step(s)
        sqlite3_reset(s)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
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
        var response = SurveyResponse(
            id: row["id"], centre: row["centre"], channel: row["channel"], submittedAt: submitted,
            stage: (row["stage"] as String?).flatMap(Stage.init(rawValue:)),
            ratings: [row["q1"], row["q2"], row["q3"], row["q4"]],
            service: row["service"], counter: row["counter"], comment: row["comment"], entity: row["entity"],
            surveyID: row["surveyId"], surveyVersion: row["surveyVersion"]
        )
        response.source = row["source"]
        return response
    }

    /// The fields in which two responses with the same id differ, named as the API names them.
    public static func differingFields(_ a: SurveyResponse, _ b: SurveyResponse) -> [String] {
        var fields: [String] = []
        if a.centre != b.centre { fields.append("centre") }
        if a.channel != b.channel { fields.append("channel") }
        if a.submittedAt != b.submittedAt { fields.append("submitted_at") }
        if a.stage != b.stage { fields.append("stage") }
        for i in 0..<SurveyResponse.ratedQuestionCount where a.ratings[i] != b.ratings[i] { fields.append("q\(i + 1)") }
        if a.service != b.service { fields.append("service") }
        if a.counter != b.counter { fields.append("counter") }
        if a.comment != b.comment { fields.append("comment") }
        if a.entity != b.entity { fields.append("entity") }
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
            guard let definition = BuiltInSurvey.named(response.surveyID, version: response.surveyVersion)?.definition else {
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

extension SaveOutcome {
    /// What sending `sent` again is when `stored` has its id: a duplicate (the same content) or a conflict naming the
    /// fields that differ. Every store decides it so.
    public init(stored: SurveyResponse?, sent: SurveyResponse) {
        let differing = stored.map { SQLiteStore.differingFields($0, sent) } ?? []
        self = differing.isEmpty ? .duplicate : .conflict(fields: differing)
    }
}

/// SQLite's "copy this text now" destructor.
nonisolated(unsafe) let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

struct RollupKey: Hashable {
    var quarter: String
    var centre: String
    var channel: String
}

struct CentreKey: Hashable {
    var quarter: String
    var centre: String
}

/// A group of a batch (by index: a rollup group for services, a centre group for counters) and a free-text
/// value of it: a service or a counter.
struct DetailKey: Hashable {
    var group: Int
    var value: String
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
