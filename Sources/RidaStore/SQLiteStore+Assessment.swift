import Foundation
import GRDB
import RidaAggregation
import RidaAssessment
import RidaSurvey

extension SQLiteStore {
    /// Opens an assessment of a registered centre (framework 1) or entity (framework 2) for a cycle.
    public func openAssessment(_ assessment: Assessment) async throws {
        try await write { db in
            switch assessment.framework {
            case .headquarters:
                guard let centre = try Self.centre(assessment.centre, in: db) else {
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
                guard try Self.entity(assessment.unit, in: db) != nil else {
                    throw AssessmentError("There is no entity \(assessment.unit) in the registry: add it first.", notFound: true, next: .registerEntity(assessment.unit))
                }
                if let centre = try Self.remoteCentre(of: assessment.unit, in: db) { try Centre.refuseExcluded(centre, assessment: assessment) }
            }
            if let existing = try Self.assessment(assessment.id, in: db) {
                throw AssessmentError("The assessment \(existing.id) is already open (framework \(existing.framework), opened by \(existing.openedBy) at \(existing.openedAt.iso8601)).")
            }
            if let problem = Assessment.periodProblem(assessment.firstQuarter...assessment.lastQuarter, cycle: assessment.cycle) {
                throw AssessmentError("The assessment \(assessment.id) was not opened: \(problem).")
            }
            try db.execute(sql: """
                INSERT INTO assessment (id, framework, unit, cycle, openedAt, openedBy, firstQuarter, lastQuarter, entity)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [assessment.id, assessment.framework.rawValue, assessment.unit, assessment.cycle,
                                 assessment.openedAt.iso8601, assessment.openedBy,
                                 assessment.isWholeCycle ? nil : assessment.firstQuarter.description,
                                 assessment.isWholeCycle ? nil : assessment.lastQuarter.description, assessment.entity])
        }
    }

    /// The assessment with `id`, if one is open.
    public func assessment(_ id: String) async throws -> Assessment? {
        try await read { db in try Self.assessment(id, in: db) }
    }

    /// Every assessment, newest cycle first.
    public func assessments() async throws -> [Assessment] {
        try await read { db in
            try Row.fetchAll(db, sql: "\(Self.assessmentSelect) ORDER BY a.cycle DESC, a.framework, a.unit").map(Self.decodeAssessment)
        }
    }

    static func assessment(_ id: String, in db: Database) throws -> Assessment? {
        try Row.fetchOne(db, sql: "\(assessmentSelect) WHERE a.id = ?", arguments: [id]).map(decodeAssessment)
    }

    /// An assessment's row with its closing, if it is closed.
    static let assessmentSelect = """
        SELECT a.*, c.closedAt, c.closedBy, c.quarters AS closedQuarters FROM assessment a
        LEFT JOIN assessmentClosing c ON c.assessmentId = a.id
        """

    static func decodeAssessment(_ row: Row) -> Assessment {
        let first = (row["firstQuarter"] as String?).flatMap(Quarter.init)
        let last = (row["lastQuarter"] as String?).flatMap(Quarter.init)
        let period = first.flatMap { first in last.map { first...max(first, $0) } }
        var assessment = Assessment(framework: Framework(rawValue: row["framework"]) ?? .headquarters, unit: row["unit"],
                                    cycle: row["cycle"], openedAt: decodeInstant(row["openedAt"]), openedBy: row["openedBy"],
                                    period: period)
        assessment.entity = row["entity"]
        assessment.id = row["id"]
        if let closedAt = row["closedAt"] as String? {
            let quarters = (row["closedQuarters"] as String? ?? "").split(separator: ",").compactMap { Quarter(String($0)) }
            assessment.closing = Assessment.Closing(at: decodeInstant(closedAt), by: row["closedBy"], quarters: quarters)
        }
        return assessment
    }

    /// Closes an assessment (guide-notes decision 13): its computed verdicts at `now`, with their checks and figures, are
    /// frozen in the append-only `assessmentFrozenVerdict`, on the quarters of the period ended by then; later imports
    /// no longer change them, and nothing more is recorded in its history. Returns the closed sheet.
    @discardableResult
    public func closeAssessment(_ id: String, by who: String, policy: ThresholdPolicy, now: Instant,
                                catalogue: Catalogue = .standard) async throws -> AssessmentSheet {
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
        var frozen: [(criterion: String, outcome: String, json: String)] = []
        for line in sheet.lines {
            guard var computed = line.computed else { continue }
            computed.provisional = false
            frozen.append((line.criterion.id, computed.outcome.rawValue, String(decoding: try encoder.encode(computed), as: UTF8.self)))
        }
        let rows = frozen
        try await write { db in
            guard try Self.assessment(id, in: db)?.closing == nil else {
                throw AssessmentError("The assessment \(id) is already closed: its verdicts are final.")
            }
            try db.execute(sql: "INSERT INTO assessmentClosing (assessmentId, closedAt, closedBy, quarters) VALUES (?, ?, ?, ?)",
                           arguments: [id, now.iso8601, who, quarters.map(\.description).joined(separator: ",")])
            for row in rows {
                try db.execute(sql: "INSERT INTO assessmentFrozenVerdict (assessmentId, criterion, outcome, computed) VALUES (?, ?, ?, ?)",
                               arguments: [id, row.criterion, row.outcome, row.json])
            }
        }
        return try await assessmentSheet(id, policy: policy, now: now, catalogue: catalogue)
    }

    /// Records texts of the forms' descriptive evaluation (appendix 5's strengths and areas to develop, appendix 6's
    /// channel strengths and services), all or none; the latest text per item is the one the form prints.
    @discardableResult
    public func recordDescriptions(_ entries: [DescriptionEntry]) async throws -> [DescriptionEntry] {
        try await write { db in
            var problems: [Problem] = []
            var assessments: [String: Assessment] = [:]
            for entry in entries {
                if assessments[entry.assessment] == nil {
                    guard let found = try Self.assessment(entry.assessment, in: db) else {
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
                try db.execute(sql: "INSERT INTO assessmentDescription (assessmentId, item, text, evaluator, recordedAt) VALUES (?, ?, ?, ?, ?)",
                               arguments: [entry.assessment, entry.item.rawValue, entry.text, entry.evaluator, entry.at.iso8601])
                var saved = entry
                saved.sequence = db.lastInsertedRowID
                stored.append(saved)
            }
            return stored
        }
    }

    /// Every text of an assessment's descriptive evaluation, oldest first.
    public func descriptions(of assessment: String) async throws -> [DescriptionEntry] {
        try await read { db in try Self.descriptions(of: assessment, in: db) }
    }

    static func descriptions(of assessment: String, in db: Database) throws -> [DescriptionEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM assessmentDescription WHERE assessmentId = ? ORDER BY id", arguments: [assessment]).compactMap { row in
            guard let item = DescriptionItem(rawValue: row["item"]) else { return nil }
            return DescriptionEntry(sequence: row["id"], assessment: row["assessmentId"], item: item, text: row["text"],
                                    evaluator: row["evaluator"], at: decodeInstant(row["recordedAt"]))
        }
    }

    /// The appendix-4 scores of `entity`'s replies to its Tawasul complaints received in `quarters`.
    static func replyScores(entity: String, quarters: [Quarter], in db: Database) throws -> [ReplyScore] {
        let marks = Array(repeating: "?", count: quarters.count).joined(separator: ", ")
        return try Row.fetchAll(db, sql: """
            SELECT r.* FROM replyScore r JOIN tawasulComplaint t ON t.id = r.complaintId AND t.entity = r.entity
            WHERE r.entity = ? AND t.quarter IN (\(marks)) ORDER BY r.id
            """, arguments: StatementArguments([entity] + quarters.map(\.description))).map(decodeReplyScore)
    }

    /// The computed verdicts frozen when the assessment was closed, by criterion; empty while it is open.
    static func frozenVerdicts(of id: String, in db: Database) throws -> [String: ComputedVerdict] {
        var frozen: [String: ComputedVerdict] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT criterion, computed FROM assessmentFrozenVerdict WHERE assessmentId = ?", arguments: [id]) {
            let text: String = row["computed"]
            frozen[row["criterion"]] = try JSONDecoder().decode(ComputedVerdict.self, from: Data(text.utf8))
        }
        return frozen
    }

    /// Appends `entries` to the history of their assessment, all of them or none.
    ///
    /// Every entry is checked against its criterion and the entry before it (`HistoryEntry.problems(of:...)`);
    /// the error lists every problem at once. Returns the entries as stored, with their sequence numbers.
    /// `computed` holds, by assessment then criterion, the verdicts the engine proposes from the data
    /// (`computedVerdicts(of:policy:now:)`): recording the same one needs no note.
    ///
    /// A caller that read `entries` from a longer batch, some of whose entries it could not read, gives `positions`
    /// (each entry's position in the batch as sent) and the problems it found (`unread`): the batch is then refused
    /// with those and the check's problems together, each at its position. This is the only place the check runs.
    @discardableResult
    public func record(_ entries: [HistoryEntry], positions: [Int]?, unread: [Problem], catalogue: Catalogue,
                       computed: [String: [String: Verdict]]) async throws -> [HistoryEntry] {
        try await write { db in
            var assessments: [String: Assessment] = [:]
            let checked = try HistoryEntry.problems(of: entries, positions: positions, catalogue: catalogue, framework: { entry in
                if let known = assessments[entry.assessment] { return known.framework }
                guard let found = try Self.assessment(entry.assessment, in: db) else {
                    throw AssessmentError.noAssessment(entry.assessment)
                }
                try found.refuseIfClosed("verdicts")
                assessments[entry.assessment] = found
                return found.framework
            }, latest: { entry in
                try Self.history(of: entry.assessment, criterion: entry.criterion, in: db).last
            }, computed: { entry in computed[entry.assessment]?[entry.criterion] })
            let problems = unread + checked
            if !problems.isEmpty {
                throw AssessmentError.nothingRecorded(problems, located: true)
            }
            var stored: [HistoryEntry] = []
            for entry in entries {
                let evidence = String(decoding: try JSONEncoder().encode(entry.evidence), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO assessmentEntry (assessmentId, criterion, verdict, evaluator, recordedAt, note, mechanism, evidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [entry.assessment, entry.criterion, entry.verdict.rawValue, entry.evaluator, entry.at.iso8601,
                                     entry.note, entry.mechanism?.rawValue, evidence])
                var saved = entry
                saved.sequence = db.lastInsertedRowID
                stored.append(saved)
            }
            return stored
        }
    }

    /// The history of an assessment, oldest first.
    public func history(of assessment: String) async throws -> [HistoryEntry] {
        try await read { db in try Self.history(of: assessment, criterion: nil, in: db) }
    }

    static func history(of assessment: String, criterion: String?, in db: Database) throws -> [HistoryEntry] {
        var sql = "SELECT * FROM assessmentEntry WHERE assessmentId = ?"
        var arguments: [any DatabaseValueConvertible] = [assessment]
        if let criterion {
            sql += " AND criterion = ?"
            arguments.append(criterion)
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: StatementArguments(arguments)).map { row in
            let evidenceText: String = row["evidence"]
            let evidence = (try? JSONDecoder().decode([EvidenceReference].self, from: Data(evidenceText.utf8))) ?? []
            return HistoryEntry(
                sequence: row["id"], assessment: row["assessmentId"], criterion: row["criterion"],
                verdict: RecordedVerdict(rawValue: row["verdict"]) ?? .pending, evaluator: row["evaluator"],
                at: decodeInstant(row["recordedAt"]), note: row["note"],
                mechanism: (row["mechanism"] as String?).flatMap(Mechanism.init(rawValue:)), evidence: evidence)
        }
    }

    /// Everything the data rules need for `assessment`, read from the store at `now`.
    public func assessmentData(for assessment: Assessment, policy: ThresholdPolicy, now: Instant) async throws -> AssessmentData {
        let zone = configuration.zone
        let quarters = assessment.quarters
        // The quarter before the period too: framework 2's 3.2.3 compares the first quarter with it.
        let counts = try await counts(for: [assessment.firstQuarter.previous] + quarters)
        return try await read { db in
            let centre: Centre?
            let scopes: [String]
            switch assessment.framework {
            case .headquarters:
                centre = try Self.centre(assessment.centre, in: db)
                scopes = [assessment.unit]
            case .remote:
                centre = try Self.remoteCentre(of: assessment.unit, in: db)
                scopes = [assessment.unit] + (centre.map { [$0.id] } ?? [])
            }
            var byQuarter: [Quarter: [String: Counts]] = [:]
            if let centre, let entity = assessment.entity {
                byQuarter = try Self.entityCounts(centre: centre.id, entity: entity, quarters: [assessment.firstQuarter.previous] + quarters, in: db)
            } else if let centre {
                for (quarter, groups) in counts {
                    for (key, value) in groups where key.centre == centre.id { byQuarter[quarter, default: [:]][key.channel] = value }
                }
            }
            let days = try String.fetchAll(db, sql: "SELECT day FROM liveDisplayDay WHERE centre = ? AND day >= ? AND day < ? ORDER BY day",
                                           arguments: [centre?.id ?? assessment.unit, assessment.firstQuarter.firstDay.iso8601,
                                                       assessment.lastQuarter.next.firstDay.iso8601]).compactMap(Self.decodeDay)
            var data = AssessmentData(assessment: assessment, now: now, zone: zone, policy: policy, centre: centre?.id,
                                      channels: centre?.channels ?? [], counts: byQuarter, liveDisplayDays: days)
            if assessment.framework == .remote {
                data.reports = try Self.reports(scopes: scopes, in: db)
                data.declines = try Self.declines(scopes: scopes, in: db)
                data.tawasulImports = try Self.importIDs(table: "tawasulComplaint", entity: assessment.unit, in: db)
                if !data.tawasulImports.isEmpty {
                    // The two quarters before the period too: 3.2.4 looks back across the year boundary.
                    let first = assessment.firstQuarter
                    data.complaints = try Self.complaints(entity: assessment.unit, quarters: [first.previous.previous, first.previous] + quarters, in: db)
                }
                data.contactImports = try Self.importIDs(table: "contact", entity: assessment.unit, in: db)
                data.contacts = try Self.contacts(entity: assessment.unit, quarters: quarters, in: db)
            }
            return data
        }
    }

    /// One entity's counts at a centre, per quarter and channel, recounted from its responses (they name the entity).
    /// An assessment reads them a few times a cycle, so they are counted when asked, through the partial index
    /// `response_by_entity`, rather than kept in a rollup the ingest of every response would pay for.
    static func entityCounts(centre: String, entity: String, quarters: [Quarter], in db: Database) throws -> [Quarter: [String: Counts]] {
        let scores = (1...RollupLayout.questions).flatMap { q in (1...RollupLayout.scores).map { s in "coalesce(sum(q\(q) = \(s)), 0)" } }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: quarters.count).joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT quarter, channel, count(*), \(scores),
                   coalesce(sum(stage = 'before'), 0), coalesce(sum(stage = 'during'), 0), coalesce(sum(stage = 'after'), 0)
            FROM response WHERE centre = ? AND entity = ? AND quarter IN (\(placeholders)) AND setAside IS NULL GROUP BY quarter, channel
            """, arguments: StatementArguments([centre, entity] + quarters.map(\.description)))
        var result: [Quarter: [String: Counts]] = [:]
        for row in rows {
            guard let quarter = Quarter(row[0] as String) else { continue }
            // The columns selected are in `RollupLayout`'s order, from column 2.
            result[quarter, default: [:]][row[1] as String] = RollupLayout.counts { row[2 + $0] }
        }
        return result
    }

    /// The verdicts the engine proposes from the data for an assessment's criteria at `now`, by assessment then
    /// criterion, for `record(_:catalogue:computed:)`; empty when there is no such assessment (recording says so).
    public func computedVerdicts(of id: String, policy: ThresholdPolicy, now: Instant,
                                 catalogue: Catalogue = .standard) async throws -> [String: [String: Verdict]] {
        guard try await assessment(id) != nil else { return [:] }
        let sheet = try await assessmentSheet(id, policy: policy, now: now, catalogue: catalogue)
        var verdicts: [String: Verdict] = [:]
        for line in sheet.lines { if let computed = line.computed { verdicts[line.criterion.id] = computed.verdict } }
        return [id: verdicts]
    }

    /// The assessment as it stands at `now`: every criterion's recorded and computed verdicts, and the classification.
    public func assessmentSheet(_ id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue = .standard) async throws -> AssessmentSheet {
        guard let assessment = try await assessment(id) else {
            throw AssessmentError("There is no assessment \(id).", notFound: true, next: .listAssessments)
        }
        let history = try await history(of: id)
        let (frozen, descriptions, replies) = try await read { db -> ([String: ComputedVerdict], [DescriptionEntry], [ReplyScore]?) in
            var replies: [ReplyScore]?
            if assessment.framework == .remote {
                replies = try Self.replyScores(entity: assessment.unit, quarters: assessment.quarters, in: db)
            }
            return (try Self.frozenVerdicts(of: id, in: db), try Self.descriptions(of: id, in: db), replies)
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
        return AssessmentSheet(assessment: assessment, catalogue: catalogue, history: history, data: data, frozen: frozen,
                               unitName: name, descriptions: descriptions,
                               replies: replies.map { ReplyScoreSummary(entity: assessment.unit, scores: $0) }, now: now)
    }

    static func decodeInstant(_ text: String) -> Instant {
        if case .instant(let instant) = ISO8601Timestamp.parse(text) { return instant }
        return Instant(millisecondsSince1970: 0)
    }

    static func decodeDay(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return CivilDate(year: parts[0], month: parts[1], day: parts[2])
    }
}
