import Foundation
import Logging
import PostgresNIO
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey

/// Assessments, their append-only history, closing and descriptive evaluation, and the evidence they rest on, as
/// `SQLiteStore+Assessment.swift` and `+Evidence.swift` keep them: the same checks in the same order, the same sentences,
/// the same orderings (texts by their bytes, `COLLATE "C"`, as SQLite orders them). A write to an assessment first locks
/// its row (`FOR UPDATE`), so recording, describing and closing one from two instances at once take turns, and each
/// checks against what the other committed.
extension PostgresStore: AssessmentStore {
    public func openAssessment(_ assessment: Assessment) async throws {
        try await transaction { connection in
            switch assessment.framework {
            case .headquarters:
                guard let centre = try await Self.centre(assessment.centre, on: connection, logger: self.logger) else {
                    throw AssessmentError("There is no centre \(assessment.centre) in the registry: add it first.", notFound: true, next: .registerCentre(assessment.centre))
                }
                switch centre.kind {
                case .remote?:
                    throw AssessmentError("\(assessment.unit) is a remote centre: framework 2 assesses its entity (--framework 2 --entity \(centre.entity ?? "…")).")
                case nil:
                    throw AssessmentError("The registry does not say whether \(assessment.unit) is a headquarters or a remote centre: framework 1 assesses a headquarters centre.", next: .registerHeadquarters(assessment.unit))
                case .headquarters?:
                    break
                }
                try Centre.refuseExcluded(centre, assessment: assessment)
                try Centre.checkUnit(centre, assessment: assessment)
            case .remote:
                guard try await Self.entity(assessment.unit, on: connection, logger: self.logger) != nil else {
                    throw AssessmentError("There is no entity \(assessment.unit) in the registry: add it first.", notFound: true, next: .registerEntity(assessment.unit))
                }
                if let centre = try await Self.remoteCentre(of: assessment.unit, on: connection, logger: self.logger) {
                    try Centre.refuseExcluded(centre, assessment: assessment)
                }
            }
            if let existing = try await Self.assessment(assessment.id, on: connection, logger: self.logger) {
                throw AssessmentError("The assessment \(existing.id) is already open (framework \(existing.framework), opened by \(existing.openedBy) at \(existing.openedAt.iso8601)).")
            }
            if let problem = Assessment.periodProblem(assessment.firstQuarter...assessment.lastQuarter, cycle: assessment.cycle) {
                throw AssessmentError("The assessment \(assessment.id) was not opened: \(problem).")
            }
            try await connection.query("""
                INSERT INTO assessment (id, framework, unit, cycle, openedAt, openedBy, firstQuarter, lastQuarter, entity)
                VALUES (\(assessment.id), \(Int32(assessment.framework.rawValue)), \(assessment.unit), \(Int32(assessment.cycle)),
                        \(assessment.openedAt.iso8601), \(assessment.openedBy),
                        \(assessment.isWholeCycle ? nil : assessment.firstQuarter.description),
                        \(assessment.isWholeCycle ? nil : assessment.lastQuarter.description), \(assessment.entity))
                """, logger: self.logger)
        }
    }

    public func assessment(_ id: String) async throws -> Assessment? {
        try await read { connection in try await Self.assessment(id, on: connection, logger: self.logger) }
    }

    public func assessments() async throws -> [Assessment] {
        try await read { connection in
            try await Self.assessments(PostgresQuery(unsafeSQL: "\(Self.assessmentSelect) ORDER BY a.cycle DESC, a.framework, a.unit COLLATE \"C\""),
                                       on: connection, logger: self.logger)
        }
    }

    @discardableResult
    public func closeAssessment(_ id: String, by who: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> AssessmentSheet {
        guard !who.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw AssessmentError("The assessment \(id) was not closed: the evaluator's name is missing.")
        }
        let sheet = try await assessmentSheet(id, policy: policy, now: now, catalogue: catalogue)
        if let closing = sheet.assessment.closing {
            throw AssessmentError("The assessment \(id) was closed by \(closing.by) at \(closing.at.iso8601): its verdicts are final.")
        }
        let quarters = sheet.lines.compactMap(\.computed).first?.quarters
            ?? sheet.assessment.endedQuarters(at: now, zone: configuration.zone)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var frozen: [FrozenRow] = []
        for line in sheet.lines {
            guard var computed = line.computed else { continue }
            computed.provisional = false
            frozen.append(FrozenRow(criterion: line.criterion.id, outcome: computed.outcome.rawValue,
                                    json: String(decoding: try encoder.encode(computed), as: UTF8.self)))
        }
        let rows = frozen
        try await transaction { connection in
            try await Self.lockAssessment(id, on: connection, logger: self.logger)
            guard try await Self.assessment(id, on: connection, logger: self.logger)?.closing == nil else {
                throw AssessmentError("The assessment \(id) is already closed: its verdicts are final.")
            }
            try await connection.query("""
                INSERT INTO assessmentClosing (assessmentId, closedAt, closedBy, quarters)
                VALUES (\(id), \(now.iso8601), \(who), \(quarters.map(\.description).joined(separator: ",")))
                """, logger: self.logger)
            for row in rows {
                try await connection.query("""
                    INSERT INTO assessmentFrozenVerdict (assessmentId, criterion, outcome, computed)
                    VALUES (\(id), \(row.criterion), \(row.outcome), \(row.json))
                    """, logger: self.logger)
            }
        }
        return try await assessmentSheet(id, policy: policy, now: now, catalogue: catalogue)
    }

    @discardableResult
    public func recordDescriptions(_ entries: [DescriptionEntry]) async throws -> [DescriptionEntry] {
        try await transaction { connection in
            var problems: [Problem] = []
            var assessments: [String: Assessment] = [:]
            for entry in entries {
                if assessments[entry.assessment] == nil {
                    try await Self.lockAssessment(entry.assessment, on: connection, logger: self.logger)
                    guard let found = try await Self.assessment(entry.assessment, on: connection, logger: self.logger) else {
                        throw AssessmentError.noAssessment(entry.assessment)
                    }
                    try found.refuseIfClosed("forms")
                    assessments[entry.assessment] = found
                }
                problems += entry.problems(framework: assessments[entry.assessment]!.framework)
            }
            if entries.isEmpty { problems.append(Problem(reason: "no text was given")) }
            if !problems.isEmpty {
                throw AssessmentError.nothingRecorded(problems, located: false)
            }
            var stored: [DescriptionEntry] = []
            for entry in entries {
                let rows = try await connection.query("""
                    INSERT INTO assessmentDescription (assessmentId, item, text, evaluator, recordedAt)
                    VALUES (\(entry.assessment), \(entry.item.rawValue), \(entry.text), \(entry.evaluator), \(entry.at.iso8601))
                    RETURNING id
                    """, logger: self.logger)
                var saved = entry
                saved.sequence = try await rows.decode(Int64.self).first { _ in true } ?? 0
                stored.append(saved)
            }
            return stored
        }
    }

    public func descriptions(of assessment: String) async throws -> [DescriptionEntry] {
        try await read { connection in try await Self.descriptions(of: assessment, on: connection, logger: self.logger) }
    }

    @discardableResult
    public func record(_ entries: [HistoryEntry], positions: [Int]?, unread: [Problem], catalogue: Catalogue,
                       computed: [String: [String: Verdict]]) async throws -> [HistoryEntry] {
        try await transaction { connection in
            // The check needs each entry's assessment and each criterion's latest entry: read here, in the entries'
            // order (so the first missing or closed assessment is the one refused, as SQLite's check finds it).
            var assessments: [String: Assessment] = [:]
            var latest: [String: HistoryEntry] = [:]
            for entry in entries where assessments[entry.assessment] == nil {
                try await Self.lockAssessment(entry.assessment, on: connection, logger: self.logger)
                guard let found = try await Self.assessment(entry.assessment, on: connection, logger: self.logger) else {
                    throw AssessmentError.noAssessment(entry.assessment)
                }
                try found.refuseIfClosed("verdicts")
                assessments[entry.assessment] = found
                for stored in try await Self.history(of: found.id, on: connection, logger: self.logger) {
                    latest["\(stored.assessment)\u{0}\(stored.criterion)"] = stored
                }
            }
            let known = assessments
            let checked = HistoryEntry.problems(of: entries, positions: positions, catalogue: catalogue, framework: { entry in
                known[entry.assessment]!.framework
            }, latest: { entry in
                latest["\(entry.assessment)\u{0}\(entry.criterion)"]
            }, computed: { entry in computed[entry.assessment]?[entry.criterion] })
            let problems = unread + checked
            if !problems.isEmpty {
                throw AssessmentError.nothingRecorded(problems, located: true)
            }
            var stored: [HistoryEntry] = []
            for entry in entries {
                let evidence = String(decoding: try JSONEncoder().encode(entry.evidence), as: UTF8.self)
                let rows = try await connection.query("""
                    INSERT INTO assessmentEntry (assessmentId, criterion, verdict, evaluator, recordedAt, note, mechanism, evidence)
                    VALUES (\(entry.assessment), \(entry.criterion), \(entry.verdict.rawValue), \(entry.evaluator), \(entry.at.iso8601),
                            \(entry.note), \(entry.mechanism?.rawValue), \(evidence))
                    RETURNING id
                    """, logger: self.logger)
                var saved = entry
                saved.sequence = try await rows.decode(Int64.self).first { _ in true } ?? 0
                stored.append(saved)
            }
            return stored
        }
    }

    public func history(of assessment: String) async throws -> [HistoryEntry] {
        try await read { connection in try await Self.history(of: assessment, on: connection, logger: self.logger) }
    }

    public func assessmentData(for assessment: Assessment, policy: ThresholdPolicy, now: Instant) async throws -> AssessmentData {
        let zone = configuration.zone
        let quarters = assessment.quarters
        // The quarter before the period too: framework 2's 3.2.3 compares the first quarter with it.
        return try await snapshot { connection in
            let counts = try await Self.counts(for: [assessment.firstQuarter.previous] + quarters, on: connection, logger: self.logger)
            let centre: Centre?
            let scopes: [String]
            switch assessment.framework {
            case .headquarters:
                centre = try await Self.centre(assessment.centre, on: connection, logger: self.logger)
                scopes = [assessment.unit]
            case .remote:
                centre = try await Self.remoteCentre(of: assessment.unit, on: connection, logger: self.logger)
                scopes = [assessment.unit] + (centre.map { [$0.id] } ?? [])
            }
            var byQuarter: [Quarter: [String: Counts]] = [:]
            if let centre, let entity = assessment.entity {
                byQuarter = try await Self.entityCounts(centre: centre.id, entity: entity,
                                                        quarters: [assessment.firstQuarter.previous] + quarters,
                                                        on: connection, logger: self.logger)
            } else if let centre {
                for (quarter, groups) in counts {
                    for (key, value) in groups where key.centre == centre.id { byQuarter[quarter, default: [:]][key.channel] = value }
                }
            }
            let dayRows = try await connection.query("""
                SELECT day FROM liveDisplayDay WHERE centre = \(centre?.id ?? assessment.unit)
                  AND day >= \(assessment.firstQuarter.firstDay.iso8601) AND day < \(assessment.lastQuarter.next.firstDay.iso8601)
                ORDER BY day COLLATE "C"
                """, logger: self.logger)
            var days: [CivilDate] = []
            for try await day in dayRows.decode(String.self) { if let day = Self.decodeDay(day) { days.append(day) } }
            var data = AssessmentData(assessment: assessment, now: now, zone: zone, policy: policy, centre: centre?.id,
                                      channels: centre?.channels ?? [], counts: byQuarter, liveDisplayDays: days)
            if assessment.framework == .remote {
                data.reports = try await Self.reports(scopes: scopes, on: connection, logger: self.logger)
                data.declines = try await Self.declines(scopes: scopes, on: connection, logger: self.logger)
                data.tawasulImports = try await Self.importIDs(table: "tawasulComplaint", entity: assessment.unit, on: connection, logger: self.logger)
                if !data.tawasulImports.isEmpty {
                    // The two quarters before the period too: 3.2.4 looks back across the year boundary.
                    let first = assessment.firstQuarter
                    data.complaints = try await Self.complaints(entity: assessment.unit, quarters: [first.previous.previous, first.previous] + quarters,
                                                                on: connection, logger: self.logger)
                }
                data.contactImports = try await Self.importIDs(table: "contact", entity: assessment.unit, on: connection, logger: self.logger)
                data.contacts = try await Self.contacts(entity: assessment.unit, quarters: quarters, on: connection, logger: self.logger)
            }
            return data
        }
    }

    public func computedVerdicts(of id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> [String: [String: Verdict]] {
        guard try await assessment(id) != nil else { return [:] }
        let sheet = try await assessmentSheet(id, policy: policy, now: now, catalogue: catalogue)
        var verdicts: [String: Verdict] = [:]
        for line in sheet.lines { if let computed = line.computed { verdicts[line.criterion.id] = computed.verdict } }
        return [id: verdicts]
    }

    public func assessmentSheet(_ id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> AssessmentSheet {
        guard let assessment = try await assessment(id) else {
            throw AssessmentError("There is no assessment \(id).", notFound: true, next: .listAssessments)
        }
        let history = try await history(of: id)
        let parts = try await snapshot { connection -> SheetParts in
            var replies: [ReplyScore]?
            if assessment.framework == .remote {
                replies = try await Self.replyScores(entity: assessment.unit, quarters: assessment.quarters, on: connection, logger: self.logger)
            }
            return SheetParts(frozen: try await Self.frozenVerdicts(of: id, on: connection, logger: self.logger),
                              descriptions: try await Self.descriptions(of: id, on: connection, logger: self.logger), replies: replies)
        }
        let data = try await assessmentData(for: assessment, policy: policy, now: now)
        var name: LocalizedText?
        switch assessment.framework {
        case .headquarters:
            if let centre = try await centre(assessment.centre), centre.nameAr != nil || centre.nameEn != nil {
                name = LocalizedText(ar: centre.name(.ar), en: centre.name(.en))
            }
            if let entityID = assessment.entity {
                let entity = try await entity(entityID)
                let centreName = name ?? LocalizedText(ar: assessment.centre, en: assessment.centre)
                name = LocalizedText(ar: "\(entity?.name(.ar) ?? entityID) في \(centreName.ar)", en: "\(entity?.name(.en) ?? entityID) at \(centreName.en)")
            }
        case .remote:
            if let entity = try await entity(assessment.unit), entity.nameAr != nil || entity.nameEn != nil {
                name = LocalizedText(ar: entity.name(.ar), en: entity.name(.en))
            }
        }
        return AssessmentSheet(assessment: assessment, catalogue: catalogue, history: history, data: data, frozen: parts.frozen,
                               unitName: name, descriptions: parts.descriptions,
                               replies: parts.replies.map { ReplyScoreSummary(entity: assessment.unit, scores: $0) }, now: now)
    }

    // MARK: Evidence

    public func save(_ complaints: [TawasulComplaint], importID: Int64?, rejected: Int) async throws -> [EvidenceOutcome] {
        let zone = configuration.zone
        return try await transaction { connection in
            // In the ids' order, so two imports locking overlapping complaints in different orders cannot deadlock;
            // the outcomes in the batch's order.
            var outcomes = [EvidenceOutcome](repeating: .unchanged, count: complaints.count)
            for index in complaints.indices.sorted(by: { (complaints[$0].id, $0) < (complaints[$1].id, $1) }) {
                let complaint = complaints[index]
                // Inserted if new: an instance inserting the same complaint at once waits here for this transaction,
                // inserts nothing, and then compares with the row this one stored (so one says created, never both).
                let quarter = zone.quarter(at: complaint.receivedAt).description
                let inserted = try await connection.query("""
                    INSERT INTO tawasulComplaint (id, entity, channel, topic, receivedAt, quarter, answeredAt, slaDays, status, importId, type, dueAt)
                    VALUES (\(complaint.id), \(complaint.entity), \(complaint.channel), \(complaint.topic), \(complaint.receivedAt.iso8601),
                            \(quarter), \(complaint.answeredAt?.iso8601), \(Int32(complaint.slaDays)),
                            \(complaint.status), \(importID), \(complaint.type.rawValue), \(complaint.dueAt?.iso8601))
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                    """, logger: self.logger)
                if try await inserted.decode(String.self).first(where: { _ in true }) != nil {
                    outcomes[index] = .created
                    continue
                }
                let found = try await connection.query("""
                    SELECT \(unescaped: Self.complaintColumns), importId FROM tawasulComplaint WHERE id = \(complaint.id) FOR UPDATE
                    """, logger: self.logger)
                var stored: TawasulComplaint?
                var source: Int64?
                for try await row in found {
                    stored = try Self.decodeComplaint(row)
                    source = try row.makeRandomAccess()[10].decode(Int64?.self)
                }
                if stored == complaint {
                    outcomes[index] = .unchanged
                    continue
                }
                if let stored, stored.entity != complaint.entity {
                    throw AssessmentError("Tawasul complaint \(complaint.id) is recorded for \(stored.entity) (import #\(source.map(String.init) ?? "?")), and this file gives it to \(complaint.entity): a complaint belongs to one entity; this batch of records was not stored.")
                }
                try await connection.query("""
                    UPDATE tawasulComplaint SET channel = \(complaint.channel), topic = \(complaint.topic),
                        receivedAt = \(complaint.receivedAt.iso8601), quarter = \(quarter), answeredAt = \(complaint.answeredAt?.iso8601),
                        slaDays = \(Int32(complaint.slaDays)), status = \(complaint.status), importId = \(importID),
                        type = \(complaint.type.rawValue), dueAt = \(complaint.dueAt?.iso8601)
                    WHERE id = \(complaint.id)
                    """, logger: self.logger)
                outcomes[index] = .updated
            }
            try await Self.countEvidence(outcomes, rejected: rejected, importID: importID, on: connection, logger: self.logger)
            return outcomes
        }
    }

    public func save(_ contacts: [ContactRecord], importID: Int64?, rejected: Int) async throws -> [EvidenceOutcome] {
        let zone = configuration.zone
        return try await transaction { connection in
            var outcomes = [EvidenceOutcome](repeating: .unchanged, count: contacts.count)
            for index in contacts.indices.sorted(by: { (contacts[$0].entity, contacts[$0].id, $0) < (contacts[$1].entity, contacts[$1].id, $1) }) {
                let contact = contacts[index]
                // As for complaints: inserted if new, else compared with the stored row, locked.
                let quarter = zone.quarter(at: contact.contactedAt).description
                let inserted = try await connection.query("""
                    INSERT INTO contact (entity, id, channel, contactedAt, quarter, answeredAt, importId)
                    VALUES (\(contact.entity), \(contact.id), \(contact.channel), \(contact.contactedAt.iso8601),
                            \(quarter), \(contact.answeredAt?.iso8601), \(importID))
                    ON CONFLICT (entity, id) DO NOTHING
                    RETURNING id
                    """, logger: self.logger)
                if try await inserted.decode(String.self).first(where: { _ in true }) != nil {
                    outcomes[index] = .created
                    continue
                }
                let found = try await connection.query("""
                    SELECT id, entity, channel, contactedAt, answeredAt FROM contact WHERE entity = \(contact.entity) AND id = \(contact.id) FOR UPDATE
                    """, logger: self.logger)
                var stored: ContactRecord?
                for try await row in found { stored = try Self.decodeContact(row) }
                if stored == contact {
                    outcomes[index] = .unchanged
                    continue
                }
                try await connection.query("""
                    UPDATE contact SET channel = \(contact.channel), contactedAt = \(contact.contactedAt.iso8601), quarter = \(quarter),
                        answeredAt = \(contact.answeredAt?.iso8601), importId = \(importID)
                    WHERE entity = \(contact.entity) AND id = \(contact.id)
                    """, logger: self.logger)
                outcomes[index] = .updated
            }
            try await Self.countEvidence(outcomes, rejected: rejected, importID: importID, on: connection, logger: self.logger)
            return outcomes
        }
    }

    public func complaints(entity: String) async throws -> [TawasulComplaint] {
        try await read { connection in try await Self.complaints(entity: entity, quarters: nil, on: connection, logger: self.logger) }
    }

    public func contacts(entity: String) async throws -> [ContactRecord] {
        try await read { connection in try await Self.contacts(entity: entity, quarters: nil, on: connection, logger: self.logger) }
    }

    public func recordLiveDisplayServed(centre: String, at time: Instant) async throws {
        let day = configuration.zone.date(at: time).iso8601
        try await transaction { connection in
            try await connection.query(
                "INSERT INTO liveDisplayDay (centre, day, firstAt) VALUES (\(centre), \(day), \(time.iso8601)) ON CONFLICT DO NOTHING",
                logger: self.logger)
        }
    }

    public func liveDisplayDays(centre: String) async throws -> [CivilDate] {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT day FROM liveDisplayDay WHERE centre = \(centre) ORDER BY day COLLATE \"C\"", logger: self.logger)
            var days: [CivilDate] = []
            for try await day in rows.decode(String.self) { if let day = Self.decodeDay(day) { days.append(day) } }
            return days
        }
    }

    @discardableResult
    public func saveReplyScore(_ score: ReplyScore) async throws -> Int64 {
        guard score.scores.count == 4, score.scores.allSatisfy({ (1...5).contains($0) }) else {
            throw AssessmentError("Appendix 4 has four items, each scored 1 to 5 (5 = strongly agree): \(score.scores.map(String.init).joined(separator: ",")) is not that.")
        }
        return try await transaction { connection in
            // Appendix 4 scores a reply to a complaint: one stored for that entity (guide-notes decision 16).
            let rows = try await connection.query(
                "SELECT entity, type FROM tawasulComplaint WHERE id = \(score.complaint)", logger: self.logger)
            guard let (owner, type) = try await rows.decode((String, String?).self).first(where: { _ in true }) else {
                throw AssessmentError("There is no Tawasul complaint \(score.complaint) stored: appendix 4 scores a reply to a stored complaint, so import the entity's Tawasul records first.", next: .importTawasul)
            }
            guard owner == score.entity else {
                throw AssessmentError("Tawasul complaint \(score.complaint) belongs to \(owner), not \(score.entity): score it for \(owner).")
            }
            guard type == nil || type == TawasulRecordType.complaint.rawValue else {
                throw AssessmentError("Tawasul record \(score.complaint) is a \(type ?? "record"), not a complaint: appendix 4 scores replies to complaints.")
            }
            let inserted = try await connection.query("""
                INSERT INTO replyScore (complaintId, entity, evaluator, scoredAt, q1, q2, q3, q4, note)
                VALUES (\(score.complaint), \(score.entity), \(score.evaluator), \(score.at.iso8601), \(Int32(score.scores[0])),
                        \(Int32(score.scores[1])), \(Int32(score.scores[2])), \(Int32(score.scores[3])), \(score.note))
                RETURNING id
                """, logger: self.logger)
            return try await inserted.decode(Int64.self).first { _ in true } ?? 0
        }
    }

    public func replyScores(entity: String?) async throws -> [ReplyScore] {
        try await read { connection in
            if let entity {
                return try await Self.replyScores(
                    "SELECT r.* FROM replyScore r WHERE r.entity = \(entity) ORDER BY r.id", on: connection, logger: self.logger)
            }
            return try await Self.replyScores(
                "SELECT r.* FROM replyScore r ORDER BY r.entity COLLATE \"C\", r.id", on: connection, logger: self.logger)
        }
    }
}

// MARK: On a connection

extension PostgresStore {
    /// An assessment's row with its closing, if it is closed.
    static let assessmentSelect = """
        SELECT a.id, a.framework, a.unit, a.cycle, a.openedAt, a.openedBy, a.firstQuarter, a.lastQuarter, a.entity,
               c.closedAt, c.closedBy, c.quarters
        FROM assessment a LEFT JOIN assessmentClosing c ON c.assessmentId = a.id
        """

    static func assessment(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Assessment? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await assessments(PostgresQuery(unsafeSQL: "\(assessmentSelect) WHERE a.id = $1", binds: binds),
                                     on: connection, logger: logger).first
    }

    /// Locks the assessment's row until the transaction ends (nothing when there is none).
    static func lockAssessment(_ id: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT id FROM assessment WHERE id = \(id) FOR UPDATE", logger: logger)
    }

    static func assessments(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Assessment] {
        var assessments: [Assessment] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, framework, unit, cycle, openedAt, openedBy, firstQuarter, lastQuarter, entity, closedAt, closedBy, closedQuarters)
            in rows.decode((String, Int32, String, Int32, String, String, String?, String?, String?, String?, String?, String?).self) {
            let first = firstQuarter.flatMap(Quarter.init)
            let last = lastQuarter.flatMap(Quarter.init)
            let period = first.flatMap { first in last.map { first...max(first, $0) } }
            var assessment = Assessment(framework: Framework(rawValue: Int(framework)) ?? .headquarters, unit: unit, cycle: Int(cycle),
                                        openedAt: decodeInstant(openedAt), openedBy: openedBy, period: period)
            assessment.entity = entity
            assessment.id = id
            if let closedAt {
                let quarters = (closedQuarters ?? "").split(separator: ",").compactMap { Quarter(String($0)) }
                assessment.closing = Assessment.Closing(at: decodeInstant(closedAt), by: closedBy ?? "", quarters: quarters)
            }
            assessments.append(assessment)
        }
        return assessments
    }

    static func entity(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Entity? {
        try await entities("SELECT id, nameAr, nameEn FROM entity WHERE id = \(id)", on: connection, logger: logger).first
    }

    static func remoteCentre(of entity: String, on connection: PostgresConnection, logger: Logger) async throws -> Centre? {
        try await centres("""
            SELECT id, entityId, nameAr, nameEn, kind, channels, operator, servingEntities, exclusion, firstSeenAt
            FROM centre WHERE entityId = \(entity) AND kind = 'remote'
            """, on: connection, logger: logger).first?.centre
    }

    static func history(of assessment: String, on connection: PostgresConnection, logger: Logger) async throws -> [HistoryEntry] {
        let rows = try await connection.query("""
            SELECT id, assessmentId, criterion, verdict, evaluator, recordedAt, note, mechanism, evidence
            FROM assessmentEntry WHERE assessmentId = \(assessment) ORDER BY id
            """, logger: logger)
        var entries: [HistoryEntry] = []
        for try await (id, assessment, criterion, verdict, evaluator, at, note, mechanism, evidenceText)
            in rows.decode((Int64, String, String, String, String, String, String?, String?, String).self) {
            let evidence = (try? JSONDecoder().decode([EvidenceReference].self, from: Data(evidenceText.utf8))) ?? []
            entries.append(HistoryEntry(
                sequence: id, assessment: assessment, criterion: criterion, verdict: RecordedVerdict(rawValue: verdict) ?? .pending,
                evaluator: evaluator, at: decodeInstant(at), note: note, mechanism: mechanism.flatMap(Mechanism.init(rawValue:)),
                evidence: evidence))
        }
        return entries
    }

    static func descriptions(of assessment: String, on connection: PostgresConnection, logger: Logger) async throws -> [DescriptionEntry] {
        let rows = try await connection.query("""
            SELECT id, assessmentId, item, text, evaluator, recordedAt FROM assessmentDescription WHERE assessmentId = \(assessment) ORDER BY id
            """, logger: logger)
        var entries: [DescriptionEntry] = []
        for try await (id, assessment, item, text, evaluator, at) in rows.decode((Int64, String, String, String, String, String).self) {
            guard let item = DescriptionItem(rawValue: item) else { continue }
            entries.append(DescriptionEntry(sequence: id, assessment: assessment, item: item, text: text, evaluator: evaluator,
                                            at: decodeInstant(at)))
        }
        return entries
    }

    /// The computed verdicts frozen when the assessment was closed, by criterion; empty while it is open.
    static func frozenVerdicts(of id: String, on connection: PostgresConnection, logger: Logger) async throws -> [String: ComputedVerdict] {
        var frozen: [String: ComputedVerdict] = [:]
        let rows = try await connection.query(
            "SELECT criterion, computed FROM assessmentFrozenVerdict WHERE assessmentId = \(id)", logger: logger)
        for try await (criterion, text) in rows.decode((String, String).self) {
            frozen[criterion] = try JSONDecoder().decode(ComputedVerdict.self, from: Data(text.utf8))
        }
        return frozen
    }

    /// One entity's counts at a centre, per quarter and channel, recounted from its responses (`SQLiteStore.entityCounts`).
    static func entityCounts(centre: String, entity: String, quarters: [Quarter], on connection: PostgresConnection,
                             logger: Logger) async throws -> [Quarter: [String: Counts]] {
        let scores = (1...RollupLayout.questions).flatMap { q in
            (1...RollupLayout.scores).map { s in "count(*) FILTER (WHERE q\(q) = \(s))" }
        }.joined(separator: ", ")
        var binds = PostgresBindings()
        binds.append(centre)
        binds.append(entity)
        binds.append(quarters.map(\.description))
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT quarter, channel, count(*), \(scores),
                   count(*) FILTER (WHERE stage = 'before'), count(*) FILTER (WHERE stage = 'during'), count(*) FILTER (WHERE stage = 'after')
            FROM response WHERE centre = $1 AND entity = $2 AND quarter = ANY($3) AND setAside IS NULL GROUP BY quarter, channel
            """, binds: binds), logger: logger)
        var result: [Quarter: [String: Counts]] = [:]
        for try await row in rows {
            let c = row.makeRandomAccess()
            guard let quarter = Quarter(try c[0].decode(String.self)) else { continue }
            let values = try (0..<RollupLayout.width).map { try c[2 + $0].decode(Int64.self) }
            result[quarter, default: [:]][try c[1].decode(String.self)] = RollupLayout.counts { Int(values[$0]) }
        }
        return result
    }

    static let complaintColumns = "id, entity, channel, topic, receivedAt, answeredAt, slaDays, status, type, dueAt"

    static func decodeComplaint(_ row: PostgresRow) throws -> TawasulComplaint {
        let c = row.makeRandomAccess()
        return TawasulComplaint(
            id: try c[0].decode(String.self), entity: try c[1].decode(String.self), channel: try c[2].decode(String.self),
            topic: try c[3].decode(String?.self), receivedAt: decodeInstant(try c[4].decode(String.self)),
            answeredAt: try c[5].decode(String?.self).map(decodeInstant), slaDays: Int(try c[6].decode(Int32.self)),
            status: try c[7].decode(String?.self), type: TawasulRecordType(rawValue: try c[8].decode(String.self)) ?? .complaint,
            dueAt: try c[9].decode(String?.self).map(decodeInstant))
    }

    static func decodeContact(_ row: PostgresRow) throws -> ContactRecord {
        let c = row.makeRandomAccess()
        return ContactRecord(id: try c[0].decode(String.self), entity: try c[1].decode(String.self), channel: try c[2].decode(String.self),
                             contactedAt: decodeInstant(try c[3].decode(String.self)), answeredAt: try c[4].decode(String?.self).map(decodeInstant))
    }

    static func complaints(entity: String, quarters: [Quarter]?, on connection: PostgresConnection, logger: Logger) async throws -> [TawasulComplaint] {
        let rows = if let quarters, !quarters.isEmpty {
            try await connection.query("""
                SELECT \(unescaped: complaintColumns) FROM tawasulComplaint WHERE entity = \(entity) AND quarter = ANY(\(quarters.map(\.description)))
                ORDER BY receivedAt COLLATE "C", id COLLATE "C"
                """, logger: logger)
        } else {
            try await connection.query("""
                SELECT \(unescaped: complaintColumns) FROM tawasulComplaint WHERE entity = \(entity) ORDER BY receivedAt COLLATE "C", id COLLATE "C"
                """, logger: logger)
        }
        var complaints: [TawasulComplaint] = []
        for try await row in rows { complaints.append(try decodeComplaint(row)) }
        return complaints
    }

    static func contacts(entity: String, quarters: [Quarter]?, on connection: PostgresConnection, logger: Logger) async throws -> [ContactRecord] {
        let rows = if let quarters, !quarters.isEmpty {
            try await connection.query("""
                SELECT id, entity, channel, contactedAt, answeredAt FROM contact WHERE entity = \(entity) AND quarter = ANY(\(quarters.map(\.description)))
                ORDER BY contactedAt COLLATE "C", id COLLATE "C"
                """, logger: logger)
        } else {
            try await connection.query("""
                SELECT id, entity, channel, contactedAt, answeredAt FROM contact WHERE entity = \(entity) ORDER BY contactedAt COLLATE "C", id COLLATE "C"
                """, logger: logger)
        }
        var contacts: [ContactRecord] = []
        for try await row in rows { contacts.append(try decodeContact(row)) }
        return contacts
    }

    /// Adds a batch's counts to its import: created and updated records are accepted, unchanged ones duplicates.
    static func countEvidence(_ outcomes: [EvidenceOutcome], rejected: Int, importID: Int64?, on connection: PostgresConnection,
                              logger: Logger) async throws {
        guard let importID else { return }
        let unchanged = outcomes.filter { $0 == .unchanged }.count
        try await connection.query("""
            UPDATE import SET accepted = accepted + \(Int64(outcomes.count - unchanged)), duplicates = duplicates + \(Int64(unchanged)),
                              rejected = rejected + \(Int64(rejected))
            WHERE id = \(importID)
            """, logger: logger)
    }

    /// The ids of the finished imports that brought records of `entity` into `table` (a table name of this file's), oldest first.
    static func importIDs(table: String, entity: String, on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        var binds = PostgresBindings()
        binds.append(entity)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT DISTINCT r.importId FROM \(table) r JOIN import i ON i.id = r.importId
            WHERE r.entity = $1 AND i.status = 'finished' ORDER BY r.importId
            """, binds: binds), logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// The appendix-4 scores of `entity`'s replies to its Tawasul complaints received in `quarters`.
    static func replyScores(entity: String, quarters: [Quarter], on connection: PostgresConnection, logger: Logger) async throws -> [ReplyScore] {
        try await replyScores("""
            SELECT r.* FROM replyScore r JOIN tawasulComplaint t ON t.id = r.complaintId AND t.entity = r.entity
            WHERE r.entity = \(entity) AND t.quarter = ANY(\(quarters.map(\.description))) ORDER BY r.id
            """, on: connection, logger: logger)
    }

    /// Reply scores read as `SELECT r.*` (the table's columns in order).
    static func replyScores(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [ReplyScore] {
        var scores: [ReplyScore] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, complaint, entity, evaluator, at, q1, q2, q3, q4, note)
            in rows.decode((Int64, String, String, String, String, Int32, Int32, Int32, Int32, String?).self) {
            scores.append(ReplyScore(id: id, complaint: complaint, entity: entity, evaluator: evaluator, at: decodeInstant(at),
                                     scores: [Int(q1), Int(q2), Int(q3), Int(q4)], note: note))
        }
        return scores
    }

    static func decodeDay(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return CivilDate(year: parts[0], month: parts[1], day: parts[2])
    }
}

/// A verdict frozen when an assessment is closed, as stored.
struct FrozenRow: Sendable {
    var criterion: String
    var outcome: String
    var json: String
}

/// What an assessment's sheet reads in one snapshot besides its history and data.
struct SheetParts: Sendable {
    var frozen: [String: ComputedVerdict]
    var descriptions: [DescriptionEntry]
    var replies: [ReplyScore]?
}
