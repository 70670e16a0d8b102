import RidaSurvey

/// An assessment as it stands: every criterion with its recorded and computed verdicts, and the classification.
public struct AssessmentSheet: Codable, Sendable, Hashable {
    /// One criterion's line.
    public struct Line: Codable, Sendable, Hashable {
        public var criterion: Criterion
        /// The latest entry of the history for this criterion.
        public var recorded: HistoryEntry?
        /// For a criterion decided from data: what the data says now.
        public var computed: ComputedVerdict?
        /// The verdict that counts: the team's recorded verdict where there is one (guide-notes decision 18), else the
        /// engine's proposal.
        public var verdict: Verdict
        /// Whether an evaluator's entry overrides the computed verdict.
        public var overridden: Bool
        /// How many entries the history holds for this criterion.
        public var changes: Int
    }

    public var assessment: Assessment
    /// The unit's name and its entity, where the registry knows them.
    public var unitName: LocalizedText?
    public var frameworkName: LocalizedText
    public var lines: [Line]
    public var classification: Classification
    public var computedAt: Instant
    /// The form's descriptive evaluation: the latest text recorded for each item of the framework, in the form's order.
    public var descriptions: [DescriptionEntry]
    /// Framework 2: appendix 4's scores of the entity's replies to Tawasul complaints received in the period.
    public var replies: ReplyScoreSummary?

    /// Builds the sheet from the history (any order) and, for data criteria, the data; without data they stay pending.
    /// A closed assessment's computed verdicts are the `frozen` ones, whatever the data says now.
    public init(assessment: Assessment, catalogue: Catalogue = .standard, history: [HistoryEntry], data: AssessmentData?,
                frozen: [String: ComputedVerdict] = [:], unitName: LocalizedText? = nil, descriptions: [DescriptionEntry] = [],
                replies: ReplyScoreSummary? = nil, now: Instant) {
        self.assessment = assessment
        self.unitName = unitName
        self.computedAt = now
        var latestText: [DescriptionItem: DescriptionEntry] = [:]
        for entry in descriptions.sorted(by: { $0.sequence < $1.sequence }) where entry.item.framework == assessment.framework {
            latestText[entry.item] = entry
        }
        self.descriptions = DescriptionItem.of(assessment.framework).compactMap { latestText[$0] }
        self.replies = replies
        let framework = catalogue[assessment.framework]
        frameworkName = framework.name
        var latest: [String: HistoryEntry] = [:]
        var changes: [String: Int] = [:]
        for entry in history.sorted(by: { $0.sequence < $1.sequence }) {
            latest[entry.criterion] = entry
            changes[entry.criterion, default: 0] += 1
        }
        lines = framework.criteria.map { criterion in
            let recorded = latest[criterion.id]
            let computed = assessment.isClosed ? frozen[criterion.id] : data.flatMap { DataRules.evaluate(criterion, $0) }
            var overridden = false
            let verdict: Verdict
            if let recorded, recorded.verdict == .notApplicable, !criterion.mayBeNotApplicable {
                // Recorded before Rida refused it: the guide has no "not applicable" for this criterion.
                verdict = .pending
            } else if let recorded, recorded.verdict != .computed {
                verdict = Verdict(recorded.verdict)
                overridden = criterion.decidedBy == .data
            } else {
                verdict = computed?.verdict ?? .pending
            }
            return Line(criterion: criterion, recorded: recorded, computed: computed, verdict: verdict,
                        overridden: overridden, changes: changes[criterion.id] ?? 0)
        }
        classification = Classification(framework: assessment.framework, verdicts: lines.map { ($0.criterion, $0.verdict) },
                                        provisional: !assessment.isClosed)
    }

    public func line(_ criterion: String) -> Line? { lines.first { $0.criterion.id == criterion } }
}

extension Verdict {
    /// The verdict a recorded entry gives; `computed` has none of its own and reads as pending.
    public init(_ recorded: RecordedVerdict) {
        switch recorded {
        case .met: self = .met
        case .notMet: self = .notMet
        case .notApplicable: self = .notApplicable
        case .pending, .computed: self = .pending
        }
    }
}
