import GRDB
import RidaAggregation
import RidaSurvey

extension SQLiteStore: InvitationStore {
    static let invitationColumns = "id, centre, channel, service, counter, stage, createdAt, expiresAt, openedAt, answeredAt, responseId"

    static func invitation(_ row: Row) -> Invitation? {
        guard let created = instant(row["createdAt"]), let expires = instant(row["expiresAt"]) else { return nil }
        return Invitation(id: row["id"], centre: row["centre"], channel: row["channel"], service: row["service"], counter: row["counter"],
                          stage: (row["stage"] as String?).flatMap(Stage.init(rawValue:)), createdAt: created, expiresAt: expires,
                          openedAt: instant(row["openedAt"]), answeredAt: instant(row["answeredAt"]), responseID: row["responseId"])
    }

    static func invitation(tokenHash: String, in db: Database) throws -> Invitation? {
        try Row.fetchOne(db, sql: "SELECT \(invitationColumns) FROM invitation WHERE tokenHash = ?", arguments: [tokenHash]).flatMap(invitation)
    }

    public func createInvitations(_ drafts: [InvitationDraft], tokenHashes: [String], by who: String?, at time: Instant) async throws -> [Invitation] {
        precondition(drafts.count == tokenHashes.count, "one token per invitation")
        let zone = configuration.zone
        return try await write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO invitation (tokenHash, centre, channel, service, counter, stage, quarter, createdAt, expiresAt, createdBy)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let quarter = zone.quarter(at: time).description
            return try zip(drafts, tokenHashes).map { draft, hash in
                try insert.execute(arguments: [hash, draft.centre, draft.channel, draft.service, draft.counter, draft.stage?.rawValue,
                                               quarter, time.iso8601, draft.expiresAt.iso8601, who])
                return Invitation(id: db.lastInsertedRowID, centre: draft.centre, channel: draft.channel, service: draft.service,
                                  counter: draft.counter, stage: draft.stage, createdAt: time, expiresAt: draft.expiresAt)
            }
        }
    }

    public func invitation(tokenHash: String) async throws -> Invitation? {
        try await read { db in try Self.invitation(tokenHash: tokenHash, in: db) }
    }

    public func openInvitation(tokenHash: String, at time: Instant) async throws -> Invitation? {
        try await write { db in
            try db.execute(sql: """
                UPDATE invitation SET openedAt = ?
                WHERE tokenHash = ? AND openedAt IS NULL AND answeredAt IS NULL AND expiresAt > ?
                """, arguments: [time.iso8601, tokenHash, time.iso8601])
            return try Self.invitation(tokenHash: tokenHash, in: db)
        }
    }

    public func answerInvitation(tokenHash: String, response: SurveyResponse, at time: Instant) async throws -> InvitationAnswer {
        let zone = configuration.zone, followUp = configuration.followUp
        return try await write { db in
            guard var invitation = try Self.invitation(tokenHash: tokenHash, in: db) else { return .unknown }
            if invitation.answeredAt != nil { return .answeredAlready(invitation) }
            if invitation.isExpired(at: time) { return .expired(invitation) }
            precondition(response.id == Invitation.answerID(tokenHash: tokenHash), "an invitation's answer is stored under its answerID")
            let outcome = try Self.save(PreparedBatch([response], zone: zone), in: db, receivedAt: time, importID: nil, rejected: 0,
                                        misuse: .off, followUp: followUp)
            // Its id comes from the token's hash, which no other path stores: a response already there is this answer.
            guard outcome == [.created] else { return .answeredAlready(invitation) }
            try db.execute(sql: "UPDATE invitation SET answeredAt = ?, responseId = ?, openedAt = coalesce(openedAt, ?) WHERE id = ?",
                           arguments: [time.iso8601, response.id, time.iso8601, invitation.id])
            invitation.answeredAt = time
            invitation.responseID = response.id
            invitation.openedAt = invitation.openedAt ?? time
            return .stored(invitation)
        }
    }

    public func invitationCounts(quarter: Quarter, centre: String?) async throws -> [InvitationCount] {
        try await read { db in try Self.invitationCounts(quarter: quarter, centre: centre, in: db) }
    }

    static func invitationCounts(quarter: Quarter, centre: String?, in db: Database) throws -> [InvitationCount] {
        try Row.fetchAll(db, sql: """
            SELECT centre, channel, count(*) AS sent, count(openedAt) AS opened, count(answeredAt) AS answered
            FROM invitation WHERE quarter = ? AND (? IS NULL OR centre = ?)
            GROUP BY centre, channel ORDER BY centre, channel
            """, arguments: [quarter.description, centre, centre]).map { row in
            InvitationCount(centre: row["centre"], channel: row["channel"], sent: row["sent"], opened: row["opened"], answered: row["answered"])
        }
    }
}
