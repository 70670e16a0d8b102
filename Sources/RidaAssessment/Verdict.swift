import RidaSurvey

/// What an evaluator records for a criterion.
public enum RecordedVerdict: String, Codable, Sendable, CaseIterable {
    case met
    case notMet
    /// The criterion does not apply to this unit; a reason is required.
    case notApplicable
    /// Not decided yet.
    case pending
    /// For a criterion decided from data: withdraws an override, so the computed verdict counts again.
    case computed

    /// Reads `met`, `not-met`, `notMet`, `na`, `n/a`, `not-applicable`, `pending`, `computed`.
    public init?(text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "met", "yes", "مستوفى": self = .met
        case "notmet", "not-met", "not_met", "no", "غير مستوفى": self = .notMet
        case "na", "n/a", "notapplicable", "not-applicable", "not_applicable": self = .notApplicable
        case "pending", "": self = .pending
        case "computed", "data": self = .computed
        default: return nil
        }
    }

    public static let spellings = "met, not-met, n/a, pending (or computed, to withdraw an override of a data verdict)"
}

/// The verdict that counts for a criterion, after overrides.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case met
    case notMet
    case notApplicable
    case pending

    /// Whether the criterion counts as satisfied for classification (not applicable does, and is accepted only on a
    /// conditional criterion; see docs/assessment.md).
    public var satisfies: Bool { self == .met || self == .notApplicable }

    public var label: LocalizedText {
        switch self {
        case .met: LocalizedText(ar: "مستوفى", en: "met")
        case .notMet: LocalizedText(ar: "غير مستوفى", en: "not met")
        case .notApplicable: LocalizedText(ar: "لا ينطبق", en: "n/a")
        case .pending: LocalizedText(ar: "قيد التقييم", en: "pending")
        }
    }
}

/// The guide's evaluation mechanisms (and the two an entity prepares with).
public enum Mechanism: String, Codable, Sendable, CaseIterable {
    case mysteryShopping
    case fieldVisit
    case fileReview
    case opinionSurvey
    case tawasul
    case unifiedGuide
    case selfAssessment
    case externalAccreditation

    public var name: LocalizedText {
        switch self {
        case .mysteryShopping: LocalizedText(ar: "المتسوق الخفي", en: "Mystery shopping")
        case .fieldVisit: LocalizedText(ar: "الزيارات الميدانية", en: "Field visit")
        case .fileReview: LocalizedText(ar: "مراجعة الملفات والسجلات", en: "Review of files and records")
        case .opinionSurvey: LocalizedText(ar: "استطلاعات الرأي", en: "Opinion survey")
        case .tawasul: LocalizedText(ar: "النظام الوطني للمقترحات والشكاوى (تواصل)", en: "Tawasul")
        case .unifiedGuide: LocalizedText(ar: "دليل خدمة العملاء الموحد", en: "The unified customer-service guide")
        case .selfAssessment: LocalizedText(ar: "التقييم الذاتي", en: "Self-assessment")
        case .externalAccreditation: LocalizedText(ar: "الاعتماد الخارجي", en: "External accreditation")
        }
    }

    /// Reads the raw value or a hyphenated spelling (`mystery-shopping`).
    public init?(text: String) {
        guard let found = Mechanism.loosely(text) else { return nil }
        self = found
    }

    public static let spellings = "mystery-shopping, field-visit, file-review, opinion-survey, tawasul, unified-guide, self-assessment, external-accreditation"
}

/// What a verdict rests on: a file (by its SHA-256), a web address, or an import recorded in the database.
public struct EvidenceReference: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        case file
        case url
        case importRecord = "import"
    }

    public var kind: Kind
    /// For a file: its name.
    public var name: String?
    /// For a file: the SHA-256 of its bytes, lower-case hex.
    public var sha256: String?
    public var byteCount: Int64?
    public var url: String?
    public var importID: Int64?

    public static func file(name: String, sha256: String, byteCount: Int64) -> EvidenceReference {
        EvidenceReference(kind: .file, name: name, sha256: sha256, byteCount: byteCount)
    }

    public static func url(_ url: String) -> EvidenceReference {
        EvidenceReference(kind: .url, url: url)
    }

    public static func importRecord(_ id: Int64) -> EvidenceReference {
        EvidenceReference(kind: .importRecord, importID: id)
    }

    public var description: String {
        switch kind {
        case .file: "file \(name ?? "?") (sha256 \(sha256 ?? "?"))"
        case .url: url ?? "?"
        case .importRecord: "import #\(importID ?? 0)"
        }
    }
}

/// One row of an assessment's history: who recorded what, when and why. Never changed once written.
public struct HistoryEntry: Codable, Sendable, Hashable {
    /// The entry's number in the store, increasing with time.
    public var sequence: Int64
    public var assessment: String
    public var criterion: String
    public var verdict: RecordedVerdict
    public var evaluator: String
    public var at: Instant
    /// Why: the evaluator's note or reason.
    public var note: String?
    public var mechanism: Mechanism?
    public var evidence: [EvidenceReference]

    public init(sequence: Int64 = 0, assessment: String, criterion: String, verdict: RecordedVerdict, evaluator: String,
                at: Instant, note: String? = nil, mechanism: Mechanism? = nil, evidence: [EvidenceReference] = []) {
        self.sequence = sequence
        self.assessment = assessment
        self.criterion = criterion
        self.verdict = verdict
        self.evaluator = evaluator
        self.at = at
        self.note = note
        self.mechanism = mechanism
        self.evidence = evidence
    }
}

/// Why an entry cannot be recorded, in a sentence.
public struct RecordingError: RidaFailure, Equatable {
    public var description: String
    public var nextStep: NextStep?
    public init(_ description: String, next: NextStep? = nil) {
        self.description = description
        self.nextStep = next
    }

    public var kind: FailureKind { .invalid }
    public var code: String { "invalid_recording" }
}

extension HistoryEntry {
    /// Checks an entry against the criterion it records and what was recorded before, listing every problem:
    /// a not-applicable verdict and an override of a data verdict need a reason, as does any change of an earlier
    /// verdict; `computed` applies only to criteria decided from data.
    ///
    /// `computed` is the verdict the engine proposes for the criterion from the data (nil when none is known): recording
    /// that same verdict overrides nothing, so it needs no note (guide-notes decision 18); a different one does.
    ///
    /// Each problem names the field it is about (`evaluator`, `verdict`, `note`) and has no location: a batch's check
    /// (`problems(of:…)`) places it at its entry.
    public func problems(for criterion: Criterion, previous: HistoryEntry?, computed: Verdict? = nil) -> [Problem] {
        var problems: [Problem] = []
        let hasNote = !(note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if evaluator.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(Problem(field: "evaluator", reason: "the evaluator's name is missing"))
        }
        switch verdict {
        case .notApplicable where criterion.condition == nil:
            problems.append(Problem(field: "verdict", reason: "\(criterion.id) cannot be not applicable: the guide asks for every criterion and makes this one conditional on nothing (only framework 1's 2.1.1 and 2.1.3 and framework 2's 3.1.1 are); record met, not-met or pending"))
        case .notApplicable where !hasNote:
            problems.append(Problem(field: "note", reason: "\(criterion.id): a not-applicable verdict needs a note saying why its condition «\(criterion.condition?.ar ?? "")» does not hold for this unit"))
        case .computed where criterion.decidedBy != .data:
            problems.append(Problem(field: "verdict", reason: "\(criterion.id) is decided from evidence: record met, not-met, n/a or pending"))
        case .computed where previous == nil || previous?.verdict == .computed:
            problems.append(Problem(field: "verdict", reason: "\(criterion.id) has no override to withdraw"))
        default:
            break
        }
        let agrees = computed.map { verdict.rawValue == $0.rawValue } ?? false
        if criterion.decidedBy == .data, verdict != .computed, verdict != .notApplicable, !agrees, !hasNote {
            problems.append(Problem(field: "note", reason: "\(criterion.id) is decided from the data: overriding it needs the reason in a note"))
        }
        if let previous, previous.verdict != verdict, !hasNote, problems.isEmpty {
            problems.append(Problem(field: "note", reason: "\(criterion.id) was recorded \(previous.verdict.rawValue) by \(previous.evaluator): changing it needs the reason in a note"))
        }
        return problems
    }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The case whose raw value `text` spells, ignoring case, surrounding spaces, hyphens and underscores
    /// (`field-visit`, `in_progress` read as `fieldVisit`, `inProgress`).
    static func loosely(_ text: String) -> Self? {
        let key = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "").lowercased()
        return allCases.first { $0.rawValue.lowercased() == key }
    }
}
