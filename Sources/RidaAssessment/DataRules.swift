import Foundation
import RidaAggregation
import RidaSurvey

/// What a data rule found: met and not met are decided; the others leave the criterion pending.
public enum Outcome: String, Codable, Sendable {
    case met
    case notMet
    /// The 95% interval straddles the threshold: the data cannot tell yet.
    case inconclusive
    /// Fewer responses than the minimum sample.
    case tooFewResponses
    /// The data the rule needs is not in the database (no quarter ended, channels not registered, nothing imported).
    case missingData

    public init(_ confidence: Confidence) {
        switch confidence {
        case .met: self = .met
        case .notMet: self = .notMet
        case .inconclusive: self = .inconclusive
        case .tooFewResponses: self = .tooFewResponses
        }
    }

    /// The verdict this outcome gives: only met and not met decide.
    public var verdict: Verdict {
        switch self {
        case .met: .met
        case .notMet: .notMet
        case .inconclusive, .tooFewResponses, .missingData: .pending
        }
    }

    public var label: String {
        switch self {
        case .met: "met"
        case .notMet: "not met"
        case .inconclusive: "inconclusive"
        case .tooFewResponses: "too few responses"
        case .missingData: "missing data"
        }
    }
}

/// One thing a rule checked: a channel in a quarter, a report, a topic, a rate.
public struct Check: Codable, Sendable, Hashable {
    /// What was checked, such as `website 2026-Q2`.
    public var label: String
    public var outcome: Outcome
    /// The figures it rests on, in a sentence.
    public var detail: String
    /// False for what is shown beside without deciding (a centre's roll-up).
    public var deciding: Bool
    /// The group's figures, where the check rests on survey responses.
    public var figures: Figures?

    public init(label: String, outcome: Outcome, detail: String, deciding: Bool = true, figures: Figures? = nil) {
        self.label = label
        self.outcome = outcome
        self.detail = detail
        self.deciding = deciding
        self.figures = figures
    }
}

/// A criterion's verdict computed from the data, with every check it rests on.
public struct ComputedVerdict: Codable, Sendable, Hashable {
    public var criterion: String
    public var outcome: Outcome
    /// One sentence: what decided.
    public var summary: String
    public var checks: [Check]
    /// The imports the verdict rests on.
    public var evidence: [EvidenceReference]
    /// Whether the cycle has quarters still to end: the data so far cannot award the criterion yet, so a met outcome
    /// counts as pending (an evaluator who assesses before the cycle ends records the verdict by hand, with a reason).
    public var provisional: Bool

    /// Whether a not-met outcome can still turn while the cycle runs (a rule over the latest quarter or over the whole
    /// cycle's rate), as opposed to a quarter that failed for good.
    public var revisable: Bool

    /// The verdict that counts: met and not met decide, except that while the cycle runs met is pending, and so is a
    /// not met that later quarters can still turn.
    public var verdict: Verdict {
        guard provisional else { return outcome.verdict }
        switch outcome {
        case .met: return .pending
        case .notMet: return revisable ? .pending : .notMet
        default: return outcome.verdict
        }
    }

    /// The outcome in words, `met so far` (or `not met so far`) while the cycle runs.
    public var label: String {
        guard provisional else { return outcome.label }
        switch outcome {
        case .met: return "met so far"
        case .notMet where revisable: return "not met so far"
        default: return outcome.label
        }
    }

    /// Combines checks: one not met decides; otherwise missing data, too few responses and inconclusive
    /// (in that order) leave it open; met when every deciding check is met.
    public init(criterion: String, checks: [Check], summary: String? = nil, evidence: [EvidenceReference] = [], provisional: Bool = false) {
        self.criterion = criterion
        self.checks = checks
        self.evidence = evidence
        self.provisional = provisional
        self.revisable = false
        let deciding = checks.filter(\.deciding).map(\.outcome)
        let outcome: Outcome
        if deciding.isEmpty {
            outcome = .missingData
        } else if deciding.contains(.notMet) {
            outcome = .notMet
        } else if deciding.contains(.missingData) {
            outcome = .missingData
        } else if deciding.contains(.tooFewResponses) {
            outcome = .tooFewResponses
        } else if deciding.contains(.inconclusive) {
            outcome = .inconclusive
        } else {
            outcome = .met
        }
        self.outcome = outcome
        if let summary {
            self.summary = summary
        } else {
            let failing = checks.filter { $0.deciding && $0.outcome == outcome }
            let head = outcome.label.prefix(1).uppercased() + outcome.label.dropFirst()
            switch outcome {
            case .met where deciding.count == 1: self.summary = "Met: \(checks.first { $0.deciding }!.detail)."
            case .met: self.summary = "Met on every check (\(deciding.count))."
            case _ where failing.count == 1: self.summary = "\(head): \(failing[0].label), \(failing[0].detail)."
            default:
                let labels = failing.map(\.label)
                self.summary = "\(head): \(labels.prefix(6).joined(separator: "; "))\(labels.count > 6 ? "; …" : "")."
            }
        }
    }
}

/// Everything the data rules read for one assessment, gathered from the store.
public struct AssessmentData: Sendable {
    public var assessment: Assessment
    public var now: Instant
    public var zone: DeploymentZone
    public var policy: ThresholdPolicy
    /// The centre whose responses count: framework 1 the centre; framework 2 the entity's remote centre, nil when none is registered.
    public var centre: String?
    /// The channels that centre serves, in display order.
    public var channels: [String]
    /// The centre's counts per quarter and channel.
    public var counts: [Quarter: [String: Counts]]
    /// The local days in the cycle on which the live display served the centre (framework 1, 2.3.5).
    public var liveDisplayDays: [CivilDate]
    /// Quarterly reports saved for the entity or its remote centre (framework 2, 3.2.2).
    public var reports: [SavedReport]
    /// Reasons recorded for declines (framework 2, 3.2.3).
    public var declines: [DeclineReason]
    /// The entity's Tawasul complaints; nil when no Tawasul records were ever imported.
    public var complaints: [TawasulComplaint]?
    public var tawasulImports: [Int64]
    /// The entity's contact-centre records; nil or empty when none were imported for it.
    public var contacts: [ContactRecord]?
    public var contactImports: [Int64]

    public init(assessment: Assessment, now: Instant, zone: DeploymentZone = .bahrain, policy: ThresholdPolicy = ThresholdPolicy(),
                centre: String?, channels: [String], counts: [Quarter: [String: Counts]] = [:], liveDisplayDays: [CivilDate] = [],
                reports: [SavedReport] = [], declines: [DeclineReason] = [], complaints: [TawasulComplaint]? = nil,
                tawasulImports: [Int64] = [], contacts: [ContactRecord]? = nil, contactImports: [Int64] = []) {
        self.assessment = assessment
        self.now = now
        self.zone = zone
        self.policy = policy
        self.centre = centre
        self.channels = channels
        self.counts = counts
        self.liveDisplayDays = liveDisplayDays
        self.reports = reports
        self.declines = declines
        self.complaints = complaints
        self.tawasulImports = tawasulImports
        self.contacts = contacts
        self.contactImports = contactImports
    }

    /// The quarters the rules look at: those of the cycle that have ended.
    public var quarters: [Quarter] { assessment.endedQuarters(at: now, zone: zone) }

    func counts(_ quarter: Quarter, _ channel: String) -> Counts { counts[quarter]?[channel] ?? .zero }
}

/// The guide's criteria that Rida decides from its data. Pure: data in, verdicts with their figures out.
public enum DataRules {
    /// The computed verdict of `criterion`, nil when it is decided from evidence. While quarters of the cycle are still
    /// to end, the verdict is provisional: met so far counts as pending.
    public static func evaluate(_ criterion: Criterion, _ data: AssessmentData) -> ComputedVerdict? {
        guard criterion.decidedBy == .data else { return nil }
        guard var verdict = rule(criterion, data) else { return nil }
        let ended = data.quarters.count, all = data.assessment.quarters.count
        // Once the live display has served the centre, later quarters cannot undo it.
        let settled = criterion.framework == .headquarters && criterion.id == "2.3.5" && verdict.outcome == .met
        if ended < all, !settled {
            verdict.provisional = true
            verdict.revisable = revisableRules.contains(RuleKey(framework: criterion.framework, id: criterion.id))
            let through = data.quarters.last.map { " through \($0)" } ?? ""
            let remaining = "\(all - ended) quarter\(all - ended == 1 ? "" : "s") of \(data.assessment.cycle) still to end"
            if verdict.outcome == .met {
                verdict.summary = "Met so far\(through); \(remaining). " + verdict.summary
            } else if verdict.outcome == .notMet, verdict.revisable {
                verdict.summary = "Not met so far\(through); \(remaining) can change it. " + verdict.summary
            }
        }
        return verdict
    }

    struct RuleKey: Hashable {
        var framework: Framework
        var id: String
    }

    /// The rules whose not met later quarters can still turn: the live display not yet used (2.3.5), the latest
    /// quarter's mean (3.2.5), and rates over the whole cycle (3.2.7, framework 2's 2.3.2). The others judge each ended
    /// quarter on its own, or a topic that already recurred, and a failure stands.
    static let revisableRules: Set<RuleKey> = [
        RuleKey(framework: .headquarters, id: "2.3.5"), RuleKey(framework: .remote, id: "3.2.5"),
        RuleKey(framework: .remote, id: "3.2.7"), RuleKey(framework: .remote, id: "2.3.2"),
    ]

    static func rule(_ criterion: Criterion, _ data: AssessmentData) -> ComputedVerdict? {
        switch (criterion.framework, criterion.id) {
        case (.headquarters, "2.3.1"): return coverage(criterion.id, data, earlyStages: false)
        case (.headquarters, "2.3.2"): return shares(criterion.id, data, atLeast: 3)
        case (.headquarters, "2.3.3"): return shares(criterion.id, data, atLeast: 4)
        case (.headquarters, "2.3.5"): return liveDisplay(criterion.id, data)
        case (.remote, "2.3.2"): return contactsAnswered(criterion.id, data)
        case (.remote, "3.2.1"): return coverage(criterion.id, data, earlyStages: true)
        case (.remote, "3.2.2"): return quarterlyReports(criterion.id, data)
        case (.remote, "3.2.3"): return improvement(criterion.id, data)
        case (.remote, "3.2.4"): return recurringTopics(criterion.id, data)
        case (.remote, "3.2.5"): return latestMean(criterion.id, data)
        case (.remote, "3.2.7"): return tawasulSLA(criterion.id, data)
        default:
            return ComputedVerdict(criterion: criterion.id, checks: [], summary: "Rida has no rule for this criterion yet: record it from evidence.")
        }
    }

    /// Why a rule over survey data cannot start, if it cannot.
    static func surveyPreconditions(_ id: String, _ data: AssessmentData) -> ComputedVerdict? {
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No quarter of \(data.assessment.cycle) has ended yet.")
        }
        guard let centre = data.centre else {
            return ComputedVerdict(criterion: id, checks: [], summary: "The entity \(data.assessment.unit) has no remote centre registered: rida centres add ID --entity \(data.assessment.unit) --kind remote --channels ….")
        }
        if data.channels.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "The channels of \(centre) are not registered: rida centres add \(centre) --channels ….")
        }
        return nil
    }

    // MARK: Framework 1, 2.3.1 and framework 2, 3.2.1

    /// Every channel has responses in every ended quarter of the cycle rating the employee (q1), the service (q2 or q3)
    /// and the channel (q4); with `earlyStages`, some of them given before or during the service.
    static func coverage(_ id: String, _ data: AssessmentData, earlyStages: Bool) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        var checks: [Check] = []
        for channel in data.channels {
            for quarter in data.quarters {
                let c = data.counts(quarter, channel)
                let employee = c.answers(0)
                let service = c.answers(1) + c.answers(2)
                let rated = c.answers(3)
                let early = c.stages[0] + c.stages[1]
                var missing: [String] = []
                if c.responses == 0 { missing.append("no responses") } else {
                    if employee == 0 { missing.append("no rating of the employee") }
                    if service == 0 { missing.append("no rating of the service") }
                    if rated == 0 { missing.append("no rating of the channel") }
                    if earlyStages, early == 0 { missing.append("none given before or during the service") }
                }
                var detail = "\(c.responses) responses; ratings of the employee \(employee), the service \(service), the channel \(rated)"
                if earlyStages { detail += "; before \(c.stages[0]), during \(c.stages[1]), after \(c.stages[2]) the service" }
                if !missing.isEmpty { detail += " — " + missing.joined(separator: ", ") }
                checks.append(Check(label: "\(channel) \(quarter)", outcome: missing.isEmpty ? .met : .notMet, detail: detail))
            }
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 1, 2.3.2 and 2.3.3

    /// "At least k in 80%" per channel and quarter, under the configured reading; every channel must meet.
    /// The centre's roll-up over its channels is shown beside, not deciding.
    static func shares(_ id: String, _ data: AssessmentData, atLeast k: Int) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        let centre = data.centre ?? data.assessment.unit
        var checks: [Check] = []
        for quarter in data.quarters {
            for channel in data.channels {
                let figures = Figures(centre: centre, channel: channel, quarter: quarter, counts: data.counts(quarter, channel),
                                      previous: nil, policy: data.policy)
                checks.append(shareCheck("\(channel) \(quarter)", figures, k: k, policy: data.policy, deciding: true))
            }
            var all = Counts.zero
            for counts in (data.counts[quarter] ?? [:]).values { all.add(counts) }
            let rollUp = Figures(centre: centre, channel: nil, quarter: quarter, counts: all, previous: nil, policy: data.policy)
            checks.append(shareCheck("\(centre) all channels \(quarter)", rollUp, k: k, policy: data.policy, deciding: false))
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    static func shareCheck(_ label: String, _ f: Figures, k: Int, policy: ThresholdPolicy, deciding: Bool) -> Check {
        let confidence = k == 3 ? f.confidence.atLeast3In80Percent : f.confidence.atLeast4In80Percent
        let share = policy.reading == .ratings ? (k == 3 ? f.share3 : f.share4) : (k == 3 ? f.questionShare3 : f.questionShare4)
        let interval = policy.reading == .ratings ? (k == 3 ? f.share3Interval : f.share4Interval) : nil
        var detail = "\(f.responses) responses, \(f.ratings) ratings; "
        switch policy.reading {
        case .ratings: detail += "ratings of \(k) or more: \(percent(share))"
        case .questions: detail += "questions with a mean of \(k) or more: \(percent(share))"
        }
        if let interval { detail += " (95% interval \(percent(interval.low))–\(percent(interval.high)))" }
        detail += "; threshold 80%, \(policy.reading.rawValue) reading"
        if f.responses < policy.minimumResponses { detail += "; the minimum sample is \(policy.minimumResponses) responses" }
        return Check(label: label, outcome: Outcome(confidence), detail: detail, deciding: deciding, figures: f)
    }

    // MARK: Framework 1, 2.3.5

    /// The live display served the centre on at least one day of the cycle.
    static func liveDisplay(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let days = data.liveDisplayDays.filter { $0.year == data.assessment.cycle }.sorted()
        let check: Check
        if let first = days.first, let last = days.last {
            check = Check(label: "live display \(data.assessment.cycle)", outcome: .met,
                          detail: "served the centre on \(days.count) day\(days.count == 1 ? "" : "s"), from \(first.iso8601) to \(last.iso8601)")
        } else {
            check = Check(label: "live display \(data.assessment.cycle)", outcome: .notMet,
                          detail: "the live display has not served this centre in \(data.assessment.cycle)")
        }
        return ComputedVerdict(criterion: id, checks: [check])
    }

    // MARK: Framework 2, 3.2.2

    /// Every ended quarter of the cycle has a submitted or published report with its decisions and actions recorded.
    static func quarterlyReports(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No quarter of \(data.assessment.cycle) has ended yet.")
        }
        var checks: [Check] = []
        for quarter in data.quarters {
            let reports = data.reports.filter { $0.quarter == quarter }.sorted { $0.id < $1.id }
            let complete = reports.first { $0.status != .draft && !$0.actions.isEmpty }
            if let complete {
                checks.append(Check(label: "report \(quarter)", outcome: .met,
                                    detail: "report #\(complete.id) is \(complete.status.rawValue), with \(complete.actions.count) decision\(complete.actions.count == 1 ? "" : "s") or action\(complete.actions.count == 1 ? "" : "s") recorded"))
            } else if let report = reports.first(where: { $0.status != .draft }) {
                checks.append(Check(label: "report \(quarter)", outcome: .notMet,
                                    detail: "report #\(report.id) is \(report.status.rawValue) but records no decision or action (rida report decide \(report.id) …)"))
            } else if let draft = reports.first {
                checks.append(Check(label: "report \(quarter)", outcome: .notMet,
                                    detail: "report #\(draft.id) is still a draft: submit it (rida report submit \(draft.id))"))
            } else {
                checks.append(Check(label: "report \(quarter)", outcome: .notMet, detail: "no report saved for \(quarter) (rida report save --quarter \(quarter) --scope \(data.assessment.unit))"))
            }
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 2, 3.2.3

    /// On every channel, the mean did not fall between successive ended quarters, or a reason is recorded for the fall.
    /// A change between quarters with fewer responses than the minimum sample decides nothing, unless a reason is recorded.
    static func improvement(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        let quarters = data.quarters
        guard quarters.count >= 2 else {
            return ComputedVerdict(criterion: id, checks: [], summary: "Only \(quarters.first.map(\.description) ?? "no quarter") of \(data.assessment.cycle) has ended: a change needs two quarters.")
        }
        let centre = data.centre ?? data.assessment.unit
        let scopes: Set<String> = [data.assessment.unit, centre]
        var checks: [Check] = []
        for channel in data.channels {
            for (earlier, later) in zip(quarters, quarters.dropFirst()) {
                let before = data.counts(earlier, channel)
                let figures = Figures(centre: centre, channel: channel, quarter: later, counts: data.counts(later, channel),
                                      previous: before, policy: data.policy)
                let label = "\(channel) \(earlier)→\(later)"
                guard let now = figures.mean, before.ratings > 0, let change = figures.change?.mean else {
                    checks.append(Check(label: label, outcome: .missingData, detail: "no ratings in \(before.ratings > 0 ? later : earlier) to compare", figures: figures))
                    continue
                }
                let was = now - change
                let detail = String(format: "mean %.2f → %.2f (%@%.2f)", was, now, change >= 0 ? "+" : "", change)
                let sample = "\(before.responses) and \(figures.responses) responses"
                let minimum = data.policy.minimumResponses
                let reason = data.declines.last { scopes.contains($0.scope) && $0.quarter == later && ($0.channel == nil || $0.channel == channel) }
                if change < 0, let reason {
                    checks.append(Check(label: label, outcome: .met, detail: detail + ", declined; reason recorded by \(reason.who): \(reason.reason)", figures: figures))
                } else if before.responses < minimum || figures.responses < minimum {
                    checks.append(Check(label: label, outcome: .tooFewResponses,
                                        detail: detail + "; \(sample), the minimum sample is \(minimum) in each quarter", figures: figures))
                } else if change >= 0 {
                    checks.append(Check(label: label, outcome: .met, detail: detail + (change > 0 ? ", improved" : ", unchanged") + "; \(sample)", figures: figures))
                } else {
                    checks.append(Check(label: label, outcome: .notMet,
                                        detail: detail + ", declined, and no reason is recorded (rida report decline --scope \(data.assessment.unit) --channel \(channel) --quarter \(later) --reason …)",
                                        figures: figures))
                }
            }
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 2, 3.2.4

    /// No complaint recurs: no complaint topic (a procedure, a step or a channel, as the complaint names it) appears in
    /// the Tawasul complaints of more than two ended quarters (the guide: recurring is "in more than two periodic
    /// reports"), whatever channel the complaints came through. A recurring topic decides not met. Complaints without a
    /// topic could be further appearances of any topic: the data cannot decide while they could make one recur (their
    /// quarters together with some topic's reach three, or they alone span three quarters).
    static func recurringTopics(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let evidence = data.tawasulImports.map(EvidenceReference.importRecord)
        guard let complaints = data.complaints else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No Tawasul records are imported: rida import --kind tawasul FILE.")
        }
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No quarter of \(data.assessment.cycle) has ended yet.", evidence: evidence)
        }
        let wanted = Set(data.quarters)
        var quartersByTopic: [String: Set<Quarter>] = [:]
        var shownTopic: [String: String] = [:]
        var untopicedQuarters: Set<Quarter> = []
        var untopiced = 0
        var counted = 0
        for complaint in complaints {
            let quarter = data.zone.quarter(at: complaint.receivedAt)
            guard wanted.contains(quarter) else { continue }
            counted += 1
            guard let topic = complaint.topic, !normalizedTopic(topic).isEmpty else {
                untopicedQuarters.insert(quarter)
                untopiced += 1
                continue
            }
            let key = normalizedTopic(topic)
            quartersByTopic[key, default: []].insert(quarter)
            if shownTopic[key] == nil { shownTopic[key] = topic }
        }
        var checks: [Check] = []
        for (key, quarters) in quartersByTopic.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) where quarters.count >= 2 {
            let list = quarters.sorted().map(\.description).joined(separator: ", ")
            checks.append(Check(label: "topic «\(shownTopic[key] ?? key)»",
                                outcome: quarters.count > 2 ? .notMet : .met,
                                detail: "in the complaints of \(quarters.count) quarters (\(list))" + (quarters.count > 2 ? ": recurring" : ": not more than two")))
        }
        checks.append(Check(label: "Tawasul complaints", outcome: .met,
                            detail: "\(counted) complaints in \(data.quarters.map(\.description).joined(separator: ", ")), \(quartersByTopic.count) topics"))
        if untopiced > 0 {
            let list = untopicedQuarters.sorted().map(\.description).joined(separator: ", ")
            let couldRecur = untopicedQuarters.count > 2 || quartersByTopic.values.contains { $0.union(untopicedQuarters).count > 2 }
            let detail = "\(untopiced) complaint\(untopiced == 1 ? " has" : "s have") no procedure or step (in \(list))"
            checks.append(couldRecur
                ? Check(label: "complaints without a topic", outcome: .missingData,
                        detail: detail + ": they could make a topic recur; import them with their topic, or record this criterion by hand")
                : Check(label: "complaints without a topic", outcome: .met,
                        detail: detail + ": whatever their topics, none could appear in more than two quarters"))
        }
        return ComputedVerdict(criterion: id, checks: checks, evidence: evidence)
    }

    /// A topic compared without case, diacritics, tatweel or repeated spaces.
    static func normalizedTopic(_ text: String) -> String {
        let scalars = text.unicodeScalars.filter { s in !(0x064B...0x065F).contains(s.value) && s.value != 0x0640 && s.value != 0x0670 }
        return String(String.UnicodeScalarView(scalars)).lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: Framework 2, 3.2.5

    /// The mean is at least 4 on every channel in the latest ended quarter.
    static func latestMean(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        let quarter = data.quarters.last!
        let centre = data.centre ?? data.assessment.unit
        let checks = data.channels.map { channel in
            let f = Figures(centre: centre, channel: channel, quarter: quarter, counts: data.counts(quarter, channel), previous: nil, policy: data.policy)
            var detail = "\(f.responses) responses, \(f.ratings) ratings, mean " + (f.mean.map { String(format: "%.2f", $0) } ?? "–")
            if let i = f.meanInterval { detail += String(format: " (95%% interval %.2f–%.2f)", i.low, i.high) }
            detail += "; threshold 4"
            if f.responses < data.policy.minimumResponses { detail += "; the minimum sample is \(data.policy.minimumResponses) responses" }
            return Check(label: "\(channel) \(quarter)", outcome: Outcome(f.confidence.meanAtLeast4), detail: detail, figures: f)
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 2, 3.2.7 and 2.3.2

    /// At least 95% of the Tawasul complaints received in the ended quarters were answered within their SLA.
    static func tawasulSLA(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let evidence = data.tawasulImports.map(EvidenceReference.importRecord)
        guard let complaints = data.complaints else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No Tawasul records are imported: rida import --kind tawasul FILE.")
        }
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No quarter of \(data.assessment.cycle) has ended yet.", evidence: evidence)
        }
        let wanted = Set(data.quarters)
        var within = 0, late = 0, open = 0
        for complaint in complaints where wanted.contains(data.zone.quarter(at: complaint.receivedAt)) {
            switch complaint.answeredWithinSLA(at: data.now) {
            case true?: within += 1
            case false?: late += 1
            case nil: open += 1
            }
        }
        let check = rateCheck(label: "Tawasul complaints answered within SLA", within: within, late: late, open: open,
                              percent: 95, openMeaning: "still open and not yet due")
        return ComputedVerdict(criterion: id, checks: [check], evidence: evidence)
    }

    /// At least 85% of the contacts of the ended quarters were answered within three days.
    static func contactsAnswered(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let evidence = data.contactImports.map(EvidenceReference.importRecord)
        guard let contacts = data.contacts, !contacts.isEmpty else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No contact-centre records of \(data.assessment.unit) are imported (rida import --kind contacts FILE): record this criterion from evidence.")
        }
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No quarter of \(data.assessment.cycle) has ended yet.", evidence: evidence)
        }
        let wanted = Set(data.quarters)
        var within = 0, late = 0, open = 0
        for contact in contacts where wanted.contains(data.zone.quarter(at: contact.contactedAt)) {
            switch contact.answeredWithinThreeDays(at: data.now) {
            case true?: within += 1
            case false?: late += 1
            case nil: open += 1
            }
        }
        let check = rateCheck(label: "contacts answered within three days", within: within, late: late, open: open,
                              percent: 85, openMeaning: "unanswered and less than three days old")
        return ComputedVerdict(criterion: id, checks: [check], evidence: evidence)
    }

    /// `within / (within + late) ≥ percent%`, decided exactly on counts.
    static func rateCheck(label: String, within: Int, late: Int, open: Int, percent threshold: Int, openMeaning: String) -> Check {
        let total = within + late
        var detail = "\(within) of \(total)"
        if total > 0 { detail += String(format: " (%.1f%%)", 100 * Double(within) / Double(total)) }
        detail += "; threshold \(threshold)%"
        if open > 0 { detail += "; \(open) \(openMeaning), not counted" }
        if total == 0 { return Check(label: label, outcome: .met, detail: detail + "; none was due") }
        return Check(label: label, outcome: 100 * within >= threshold * total ? .met : .notMet, detail: detail)
    }
}

func percent(_ value: Double?) -> String {
    guard let value else { return "–" }
    return String(format: "%.1f%%", value * 100)
}
