import Logging
import PostgresNIO
import RidaAggregation
import RidaStore
import RidaSurvey

/// Invitations, as `SQLiteStore+Invitations.swift` keeps them. An answer locks its invitation's row first
/// (`FOR UPDATE`), so two instances given the same answer at once store it once.
extension PostgresStore: InvitationStore {
    static let invitationColumns = "id, centre, channel, service, counter, stage, createdAt, expiresAt, openedAt, answeredAt, responseId"

    static func invitations(_ rows: PostgresRowSequence) async throws -> [Invitation] {
        var found: [Invitation] = []
        for try await (id, centre, channel, service, counter, stage, created, expires, opened, answered, response)
            in rows.decode((Int64, String, String, String?, String?, String?, String, String, String?, String?, String?).self) {
            guard let createdAt = instant(created), let expiresAt = instant(expires) else { continue }
            found.append(Invitation(id: id, centre: centre, channel: channel, service: service, counter: counter,
                                    stage: stage.flatMap(Stage.init(rawValue:)), createdAt: createdAt, expiresAt: expiresAt,
                                    openedAt: instant(opened), answeredAt: instant(answered), responseID: response))
        }
        return found
    }

    public func createInvitations(_ drafts: [InvitationDraft], tokenHashes: [String], by who: String?, at time: Instant) async throws -> [Invitation] {
        precondition(drafts.count == tokenHashes.count, "one token per invitation")
        guard !drafts.isEmpty else { return [] }
        let quarter = configuration.zone.quarter(at: time).description
        var rows: [[String: Any]] = []
        for (i, (draft, hash)) in zip(drafts, tokenHashes).enumerated() {
            var row: [String: Any] = ["i": i, "hash": hash, "centre": draft.centre, "channel": draft.channel, "expires": draft.expiresAt.iso8601]
            row["service"] = draft.service
            row["counter"] = draft.counter
            row["stage"] = draft.stage?.rawValue
            rows.append(row)
        }
        let json = try Self.json(rows)
        return try await transaction { connection in
            let inserted = try await connection.query("""
                INSERT INTO invitation (tokenHash, centre, channel, service, counter, stage, quarter, createdAt, expiresAt, createdBy)
                SELECT hash, centre, channel, service, counter, stage, \(quarter), \(time.iso8601), expires, \(who)
                FROM jsonb_to_recordset(\(json)::jsonb) AS x(
                    i integer, hash text, centre text, channel text, service text, counter text, stage text, expires text)
                ORDER BY i
                RETURNING id
                """, logger: self.logger)
            var ids: [Int64] = []
            for try await id in inserted.decode(Int64.self) { ids.append(id) }
            // Identities are given in the insert's order.
            return zip(drafts, ids.sorted()).map { draft, id in
                Invitation(id: id, centre: draft.centre, channel: draft.channel, service: draft.service, counter: draft.counter,
                           stage: draft.stage, createdAt: time, expiresAt: draft.expiresAt)
            }
        }
    }

    public func invitation(tokenHash: String) async throws -> Invitation? {
        try await read { connection in
            try await Self.invitations(try await connection.query(
                "SELECT \(unescaped: Self.invitationColumns) FROM invitation WHERE tokenHash = \(tokenHash)", logger: self.logger)).first
        }
    }

    public func openInvitation(tokenHash: String, at time: Instant) async throws -> Invitation? {
        try await transaction { connection in
            try await connection.query("""
                UPDATE invitation SET openedAt = \(time.iso8601)
                WHERE tokenHash = \(tokenHash) AND openedAt IS NULL AND answeredAt IS NULL AND expiresAt > \(time.iso8601)
                """, logger: self.logger)
            return try await Self.invitations(try await connection.query(
                "SELECT \(unescaped: Self.invitationColumns) FROM invitation WHERE tokenHash = \(tokenHash)", logger: self.logger)).first
        }
    }

    public func answerInvitation(tokenHash: String, response: SurveyResponse, at time: Instant) async throws -> InvitationAnswer {
        try await transaction { connection in
            guard var invitation = try await Self.invitations(try await connection.query(
                "SELECT \(unescaped: Self.invitationColumns) FROM invitation WHERE tokenHash = \(tokenHash) FOR UPDATE",
                logger: self.logger)).first else { return .unknown }
            if invitation.answeredAt != nil { return .answeredAlready(invitation) }
            if invitation.isExpired(at: time) { return .expired(invitation) }
            precondition(response.id == Invitation.answerID(tokenHash: tokenHash), "an invitation's answer is stored under its answerID")
            let outcome = try await self.save([response], on: connection, receivedAt: time, importID: nil, rejected: 0)
            guard outcome == [.created] else { return .answeredAlready(invitation) }
            try await connection.query("""
                UPDATE invitation SET answeredAt = \(time.iso8601), responseId = \(response.id), openedAt = coalesce(openedAt, \(time.iso8601))
                WHERE id = \(invitation.id)
                """, logger: self.logger)
            invitation.answeredAt = time
            invitation.responseID = response.id
            invitation.openedAt = invitation.openedAt ?? time
            return .stored(invitation)
        }
    }

    public func invitationCounts(quarter: Quarter, centre: String?) async throws -> [InvitationCount] {
        try await read { connection in
            try await Self.invitationCounts(quarter: quarter, centre: centre, on: connection, logger: self.logger)
        }
    }

    static func invitationCounts(quarter: Quarter, centre: String?, on connection: PostgresConnection, logger: Logger) async throws -> [InvitationCount] {
        let rows = try await connection.query("""
            SELECT centre, channel, count(*), count(openedAt), count(answeredAt) FROM invitation
            WHERE quarter = \(quarter.description) AND (\(centre)::text IS NULL OR centre = \(centre))
            GROUP BY centre, channel ORDER BY centre COLLATE "C", channel COLLATE "C"
            """, logger: logger)
        var counts: [InvitationCount] = []
        for try await (centre, channel, sent, opened, answered) in rows.decode((String, String, Int64, Int64, Int64).self) {
            counts.append(InvitationCount(centre: centre, channel: channel, sent: Int(sent), opened: Int(opened), answered: Int(answered)))
        }
        return counts
    }
}
