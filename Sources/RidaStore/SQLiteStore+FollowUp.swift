import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore: FollowUpStore {
    /// Opens a case for each of `created` (stored in this transaction) that `policy` says needs one, due by the
    /// deployment's working days. The contact details go into the case only.
    static func openCases(for created: [(response: SurveyResponse, quarter: String)], policy: FollowUpPolicy,
                          zone: DeploymentZone, at time: Instant, in db: Database) throws {
        guard !created.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO followUpCase (responseId, centre, channel, quarter, reason, openedAt, dueAt, phone, email)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let event = try db.cachedStatement(sql: "INSERT INTO followUpEvent (caseId, at, who, action, detail) VALUES (?, ?, 'rida', 'opened', ?)")
        let due = policy.due(openedAt: time, zone: zone).iso8601
        for (response, quarter) in created {
            guard let reason = policy.reason(for: response), let contact = response.contact else { continue }
            try insert.execute(arguments: [response.id, response.centre, response.channel, quarter, reason, time.iso8601, due,
                                           contact.phone, contact.email])
            try event.execute(arguments: [db.lastInsertedRowID, time.iso8601, reason])
        }
    }

    static let caseColumns = """
        id, responseId, centre, channel, quarter, reason, openedAt, dueAt, status, owner, finishedAt, closeReason,
        phone, email, erasedAt
        """

    static func followUpCase(_ row: Row) -> FollowUpCase? {
        guard let quarter = Quarter(row["quarter"] as String), let opened = instant(row["openedAt"]), let due = instant(row["dueAt"]),
              let status = CaseStatus(rawValue: row["status"]) else { return nil }
        let phone: String? = row["phone"], email: String? = row["email"]
        return FollowUpCase(
            id: row["id"], responseID: row["responseId"], centre: row["centre"], channel: row["channel"], quarter: quarter,
            reason: row["reason"], openedAt: opened, dueAt: due, status: status, owner: row["owner"],
            finishedAt: instant(row["finishedAt"]), closeReason: row["closeReason"],
            contact: phone == nil && email == nil ? nil : FollowUpContact(phone: phone, email: email), erasedAt: instant(row["erasedAt"]))
    }

    public func cases(_ query: CaseQuery) async throws -> [FollowUpCase] {
        try await read { db in
            var conditions: [String] = [], arguments: [any DatabaseValueConvertible] = []
            if let centre = query.centre { conditions.append("centre = ?"); arguments.append(centre) }
            if let status = query.status { conditions.append("status = ?"); arguments.append(status.rawValue) }
            if let owner = query.owner { conditions.append("owner = ?"); arguments.append(owner) }
            if let quarter = query.quarter { conditions.append("quarter = ?"); arguments.append(quarter.description) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(max(query.limit, 0))
            return try Row.fetchAll(db, sql: "SELECT \(Self.caseColumns) FROM followUpCase \(filter) ORDER BY id DESC LIMIT ?",
                                    arguments: StatementArguments(arguments)).compactMap(Self.followUpCase)
        }
    }

    public func followUpCase(_ id: Int64) async throws -> FollowUpCase? {
        try await read { db in try Self.followUpCase(id, in: db) }
    }

    static func followUpCase(_ id: Int64, in db: Database) throws -> FollowUpCase? {
        try Row.fetchOne(db, sql: "SELECT \(caseColumns) FROM followUpCase WHERE id = ?", arguments: [id]).flatMap(followUpCase)
    }

    public func caseEvents(_ id: Int64) async throws -> [CaseEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT at, who, action, detail FROM followUpEvent WHERE caseId = ? ORDER BY id", arguments: [id]).compactMap { row in
                guard case .instant(let at) = ISO8601Timestamp.parse(row["at"] as String) else { return nil }
                return CaseEvent(at: at, who: row["who"], action: row["action"], detail: row["detail"])
            }
        }
    }

    public func updateCase(_ id: Int64, _ change: CaseChange, by who: String, at time: Instant) async throws -> FollowUpCase {
        let change = try change.checked(case: id)
        return try await write { db in
            guard var current = try Self.followUpCase(id, in: db) else { throw CaseError.unknownCase(id) }
            let events = try current.apply(change, by: who, at: time)
            try db.execute(sql: "UPDATE followUpCase SET status = ?, owner = ?, finishedAt = ?, closeReason = ? WHERE id = ?",
                           arguments: [current.status.rawValue, current.owner, current.finishedAt?.iso8601, current.closeReason, id])
            for event in events {
                try db.execute(sql: "INSERT INTO followUpEvent (caseId, at, who, action, detail) VALUES (?, ?, ?, ?, ?)",
                               arguments: [id, event.at.iso8601, event.who, event.action, event.detail])
            }
            return current
        }
    }

    public func caseCounts(quarter: Quarter, centre: String?, asOf: Instant) async throws -> [CaseCount] {
        try await read { db in try Self.caseCounts(quarter: quarter, centre: centre, asOf: asOf, in: db) }
    }

    static func caseCounts(quarter: Quarter, centre: String?, asOf: Instant, in db: Database) throws -> [CaseCount] {
        let now = asOf.iso8601
        return try Row.fetchAll(db, sql: """
            SELECT centre, channel, count(*) AS opened,
                   sum(finishedAt IS NOT NULL AND finishedAt <= dueAt) AS inTime,
                   sum((finishedAt IS NOT NULL AND finishedAt > dueAt) OR (finishedAt IS NULL AND dueAt < ?)) AS late
            FROM followUpCase WHERE quarter = ? AND (? IS NULL OR centre = ?)
            GROUP BY centre, channel ORDER BY centre, channel
            """, arguments: [now, quarter.description, centre, centre]).map { row in
            let opened: Int = row["opened"], inTime: Int = row["inTime"], late: Int = row["late"]
            return CaseCount(centre: row["centre"], channel: row["channel"], opened: opened, inTime: inTime, late: late,
                             pending: opened - inTime - late)
        }
    }

    public func eraseContacts(finishedBefore cutoff: Instant, at time: Instant) async throws -> Int {
        try await write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM followUpCase WHERE erasedAt IS NULL AND finishedAt IS NOT NULL AND finishedAt < ? ORDER BY id
                """, arguments: [cutoff.iso8601])
            let erase = try db.cachedStatement(sql: "UPDATE followUpCase SET phone = NULL, email = NULL, erasedAt = ? WHERE id = ?")
            let event = try db.cachedStatement(sql: "INSERT INTO followUpEvent (caseId, at, who, action, detail) VALUES (?, ?, 'rida', 'erased', NULL)")
            for id in ids {
                try erase.execute(arguments: [time.iso8601, id])
                try event.execute(arguments: [id, time.iso8601])
            }
            return ids.count
        }
    }
}
