import GRDB
import RidaAssessment
import RidaSurvey

/// What storing one evidence record did.
public enum EvidenceOutcome: Sendable, Hashable {
    /// A record not seen before.
    case created
    /// The same record, unchanged: nothing to do.
    case unchanged
    /// A record seen before with other content (a later export: a complaint answered since): the newer one replaces it.
    case updated
}

extension SQLiteStore {
    /// Stores Tawasul complaints in one transaction, keyed by their Tawasul id: a later export of the same
    /// complaint replaces the earlier one. The import's counts grow in the same transaction.
    public func save(_ complaints: [TawasulComplaint], importID: Int64?, rejected: Int = 0) async throws -> [EvidenceOutcome] {
        let zone = configuration.zone
        return try await write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO tawasulComplaint (id, entity, channel, topic, receivedAt, quarter, answeredAt, slaDays, status, importId, type, dueAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET entity = excluded.entity, channel = excluded.channel, topic = excluded.topic,
                    receivedAt = excluded.receivedAt, quarter = excluded.quarter, answeredAt = excluded.answeredAt,
                    slaDays = excluded.slaDays, status = excluded.status, importId = excluded.importId,
                    type = excluded.type, dueAt = excluded.dueAt
                """)
            var outcomes: [EvidenceOutcome] = []
            for complaint in complaints {
                let stored = try Row.fetchOne(db, sql: "SELECT * FROM tawasulComplaint WHERE id = ?", arguments: [complaint.id]).map(Self.decodeComplaint)
                if stored == complaint {
                    outcomes.append(.unchanged)
                    continue
                }
                if let stored, stored.entity != complaint.entity {
                    let source = try Int64.fetchOne(db, sql: "SELECT importId FROM tawasulComplaint WHERE id = ?", arguments: [complaint.id])
                    throw AssessmentError("Tawasul complaint \(complaint.id) is recorded for \(stored.entity) (import #\(source.map(String.init) ?? "?")), and this file gives it to \(complaint.entity): a complaint belongs to one entity; this batch of records was not stored.")
                }
                try upsert.execute(arguments: [
                    complaint.id, complaint.entity, complaint.channel, complaint.topic, complaint.receivedAt.iso8601,
                    zone.quarter(at: complaint.receivedAt).description, complaint.answeredAt?.iso8601, complaint.slaDays,
                    complaint.status, importID, complaint.type.rawValue, complaint.dueAt?.iso8601,
                ])
                outcomes.append(stored == nil ? .created : .updated)
            }
            try Self.countEvidence(outcomes, rejected: rejected, importID: importID, in: db)
            return outcomes
        }
    }

    /// Stores contact-centre records in one transaction, keyed by entity and id; a later export replaces an earlier one.
    public func save(_ contacts: [ContactRecord], importID: Int64?, rejected: Int = 0) async throws -> [EvidenceOutcome] {
        let zone = configuration.zone
        return try await write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO contact (entity, id, channel, contactedAt, quarter, answeredAt, importId) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(entity, id) DO UPDATE SET channel = excluded.channel, contactedAt = excluded.contactedAt,
                    quarter = excluded.quarter, answeredAt = excluded.answeredAt, importId = excluded.importId
                """)
            var outcomes: [EvidenceOutcome] = []
            for contact in contacts {
                let stored = try Row.fetchOne(db, sql: "SELECT * FROM contact WHERE entity = ? AND id = ?",
                                              arguments: [contact.entity, contact.id]).map(Self.decodeContact)
                if stored == contact {
                    outcomes.append(.unchanged)
                    continue
                }
                try upsert.execute(arguments: [
                    contact.entity, contact.id, contact.channel, contact.contactedAt.iso8601,
                    zone.quarter(at: contact.contactedAt).description, contact.answeredAt?.iso8601, importID,
                ])
                outcomes.append(stored == nil ? .created : .updated)
            }
            try Self.countEvidence(outcomes, rejected: rejected, importID: importID, in: db)
            return outcomes
        }
    }

    /// Adds a batch's counts to its import: created and updated records are accepted, unchanged ones duplicates.
    static func countEvidence(_ outcomes: [EvidenceOutcome], rejected: Int, importID: Int64?, in db: Database) throws {
        guard let importID else { return }
        let unchanged = outcomes.filter { $0 == .unchanged }.count
        try db.execute(sql: """
            UPDATE import SET accepted = accepted + ?, duplicates = duplicates + ?, rejected = rejected + ? WHERE id = ?
            """, arguments: [outcomes.count - unchanged, unchanged, rejected, importID])
    }

    /// The Tawasul complaints of `entity`, oldest first.
    public func complaints(entity: String) async throws -> [TawasulComplaint] {
        try await read { db in try Self.complaints(entity: entity, quarters: nil, in: db) }
    }

    /// The contact-centre records of `entity`, oldest first.
    public func contacts(entity: String) async throws -> [ContactRecord] {
        try await read { db in try Self.contacts(entity: entity, quarters: nil, in: db) }
    }

    static func complaints(entity: String, quarters: [Quarter]?, in db: Database) throws -> [TawasulComplaint] {
        let (filter, arguments) = quarterFilter(entity: entity, quarters: quarters)
        return try Row.fetchAll(db, sql: "SELECT * FROM tawasulComplaint WHERE \(filter) ORDER BY receivedAt, id", arguments: arguments)
            .map(decodeComplaint)
    }

    static func contacts(entity: String, quarters: [Quarter]?, in db: Database) throws -> [ContactRecord] {
        let (filter, arguments) = quarterFilter(entity: entity, quarters: quarters)
        return try Row.fetchAll(db, sql: "SELECT * FROM contact WHERE \(filter) ORDER BY contactedAt, id", arguments: arguments)
            .map(decodeContact)
    }

    static func quarterFilter(entity: String, quarters: [Quarter]?) -> (String, StatementArguments) {
        guard let quarters, !quarters.isEmpty else { return ("entity = ?", [entity]) }
        let marks = Array(repeating: "?", count: quarters.count).joined(separator: ", ")
        return ("entity = ? AND quarter IN (\(marks))", StatementArguments([entity] + quarters.map(\.description)))
    }

    static func decodeComplaint(_ row: Row) -> TawasulComplaint {
        TawasulComplaint(id: row["id"], entity: row["entity"], channel: row["channel"], topic: row["topic"],
                         receivedAt: decodeInstant(row["receivedAt"]), answeredAt: (row["answeredAt"] as String?).map(decodeInstant),
                         slaDays: row["slaDays"], status: row["status"],
                         type: (row["type"] as String?).flatMap(TawasulRecordType.init(rawValue:)) ?? .complaint,
                         dueAt: (row["dueAt"] as String?).map(decodeInstant))
    }

    static func decodeContact(_ row: Row) -> ContactRecord {
        ContactRecord(id: row["id"], entity: row["entity"], channel: row["channel"], contactedAt: decodeInstant(row["contactedAt"]),
                      answeredAt: (row["answeredAt"] as String?).map(decodeInstant))
    }

    /// The ids of the finished imports that brought records of `entity` into `table`, oldest first: another
    /// entity's import is no evidence for this one, so without rows of its own the criteria wait for data.
    static func importIDs(table: String, entity: String, in db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT DISTINCT r.importId FROM \(table) r JOIN import i ON i.id = r.importId
            WHERE r.entity = ? AND i.status = 'finished' ORDER BY r.importId
            """, arguments: [entity])
    }

    /// The ids of the finished imports of `kind`, oldest first.
    static func importIDs(kind: String, in db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM import WHERE kind = ? AND status = 'finished' ORDER BY id", arguments: [kind])
    }

    // MARK: The live display (framework 1, 2.3.5)

    /// Records that the live display served `centre` at `time`: one row per centre and local day, so calling it
    /// on every refresh costs one ignored insert.
    public func recordLiveDisplayServed(centre: String, at time: Instant) async throws {
        let day = configuration.zone.date(at: time).iso8601
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO liveDisplayDay (centre, day, firstAt) VALUES (?, ?, ?)",
                           arguments: [centre, day, time.iso8601])
        }
    }

    /// The local days on which the live display served `centre`, oldest first.
    public func liveDisplayDays(centre: String) async throws -> [CivilDate] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT day FROM liveDisplayDay WHERE centre = ? ORDER BY day", arguments: [centre]).compactMap(Self.decodeDay)
        }
    }

    // MARK: Appendix 4: reply scores

    /// Records an evaluator's appendix-4 scores of one Tawasul reply; returns its id.
    @discardableResult
    public func saveReplyScore(_ score: ReplyScore) async throws -> Int64 {
        guard score.scores.count == 4, score.scores.allSatisfy({ (1...5).contains($0) }) else {
            throw AssessmentError("Appendix 4 has four items, each scored 1 to 5 (5 = strongly agree): \(score.scores.map(String.init).joined(separator: ",")) is not that.")
        }
        return try await write { db in
            // Appendix 4 scores a reply to a complaint: one stored for that entity (guide-notes decision 16).
            let stored = try Row.fetchOne(db, sql: "SELECT entity, type FROM tawasulComplaint WHERE id = ?", arguments: [score.complaint])
            guard let stored else {
                throw AssessmentError("There is no Tawasul complaint \(score.complaint) stored: appendix 4 scores a reply to a stored complaint, so import the entity's Tawasul records first.", next: .importTawasul)
            }
            let owner: String = stored["entity"]
            guard owner == score.entity else {
                throw AssessmentError("Tawasul complaint \(score.complaint) belongs to \(owner), not \(score.entity): score it for \(owner).")
            }
            let type: String? = stored["type"]
            guard type == nil || type == TawasulRecordType.complaint.rawValue else {
                throw AssessmentError("Tawasul record \(score.complaint) is a \(type ?? "record"), not a complaint: appendix 4 scores replies to complaints.")
            }
            try db.execute(sql: """
                INSERT INTO replyScore (complaintId, entity, evaluator, scoredAt, q1, q2, q3, q4, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [score.complaint, score.entity, score.evaluator, score.at.iso8601,
                                 score.scores[0], score.scores[1], score.scores[2], score.scores[3], score.note])
            return db.lastInsertedRowID
        }
    }

    /// The appendix-4 scores recorded for `entity`, or for every entity when nil.
    public func replyScores(entity: String?) async throws -> [ReplyScore] {
        try await read { db in
            let rows = if let entity {
                try Row.fetchAll(db, sql: "SELECT * FROM replyScore WHERE entity = ? ORDER BY id", arguments: [entity])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM replyScore ORDER BY entity, id")
            }
            return rows.map(Self.decodeReplyScore)
        }
    }

    static func decodeReplyScore(_ row: Row) -> ReplyScore {
        ReplyScore(id: row["id"], complaint: row["complaintId"], entity: row["entity"], evaluator: row["evaluator"],
                   at: decodeInstant(row["scoredAt"]), scores: [row["q1"], row["q2"], row["q3"], row["q4"]], note: row["note"])
    }
}
