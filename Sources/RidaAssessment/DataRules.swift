import Foundation
import RidaAggregation
import RidaSurvey

/// What a data rule found. Met and not met decide; no data leaves the criterion pending; "for the evaluator" is the
/// data shown as evidence for a criterion the evaluation team decides (guide-notes decisions 10, 11).
public enum Outcome: String, Codable, Sendable {
    case met
    case notMet
    /// Nothing to decide on: no ratings in the period, no quarter ended, nothing imported.
    case missingData
    /// The data is evidence the evaluator weighs; no computed rule decides the criterion.
    case forEvaluator

    /// The verdict this outcome gives: only met and not met decide.
    public var verdict: Verdict {
        switch self {
        case .met: .met
        case .notMet: .notMet
        case .missingData, .forEvaluator: .pending
        }
    }

    public var label: String {
        switch self {
        case .met: "met"
        case .notMet: "not met"
        case .missingData: "no data"
        case .forEvaluator: "for the evaluator"
        }
    }
}

/// One thing a rule checked or shows: the centre over the period, a channel in a quarter, a report, a topic, a rate.
public struct Check: Codable, Sendable, Hashable {
    /// What was checked, such as `website 2026-Q2`.
    public var label: String
    public var outcome: Outcome
    /// The figures it rests on, in a sentence.
    public var detail: String
    /// False for what is shown beside without deciding (the figures per channel and quarter, the diagnosis).
    public var deciding: Bool
    /// The group's figures, where the check rests on survey responses.
    public var figures: Figures?
    /// What an evaluator should weigh beside the verdict (the 95% interval straddles the threshold, a small sample, a
    /// channel without responses). Never changes the outcome.
    public var caution: String?

    public init(label: String, outcome: Outcome, detail: String, deciding: Bool = true, figures: Figures? = nil, caution: String? = nil) {
        self.label = label
        self.outcome = outcome
        self.detail = detail
        self.deciding = deciding
        self.figures = figures
        self.caution = caution
    }
}

/// A criterion's verdict computed from the data (the engine's proposal to the evaluation team), with every check it
/// rests on.
public struct ComputedVerdict: Codable, Sendable, Hashable {
    public var criterion: String
    public var outcome: Outcome
    /// One sentence: what decided.
    public var summary: String
    public var checks: [Check]
    /// The imports the verdict rests on.
    public var evidence: [EvidenceReference]
    /// True while the assessment is open: the verdict rests on the quarters of the period ended so far and may change
    /// with later data. Closing the assessment freezes it (`final`).
    public var provisional: Bool
    /// The quarters of the period the verdict rests on.
    public var quarters: [Quarter]

    /// The verdict it proposes: met and not met decide, the others leave the criterion pending.
    public var verdict: Verdict { outcome.verdict }

    /// The outcome in words, `met (provisional)` while the assessment is open.
    public var label: String { provisional ? "\(outcome.label) (provisional)" : outcome.label }

    /// The cautions of its checks, deciding ones first.
    public var cautions: [String] {
        (checks.filter(\.deciding) + checks.filter { !$0.deciding }).compactMap { check in check.caution.map { "\(check.label): \($0)" } }
    }

    /// Combines checks, unless `outcome` is given: one not met decides; otherwise no data leaves it open; met when every
    /// deciding check is met. Without a deciding check the outcome is no data.
    public init(criterion: String, checks: [Check], summary: String? = nil, evidence: [EvidenceReference] = [],
                outcome given: Outcome? = nil, quarters: [Quarter] = []) {
        self.criterion = criterion
        self.checks = checks
        self.evidence = evidence
        self.provisional = false
        self.quarters = quarters
        let deciding = checks.filter(\.deciding).map(\.outcome)
        let outcome: Outcome
        if let given {
            outcome = given
        } else if deciding.isEmpty {
            outcome = .missingData
        } else if deciding.contains(.notMet) {
            outcome = .notMet
        } else if deciding.contains(.missingData) {
            outcome = .missingData
        } else if deciding.contains(.forEvaluator) {
            outcome = .forEvaluator
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
    /// The centre's counts per quarter and channel: the period's quarters and the quarter before it (framework 2's
    /// 3.2.3 compares the first quarter with the one before, across the year boundary).
    public var counts: [Quarter: [String: Counts]]
    /// The local days on which a display bound to the centre served Rida's live page (evidence for framework 1's 2.3.5).
    public var liveDisplayDays: [CivilDate]
    /// Quarterly reports saved for the entity or its remote centre (framework 2, 3.2.2).
    public var reports: [SavedReport]
    /// Reasons recorded for declines and unchanged figures (framework 2, 3.2.3).
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

    /// The quarters the rules look at: those of the assessment period that have ended (once closed, those it was
    /// closed on).
    public var quarters: [Quarter] { assessment.endedQuarters(at: now, zone: zone) }

    func counts(_ quarter: Quarter, _ channel: String) -> Counts { counts[quarter]?[channel] ?? .zero }

    /// The channels to show: the registered ones, then any other the centre has responses on.
    var shownChannels: [String] {
        var seen = Set(channels)
        var extra: [String] = []
        for quarter in quarters {
            for channel in (counts[quarter] ?? [:]).keys.sorted() where !seen.contains(channel) {
                seen.insert(channel)
                extra.append(channel)
            }
        }
        return channels + extra
    }

    /// The centre's counts over the ended quarters of the period, every channel together.
    var periodCounts: Counts {
        var all = Counts.zero
        for quarter in quarters {
            for counts in (counts[quarter] ?? [:]).values { all.add(counts) }
        }
        return all
    }

    /// The ended quarters in words: `2026-Q1–2026-Q3`, or the one quarter.
    var quartersText: String {
        guard let first = quarters.first, let last = quarters.last else { return "no quarter" }
        return first == last ? first.description : "\(first)–\(last)"
    }
}

/// The guide's criteria that Rida decides from its data, and the data it shows for criteria the evaluator decides.
/// Pure: data in, verdicts with their figures out.
public enum DataRules {
    /// The criteria decided from evidence for which the sheet shows data (guide-notes decision 11): the coverage of
    /// each channel for framework 1's 2.3.1 and framework 2's 3.2.1, the live display's days for framework 1's 2.3.5.
    static let evidenceShown: Set<RuleKey> = [
        RuleKey(framework: .headquarters, id: "2.3.1"), RuleKey(framework: .headquarters, id: "2.3.5"),
        RuleKey(framework: .remote, id: "3.2.1"),
    ]

    /// The computed verdict of `criterion` (or, for 2.3.1, 2.3.5 and 3.2.1, the data shown to the evaluator), nil when
    /// it is decided from evidence alone. While the assessment is open the verdict is provisional, on the quarters of
    /// its period ended so far.
    public static func evaluate(_ criterion: Criterion, _ data: AssessmentData) -> ComputedVerdict? {
        let key = RuleKey(framework: criterion.framework, id: criterion.id)
        guard criterion.decidedBy == .data || evidenceShown.contains(key) else { return nil }
        guard var verdict = rule(criterion, data) else { return nil }
        verdict.quarters = data.quarters
        if !data.assessment.isClosed {
            verdict.provisional = true
            let remaining = data.assessment.quarters.count - data.quarters.count
            if remaining > 0, !data.quarters.isEmpty, verdict.outcome == .met || verdict.outcome == .notMet {
                verdict.summary += " Provisional: on \(data.quartersText), \(remaining) quarter\(remaining == 1 ? "" : "s") of the period \(data.assessment.period) still to end."
            }
        }
        return verdict
    }

    struct RuleKey: Hashable {
        var framework: Framework
        var id: String
    }

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
    static func surveyPreconditions(_ id: String, _ data: AssessmentData, needChannels: Bool = true) -> ComputedVerdict? {
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no quarter of the period \(data.assessment.period) has ended yet.")
        }
        guard let centre = data.centre else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: the entity \(data.assessment.unit) has no remote centre registered (rida centres add ID --entity \(data.assessment.unit) --kind remote --channels …).")
        }
        if needChannels, data.channels.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: the channels of \(centre) are not registered (rida centres add \(centre) --channels …).")
        }
        return nil
    }

    /// The cautions an evaluator reads beside a threshold's verdict: the 95% interval straddling the threshold, and a
    /// sample below the configured minimum. They never change the verdict (guide-notes decision 10).
    static func caution(responses: Int, interval: Interval?, threshold: Double, policy: ThresholdPolicy, asPercent: Bool) -> String? {
        var parts: [String] = []
        if let interval, interval.straddles(threshold) {
            parts.append(asPercent
                ? "the 95% interval \(percent(interval.low))–\(percent(interval.high)) straddles \(percent(threshold))"
                : String(format: "the 95%% interval %.2f–%.2f straddles %.0f", interval.low, interval.high, threshold))
        }
        if responses > 0, responses < policy.minimumResponses {
            parts.append("small sample: \(responses) response\(responses == 1 ? "" : "s"), below the configured minimum of \(policy.minimumResponses)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: Framework 1, 2.3.1 and framework 2, 3.2.1 (the evaluator decides)

    /// Shows, for each channel, its responses in each ended quarter of the period and the ratings of the employee (q1),
    /// the service (q2, q3) and the channel (q4); with `earlyStages`, those given before or during the service. Channels
    /// without any response are flagged. Appendix 2 asks for a permanent mechanism, guidance inviting customers to rate
    /// and proof of periodic analysis, and the mechanism may live outside Rida: the evaluator decides.
    static func coverage(_ id: String, _ data: AssessmentData, earlyStages: Bool) -> ComputedVerdict {
        let ask = earlyStages
            ? "a clear mechanism on every remote channel, available from the early stages (Tawasul's preferred)"
            : "a permanent mechanism on every channel, guidance inviting customers to rate and proof of periodic analysis (appendix 2)"
        if let stop = surveyPreconditions(id, data) {
            return ComputedVerdict(criterion: id, checks: [], summary: "For the evaluator: the guide asks for \(ask). \(stop.summary)", outcome: .forEvaluator)
        }
        var checks: [Check] = []
        var silent: [String] = []
        var gaps: [String] = []
        for channel in data.shownChannels {
            var perQuarter: [String] = []
            var total = Counts.zero
            var empty: [Quarter] = []
            for quarter in data.quarters {
                let c = data.counts(quarter, channel)
                total.add(c)
                perQuarter.append("\(quarter) \(c.responses)")
                if c.responses == 0 { empty.append(quarter) }
            }
            var detail = "responses " + perQuarter.joined(separator: ", ")
            detail += "; ratings of the employee \(total.answers(0)), the service \(total.answers(1) + total.answers(2)), the channel \(total.answers(3))"
            if earlyStages { detail += "; given before \(total.stages[0]), during \(total.stages[1]), after \(total.stages[2]) the service" }
            var caution: String?
            if total.responses == 0 {
                silent.append(channel)
                caution = "no responses in Rida in \(data.quartersText): ask for this channel's own mechanism and its results"
            } else if !empty.isEmpty {
                gaps.append(channel)
                caution = "no responses in \(empty.map(\.description).joined(separator: ", "))"
            } else if earlyStages, total.stages[0] + total.stages[1] == 0 {
                caution = "none given before or during the service"
            }
            if !data.channels.contains(channel) {
                caution = [caution, "not a registered channel of \(data.centre ?? data.assessment.unit)"].compactMap { $0 }.joined(separator: "; ")
            }
            checks.append(Check(label: channel, outcome: .forEvaluator, detail: detail, deciding: false, caution: caution))
        }
        var summary = "For the evaluator: the guide asks for \(ask), which may live outside Rida. In Rida, \(data.quartersText): "
        let covered = data.shownChannels.count - silent.count - gaps.count
        summary += "\(covered) of \(data.shownChannels.count) channel\(data.shownChannels.count == 1 ? " has" : "s have") responses in every ended quarter"
        if !gaps.isEmpty { summary += "; some quarters without any on \(gaps.joined(separator: ", "))" }
        if !silent.isEmpty { summary += "; none at all on \(silent.joined(separator: ", "))" }
        return ComputedVerdict(criterion: id, checks: checks, summary: summary + ".", outcome: .forEvaluator)
    }

    // MARK: Framework 1, 2.3.2 and 2.3.3

    /// "At least k in 80% of the questions" for the assessed centre on all its ratings in the ended quarters of the
    /// period, every channel together, under the configured reading, decided exactly on counts (5·hits ≥ 4·total: «لا يقل
    /// عن» 80%, so exactly 80% meets). The figures per channel and quarter are the diagnosis shown beside, never the
    /// verdict; the 95% interval and a small sample are cautions. No rating in the period: no data.
    static func shares(_ id: String, _ data: AssessmentData, atLeast k: Int) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data, needChannels: false) { return stop }
        let centre = data.centre ?? data.assessment.unit
        let last = data.quarters.last!
        let period = Figures(centre: centre, channel: nil, quarter: last, counts: data.periodCounts, previous: nil, policy: data.policy)
        var checks = [shareCheck("\(centre), all channels, \(data.quartersText)", period, counts: data.periodCounts, k: k,
                                 policy: data.policy, deciding: true)]
        for channel in data.shownChannels {
            for quarter in data.quarters {
                let counts = data.counts(quarter, channel)
                let figures = Figures(centre: centre, channel: channel, quarter: quarter, counts: counts, previous: nil, policy: data.policy)
                checks.append(shareCheck("\(channel) \(quarter)", figures, counts: counts, k: k, policy: data.policy, deciding: false))
            }
        }
        let verdict = checks[0]
        let summary: String
        switch verdict.outcome {
        case .missingData: summary = "No data: \(centre) has no ratings in \(data.quartersText)."
        default:
            let weak = checks.dropFirst().filter { $0.outcome == .notMet }.map(\.label)
            summary = "\(verdict.outcome == .met ? "Met" : "Not met"): \(verdict.detail)."
                + (weak.isEmpty ? "" : " Below 80% on its own (diagnosis, not the verdict): \(weak.prefix(6).joined(separator: ", "))\(weak.count > 6 ? ", …" : "").")
        }
        return ComputedVerdict(criterion: id, checks: checks, summary: summary)
    }

    static func shareCheck(_ label: String, _ f: Figures, counts: Counts, k: Int, policy: ThresholdPolicy, deciding: Bool) -> Check {
        let met = k == 3 ? f.thresholds.atLeast3In80Percent : f.thresholds.atLeast4In80Percent
        guard let met else {
            return Check(label: label, outcome: .missingData, detail: "\(f.responses) responses, no ratings", deciding: deciding, figures: f)
        }
        let hits = counts.ratings(atLeast: k)
        let ratingsShare = k == 3 ? f.share3 : f.share4
        let questionsShare = k == 3 ? f.questionShare3 : f.questionShare4
        let ratingsText = "ratings of \(k) or more: \(hits) of \(f.ratings), \(percent(ratingsShare))"
        let questionsText = "questions with a mean of \(k) or more: \(percent(questionsShare))"
        var detail = "\(f.responses) responses, \(f.ratings) ratings; "
        switch policy.reading {
        case .ratings: detail += ratingsText + " (questions reading: \(percent(questionsShare)))"
        case .questions: detail += questionsText + " (ratings reading: \(percent(ratingsShare)))"
        }
        detail += "; threshold not less than 80%, \(policy.reading.rawValue) reading"
        let interval = k == 3 ? f.share3Interval : f.share4Interval
        let caution = DataRules.caution(responses: f.responses, interval: policy.reading == .ratings ? interval : nil, threshold: 0.8,
                              policy: policy, asPercent: true)
        return Check(label: label, outcome: met ? .met : .notMet, detail: detail, deciding: deciding, figures: f, caution: caution)
    }

    // MARK: Framework 1, 2.3.5 (the evaluator decides)

    /// Shows the days of the period on which a display bound to the centre served Rida's live page. The criterion («بصفة
    /// فورية في مقر المركز») is the evaluator's, by field visit or mystery shopping: a centre may show its satisfaction
    /// live with another system, so Rida's display not being used never makes it not met.
    static func liveDisplay(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let wanted = Set(data.assessment.quarters)
        let days = data.liveDisplayDays.filter { wanted.contains(Quarter(year: $0.year, number: ($0.month - 1) / 3 + 1)) }.sorted()
        let label = "Rida's live display, \(data.assessment.period)"
        let check: Check
        let summary: String
        if let first = days.first, let last = days.last {
            let detail = "a display bound to \(data.centre ?? data.assessment.unit) served the live page on \(days.count) day\(days.count == 1 ? "" : "s"), from \(first.iso8601) to \(last.iso8601)"
            check = Check(label: label, outcome: .forEvaluator, detail: detail, deciding: false)
            summary = "For the evaluator (field visit, mystery shopping): \(detail)."
        } else {
            let detail = "no display bound to \(data.centre ?? data.assessment.unit) served Rida's live page in the period"
            check = Check(label: label, outcome: .forEvaluator, detail: detail, deciding: false)
            summary = "For the evaluator (field visit, mystery shopping): \(detail); the centre may show its satisfaction live with another system."
        }
        return ComputedVerdict(criterion: id, checks: [check], summary: summary, outcome: .forEvaluator)
    }

    // MARK: Framework 2, 3.2.2

    /// Every ended quarter of the cycle has a submitted or published report with its decisions and actions recorded.
    static func quarterlyReports(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no quarter of the period \(data.assessment.period) has ended yet.")
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

    /// On every channel, satisfaction (the mean of its ratings) improved between successive quarters, or the reason is
    /// recorded: the guide asks for improvement «أو توضيح الأسباب». An unchanged mean is no improvement and needs its
    /// reason too. The first quarter of the period is compared with the quarter before it, across the year boundary
    /// (2026-Q1 with 2025-Q4). Means are compared exactly on counts; a small sample is a caution, never a verdict.
    static func improvement(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        let centre = data.centre ?? data.assessment.unit
        let scopes: Set<String> = [data.assessment.unit, centre]
        let first = data.quarters.first!
        var checks: [Check] = []
        for channel in data.channels {
            for later in data.quarters {
                let earlier = later.previous
                let before = data.counts(earlier, channel)
                let now = data.counts(later, channel)
                let figures = Figures(centre: centre, channel: channel, quarter: later, counts: now, previous: before, policy: data.policy)
                let label = "\(channel) \(earlier)→\(later)"
                guard before.ratings > 0, now.ratings > 0 else {
                    let missing = now.ratings == 0 ? later : earlier
                    // Before the period, a quarter without ratings leaves nothing to compare: shown, not deciding.
                    checks.append(Check(label: label, outcome: .missingData, detail: "no ratings in \(missing) to compare",
                                        deciding: later != first || now.ratings == 0, figures: figures))
                    continue
                }
                let was = Double(before.scoreSum) / Double(before.ratings)
                let mean = Double(now.scoreSum) / Double(now.ratings)
                // later > earlier exactly: sum₂·n₁ against sum₁·n₂.
                let order = now.scoreSum * before.ratings - before.scoreSum * now.ratings
                let detail = String(format: "mean %.2f → %.2f", was, mean) + " (\(before.ratings) and \(now.ratings) ratings)"
                let caution = [before.responses, now.responses].contains { $0 > 0 && $0 < data.policy.minimumResponses }
                    ? "small sample: \(before.responses) and \(now.responses) responses, the configured minimum is \(data.policy.minimumResponses)" : nil
                let reason = data.declines.last { scopes.contains($0.scope) && $0.quarter == later && ($0.channel == nil || $0.channel == channel) }
                let change = order < 0 ? "declined" : "unchanged"
                if order > 0 {
                    checks.append(Check(label: label, outcome: .met, detail: detail + ", improved", figures: figures, caution: caution))
                } else if let reason {
                    checks.append(Check(label: label, outcome: .met, detail: detail + ", \(change); reason recorded by \(reason.who): \(reason.reason)",
                                        figures: figures, caution: caution))
                } else {
                    checks.append(Check(label: label, outcome: .notMet,
                                        detail: detail + ", \(change) and no reason is recorded (rida report decline --scope \(data.assessment.unit) --channel \(channel) --quarter \(later) --reason …)",
                                        figures: figures, caution: caution))
                }
            }
        }
        if !checks.contains(where: \.deciding) {
            return ComputedVerdict(criterion: id, checks: checks, summary: "No data: \(data.quartersText) has no ratings to compare with the quarter before.")
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 2, 3.2.4

    /// No complaint recurs («لا ترد ملاحظات أو شكاوى متكررة … وتعتبر متكررة في حال ورودها في أكثر من تقريرين دوريين»): no
    /// topic (a procedure, a step or a channel, as the record names it) appears in the Tawasul records of more than two
    /// quarters, whatever channel they came through. The two quarters before the first ended quarter of the period are
    /// looked back on, across the year boundary: a topic in 2025-Q4, 2026-Q1 and 2026-Q2 recurs in 2026. A recurring topic
    /// decides not met; Tawasul alone never makes it met (other sources, survey comments among them, are for the evaluator
    /// to confirm), so without a recurrence the outcome is "for the evaluator". Records without a topic could be further
    /// appearances of any topic: no data while they could make one recur.
    static func recurringTopics(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let evidence = data.tawasulImports.map(EvidenceReference.importRecord)
        guard let complaints = data.complaints else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no Tawasul records are imported (rida import --kind tawasul FILE).")
        }
        guard let first = data.quarters.first else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no quarter of the period \(data.assessment.period) has ended yet.", evidence: evidence)
        }
        let period = Set(data.quarters)
        let window = Set([first.previous.previous, first.previous] + data.quarters)
        var quartersByTopic: [String: Set<Quarter>] = [:]
        var shownTopic: [String: String] = [:]
        var untopicedQuarters: Set<Quarter> = []
        var untopiced = 0
        var counted = 0
        for complaint in complaints where complaint.countsForRecurrence {
            let quarter = data.zone.quarter(at: complaint.receivedAt)
            guard window.contains(quarter) else { continue }
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
        var recurring = false
        for (key, quarters) in quartersByTopic.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) where quarters.count >= 2 {
            let list = quarters.sorted().map(\.description).joined(separator: ", ")
            let recurs = quarters.count > 2 && !quarters.isDisjoint(with: period)
            recurring = recurring || recurs
            checks.append(Check(label: "topic «\(shownTopic[key] ?? key)»",
                                outcome: recurs ? .notMet : .forEvaluator,
                                detail: "in the records of \(quarters.count) quarters (\(list))" + (recurs ? ": recurring" : quarters.count > 2 ? ": before the period" : ": not more than two")))
        }
        let windowText = "\(first.previous.previous)–\(data.quarters.last!)"
        checks.append(Check(label: "Tawasul complaints and remarks", outcome: .forEvaluator,
                            detail: "\(counted) in \(windowText) (the period's ended quarters and the two before), \(quartersByTopic.count) topics",
                            deciding: false))
        if untopiced > 0 {
            let list = untopicedQuarters.sorted().map(\.description).joined(separator: ", ")
            let couldRecur = untopicedQuarters.count > 2 || quartersByTopic.values.contains { $0.union(untopicedQuarters).count > 2 }
            let detail = "\(untopiced) record\(untopiced == 1 ? " has" : "s have") no procedure or step (in \(list))"
            checks.append(couldRecur
                ? Check(label: "records without a topic", outcome: .missingData,
                        detail: detail + ": they could make a topic recur; import them with their topic, or record this criterion by hand")
                : Check(label: "records without a topic", outcome: .forEvaluator,
                        detail: detail + ": whatever their topics, none could appear in more than two quarters", deciding: false))
        }
        if recurring {
            return ComputedVerdict(criterion: id, checks: checks, evidence: evidence)
        }
        if checks.contains(where: { $0.deciding && $0.outcome == .missingData }) {
            return ComputedVerdict(criterion: id, checks: checks, evidence: evidence)
        }
        return ComputedVerdict(criterion: id, checks: checks,
                               summary: "For the evaluator: no topic recurs in Tawasul's complaints and remarks (\(counted) in \(windowText)); met needs the evaluator's confirmation that other sources, survey comments among them, show no recurrence.",
                               evidence: evidence, outcome: .forEvaluator)
    }

    /// A topic compared without case, diacritics, tatweel or repeated spaces.
    static func normalizedTopic(_ text: String) -> String {
        let scalars = text.unicodeScalars.filter { s in !(0x064B...0x065F).contains(s.value) && s.value != 0x0640 && s.value != 0x0670 }
        return String(String.UnicodeScalarView(scalars)).lowercased()
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    // MARK: Framework 2, 3.2.5

    /// Satisfaction «لا يقل عن 4 من 5» on every remote channel «بحسب آخر تقارير»: the mean of all ratings on each channel
    /// in the latest ended quarter, decided exactly on counts (sum ≥ 4·ratings, so a mean of exactly 4 meets). A channel
    /// without ratings in that quarter leaves the criterion pending, no data; the 95% interval and a small sample are
    /// cautions.
    static func latestMean(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        if let stop = surveyPreconditions(id, data) { return stop }
        let quarter = data.quarters.last!
        let centre = data.centre ?? data.assessment.unit
        let checks = data.channels.map { channel -> Check in
            let c = data.counts(quarter, channel)
            let f = Figures(centre: centre, channel: channel, quarter: quarter, counts: c, previous: nil, policy: data.policy)
            guard let met = f.thresholds.meanAtLeast4, let mean = f.mean else {
                return Check(label: "\(channel) \(quarter)", outcome: .missingData, detail: "\(f.responses) responses, no ratings", figures: f)
            }
            let detail = "\(f.responses) responses, \(f.ratings) ratings summing to \(c.scoreSum), mean " + String(format: "%.2f", mean)
                + "; threshold not less than 4"
            let caution = DataRules.caution(responses: f.responses, interval: f.meanInterval, threshold: 4, policy: data.policy, asPercent: false)
            return Check(label: "\(channel) \(quarter)", outcome: met ? .met : .notMet, detail: detail, figures: f, caution: caution)
        }
        return ComputedVerdict(criterion: id, checks: checks)
    }

    // MARK: Framework 2, 3.2.7 and 2.3.2

    /// At least 95% of «شكاوى العملاء» received through Tawasul in the ended quarters were answered within their SLA: complaints
    /// only (not suggestions, inquiries or thanks), due by the export's own due date when it has one, else `sla_days`
    /// calendar days after receipt.
    static func tawasulSLA(_ id: String, _ data: AssessmentData) -> ComputedVerdict {
        let evidence = data.tawasulImports.map(EvidenceReference.importRecord)
        guard let complaints = data.complaints else {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no Tawasul records are imported (rida import --kind tawasul FILE).")
        }
        if data.quarters.isEmpty {
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no quarter of the period \(data.assessment.period) has ended yet.", evidence: evidence)
        }
        let wanted = Set(data.quarters)
        var within = 0, late = 0, open = 0
        for complaint in complaints where complaint.type == .complaint && wanted.contains(data.zone.quarter(at: complaint.receivedAt)) {
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
            return ComputedVerdict(criterion: id, checks: [], summary: "No data: no quarter of the period \(data.assessment.period) has ended yet.", evidence: evidence)
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
