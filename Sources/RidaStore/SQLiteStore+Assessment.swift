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
                guard let centre = try Self.centre(assessment.unit, in: db) else {
                    throw AssessmentError("There is no centre \(assessment.unit) in the registry: add it first (rida centres add \(assessment.unit) --entity … --kind headquarters --channels …).", notFound: true)
                }
                switch centre.kind {
                case .remote?:
                    throw AssessmentError("\(assessment.unit) is a remote centre: framework 2 assesses its entity (--framework 2 --entity \(centre.entity ?? "…")).")
                case nil:
                    throw AssessmentError("The registry does not say whether \(assessment.unit) is a headquarters or a remote centre: framework 1 assesses a headquarters centre (rida centres add \(assessment.unit) --kind headquarters).")
                case .headquarters?:
                    break
                }
            case .remote:
                guard try Self.entity(assessment.unit, in: db) != nil else {
                    throw AssessmentError("There is no entity \(assessment.unit) in the registry: add it first (rida centres add-entity \(assessment.unit)).", notFound: true)
                }
            }
            if let existing = try Self.assessment(assessment.id, in: db) {
                throw AssessmentError("The assessment \(existing.id) is already open (framework \(existing.framework), opened by \(existing.openedBy) at \(existing.openedAt.iso8601)).")
            }
            try db.execute(sql: """
                INSERT INTO assessment (id, framework, unit, cycle, openedAt, openedBy) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [assessment.id, assessment.framework.rawValue, assessment.unit, assessment.cycle,
                                 assessment.openedAt.iso8601, assessment.openedBy])
        }
    }

    /// The assessment with `id`, if one is open.
    public func assessment(_ id: String) async throws -> Assessment? {
        try await read { db in try Self.assessment(id, in: db) }
    }

    /// Every assessment, newest cycle first.
    public func assessments() async throws -> [Assessment] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM assessment ORDER BY cycle DESC, framework, unit").map(Self.decodeAssessment)
        }
    }

    static func assessment(_ id: String, in db: Database) throws -> Assessment? {
        try Row.fetchOne(db, sql: "SELECT * FROM assessment WHERE id = ?", arguments: [id]).map(decodeAssessment)
    }

    static func decodeAssessment(_ row: Row) -> Assessment {
        var assessment = Assessment(framework: Framework(rawValue: row["framework"]) ?? .headquarters, unit: row["unit"],
                                    cycle: row["cycle"], openedAt: decodeInstant(row["openedAt"]), openedBy: row["openedBy"])
        assessment.id = row["id"]
        return assessment
    }

    /// Appends `entries` to the history of their assessment, all of them or none.
    ///
    /// Every entry is checked against its criterion and the entry before it (`HistoryEntry.problems(of:...)`);
    /// the error lists every problem at once. Returns the entries as stored, with their sequence numbers.
    @discardableResult
    public func record(_ entries: [HistoryEntry], catalogue: Catalogue = .standard) async throws -> [HistoryEntry] {
        try await write { db in
            var assessments: [String: Assessment] = [:]
            let problems = try HistoryEntry.problems(of: entries, catalogue: catalogue, framework: { entry in
                if let known = assessments[entry.assessment] { return known.framework }
                guard let found = try Self.assessment(entry.assessment, in: db) else {
                    throw AssessmentError("There is no assessment \(entry.assessment): open it first (rida assess open …).", notFound: true)
                }
                assessments[entry.assessment] = found
                return found.framework
            }, latest: { entry in
                try Self.history(of: entry.assessment, criterion: entry.criterion, in: db).last
            })
            if !problems.isEmpty {
                throw AssessmentError("Nothing was recorded: " + problems.map(\.reason).joined(separator: "; ") + ".", problems: problems)
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
        let counts = try await counts(for: quarters)
        return try await read { db in
            let centre: Centre?
            let scopes: [String]
            switch assessment.framework {
            case .headquarters:
                centre = try Self.centre(assessment.unit, in: db)
                scopes = [assessment.unit]
            case .remote:
                centre = try Self.remoteCentre(of: assessment.unit, in: db)
                scopes = [assessment.unit] + (centre.map { [$0.id] } ?? [])
            }
            var byQuarter: [Quarter: [String: Counts]] = [:]
            if let centre {
                for (quarter, groups) in counts {
                    for (key, value) in groups where key.centre == centre.id { byQuarter[quarter, default: [:]][key.channel] = value }
                }
            }
            let year = "\(assessment.cycle)-%"
            let days = try String.fetchAll(db, sql: "SELECT day FROM liveDisplayDay WHERE centre = ? AND day LIKE ? ORDER BY day",
                                           arguments: [centre?.id ?? assessment.unit, year]).compactMap(Self.decodeDay)
            var data = AssessmentData(assessment: assessment, now: now, zone: zone, policy: policy, centre: centre?.id,
                                      channels: centre?.channels ?? [], counts: byQuarter, liveDisplayDays: days)
            if assessment.framework == .remote {
                data.reports = try Self.reports(scopes: scopes, in: db)
                data.declines = try Self.declines(scopes: scopes, in: db)
                data.tawasulImports = try Self.importIDs(table: "tawasulComplaint", entity: assessment.unit, in: db)
                if !data.tawasulImports.isEmpty {
                    data.complaints = try Self.complaints(entity: assessment.unit, quarters: quarters, in: db)
                }
                data.contactImports = try Self.importIDs(table: "contact", entity: assessment.unit, in: db)
                data.contacts = try Self.contacts(entity: assessment.unit, quarters: quarters, in: db)
            }
            return data
        }
    }

    /// The assessment as it stands at `now`: every criterion's recorded and computed verdicts, and the classification.
    public func assessmentSheet(_ id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue = .standard) async throws -> AssessmentSheet {
        guard let assessment = try await assessment(id) else {
            throw AssessmentError("There is no assessment \(id): rida assess list shows the open ones.", notFound: true)
        }
        let history = try await history(of: id)
        let data = try await assessmentData(for: assessment, policy: policy, now: now)
        var name: LocalizedText?
        switch assessment.framework {
        case .headquarters:
            if let centre = try await centre(assessment.unit), centre.nameAr != nil || centre.nameEn != nil {
                name = LocalizedText(ar: centre.name(.ar), en: centre.name(.en))
            }
        case .remote:
            if let entity = try await entity(assessment.unit), entity.nameAr != nil || entity.nameEn != nil {
                name = LocalizedText(ar: entity.name(.ar), en: entity.name(.en))
            }
        }
        return AssessmentSheet(assessment: assessment, catalogue: catalogue, history: history, data: data, unitName: name, now: now)
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
