import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// Follow-up cases, as `SQLiteStore+FollowUp.swift` keeps them: opened in the save's transaction, changed under a row
/// lock (`FOR UPDATE`), so two instances changing one case apply one change after the other.
extension PostgresStore: FollowUpStore {
    /// Opens a case for each of `created` that `policy` says needs one (see `SQLiteStore.openCases`).
    static func openCases(for created: [(response: SurveyResponse, quarter: String)], policy: FollowUpPolicy, zone: DeploymentZone,
                          at time: Instant, on connection: PostgresConnection, logger: Logger) async throws {
        var rows: [[String: Any]] = []
        for (response, quarter) in created.sorted(by: { $0.response.id < $1.response.id }) {
            guard let reason = policy.reason(for: response), let contact = response.contact else { continue }
            var row: [String: Any] = ["i": rows.count, "id": response.id, "centre": response.centre, "channel": response.channel,
                                      "quarter": quarter, "reason": reason]
            row["phone"] = contact.phone
            row["email"] = contact.email
            rows.append(row)
        }
        guard !rows.isEmpty else { return }
        let opened = time.iso8601, due = policy.due(openedAt: time, zone: zone).iso8601
        try await connection.query("""
            WITH opened AS (
                INSERT INTO followUpCase (responseId, centre, channel, quarter, reason, openedAt, dueAt, phone, email)
                SELECT id, centre, channel, quarter, reason, \(opened), \(due), phone, email
                FROM jsonb_to_recordset(\(try json(rows))::jsonb) AS x(
                    i integer, id text, centre text, channel text, quarter text, reason text, phone text, email text)
                ORDER BY i
                RETURNING id, reason)
            INSERT INTO followUpEvent (caseId, at, who, action, detail)
            SELECT id, \(opened), 'rida', 'opened', reason FROM opened ORDER BY id
            """, logger: logger)
    }

    static let caseColumns = """
        id, responseId, centre, channel, quarter, reason, openedAt, dueAt, status, owner, finishedAt, closeReason,
        phone, email, erasedAt
        """

    static func cases(_ rows: PostgresRowSequence) async throws -> [FollowUpCase] {
        var cases: [FollowUpCase] = []
        for try await row in rows {
            let (id, response, centre, channel, quarterText, reason, openedText, dueText, statusText,
                 owner, finished, closeReason, phone, email, erased) =
                try row.decode((Int64, String, String, String, String, String, String, String, String,
                                String?, String?, String?, String?, String?, String?).self)
            guard let quarter = Quarter(quarterText), let opened = instant(openedText), let due = instant(dueText),
                  let status = CaseStatus(rawValue: statusText) else { continue }
            cases.append(FollowUpCase(
                id: id, responseID: response, centre: centre, channel: channel, quarter: quarter, reason: reason,
                openedAt: opened, dueAt: due, status: status, owner: owner, finishedAt: instant(finished), closeReason: closeReason,
                contact: phone == nil && email == nil ? nil : FollowUpContact(phone: phone, email: email), erasedAt: instant(erased)))
        }
        return cases
    }

    public func cases(_ query: CaseQuery) async throws -> [FollowUpCase] {
        try await read { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.caseColumns) FROM followUpCase
                WHERE (\(query.centre)::text IS NULL OR centre = \(query.centre))
                  AND (\(query.status?.rawValue)::text IS NULL OR status = \(query.status?.rawValue))
                  AND (\(query.owner)::text IS NULL OR owner = \(query.owner))
                  AND (\(query.quarter?.description)::text IS NULL OR quarter = \(query.quarter?.description))
                ORDER BY id DESC LIMIT \(Int64(max(query.limit, 0)))
                """, logger: self.logger)
            return try await Self.cases(rows)
        }
    }

    public func followUpCase(_ id: Int64) async throws -> FollowUpCase? {
        try await read { connection in
            let rows = try await connection.query("SELECT \(unescaped: Self.caseColumns) FROM followUpCase WHERE id = \(id)", logger: self.logger)
            return try await Self.cases(rows).first
        }
    }

    public func caseEvents(_ id: Int64) async throws -> [CaseEvent] {
        try await read { connection in
            let rows = try await connection.query("SELECT at, who, action, detail FROM followUpEvent WHERE caseId = \(id) ORDER BY id",
                                                  logger: self.logger)
            var events: [CaseEvent] = []
            for try await (at, who, action, detail) in rows.decode((String, String, String, String?).self) {
                guard case .instant(let instant) = ISO8601Timestamp.parse(at) else { continue }
                events.append(CaseEvent(at: instant, who: who, action: action, detail: detail))
            }
            return events
        }
    }

    public func updateCase(_ id: Int64, _ change: CaseChange, by who: String, at time: Instant) async throws -> FollowUpCase {
        let change = try change.checked(case: id)
        return try await transaction { connection in
            let rows = try await connection.query("SELECT \(unescaped: Self.caseColumns) FROM followUpCase WHERE id = \(id) FOR UPDATE",
                                                  logger: self.logger)
            guard var current = try await Self.cases(rows).first else { throw CaseError.unknownCase(id) }
            let events = try current.apply(change, by: who, at: time)
            try await connection.query("""
                UPDATE followUpCase SET status = \(current.status.rawValue), owner = \(current.owner),
                       finishedAt = \(current.finishedAt?.iso8601), closeReason = \(current.closeReason)
                WHERE id = \(id)
                """, logger: self.logger)
            for event in events {
                try await connection.query("""
                    INSERT INTO followUpEvent (caseId, at, who, action, detail)
                    VALUES (\(id), \(event.at.iso8601), \(event.who), \(event.action), \(event.detail))
                    """, logger: self.logger)
            }
            return current
        }
    }

    public func caseCounts(quarter: Quarter, centre: String?, asOf: Instant) async throws -> [CaseCount] {
        try await read { connection in
            try await Self.caseCounts(quarter: quarter, centre: centre, asOf: asOf, on: connection, logger: self.logger)
        }
    }

    static func caseCounts(quarter: Quarter, centre: String?, asOf: Instant, on connection: PostgresConnection,
                           logger: Logger) async throws -> [CaseCount] {
        let rows = try await connection.query("""
            SELECT centre, channel, count(*),
                   count(*) FILTER (WHERE finishedAt IS NOT NULL AND finishedAt <= dueAt),
                   count(*) FILTER (WHERE (finishedAt IS NOT NULL AND finishedAt > dueAt) OR (finishedAt IS NULL AND dueAt < \(asOf.iso8601)))
            FROM followUpCase WHERE quarter = \(quarter.description) AND (\(centre)::text IS NULL OR centre = \(centre))
            GROUP BY centre, channel ORDER BY centre COLLATE "C", channel COLLATE "C"
            """, logger: logger)
        var counts: [CaseCount] = []
        for try await (centre, channel, opened, inTime, late) in rows.decode((String, String, Int64, Int64, Int64).self) {
            counts.append(CaseCount(centre: centre, channel: channel, opened: Int(opened), inTime: Int(inTime), late: Int(late),
                                    pending: Int(opened - inTime - late)))
        }
        return counts
    }

    public func eraseContacts(finishedBefore cutoff: Instant, at time: Instant) async throws -> Int {
        try await transaction { connection in
            let rows = try await connection.query("""
                WITH erased AS (
                    UPDATE followUpCase SET phone = NULL, email = NULL, erasedAt = \(time.iso8601)
                    WHERE erasedAt IS NULL AND finishedAt IS NOT NULL AND finishedAt < \(cutoff.iso8601)
                    RETURNING id)
                INSERT INTO followUpEvent (caseId, at, who, action)
                SELECT id, \(time.iso8601), 'rida', 'erased' FROM erased ORDER BY id
                RETURNING caseId
                """, logger: self.logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }
}
