import RidaAggregation
import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing

/// `n` responses, each rating q1 to q4 with `score`, given at `stage` (none when nil).
func rated(_ n: Int, _ score: Int, stage: Stage? = nil) -> Counts {
    var scores = Array(repeating: [0, 0, 0, 0, 0], count: 4)
    for q in 0..<4 { scores[q][score - 1] = n }
    var stages = [0, 0, 0]
    switch stage {
    case .before: stages[0] = n
    case .during: stages[1] = n
    case .after: stages[2] = n
    case nil: break
    }
    return Counts(responses: n, scores: scores, stages: stages)
}

let quarters2026 = (1...4).map { Quarter(year: 2026, number: $0) }
let afterCycle = instant("2027-01-10T12:00:00+03:00")

let quarter2025Q4 = Quarter(year: 2025, number: 4)

func centreAssessment() -> Assessment {
    Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: instant("2026-12-01T09:00:00+03:00"), openedBy: "Evaluator")
}

func entityAssessment() -> Assessment {
    Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: instant("2026-12-01T09:00:00+03:00"), openedBy: "Evaluator")
}

/// The same counts on every channel in every quarter of 2026.
func everyQuarter(_ counts: Counts, channels: [String]) -> [Quarter: [String: Counts]] {
    Dictionary(uniqueKeysWithValues: quarters2026.map { q in (q, Dictionary(uniqueKeysWithValues: channels.map { ($0, counts) })) })
}

func rule(_ framework: Framework, _ id: String, _ data: AssessmentData) throws -> ComputedVerdict {
    let criterion = try #require(Catalogue.standard[framework].criterion(id))
    return try #require(DataRules.evaluate(criterion, data))
}

/// Framework 1's 2.3.2 and 2.3.3 (guide-notes decisions 9, 10): the guide's «يحصل على تقييم لا يقل عن 4 في 80% من أسئلة
/// استبيان رضا العملاء» speaks of the centre and of the survey's questions, not of channels or quarters: the verdict is
/// the centre's, on all its ratings of the period, every channel together; «لا يقل عن» means exactly 80% meets.
@Suite struct SatisfactionShareTests {
    func data(_ counts: [Quarter: [String: Counts]], channels: [String] = ["counter", "kiosk"]) -> AssessmentData {
        AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: channels, counts: counts)
    }

    @Test func aCentreAt83PercentWithOneWeakKioskQuarterMeets2_3_3() throws {
        // Every channel-quarter: 100 responses, 85 rating 5 and 15 rating 2 (85% of ratings are 4 or more), except the
        // kiosk in Q3: 70 rating 5 and 30 rating 2 (70%). The year: 800 responses, 3200 ratings, of which
        // 4 × (7 × 85 + 70) = 2660 are 4 or more: 83.125%; 5 × 2660 = 13300 ≥ 4 × 3200 = 12800, met.
        var counts = everyQuarter(rated(85, 5) + rated(15, 2), channels: ["counter", "kiosk"])
        counts[quarters2026[2]]!["kiosk"] = rated(70, 5) + rated(30, 2)
        let verdict = try rule(.headquarters, "2.3.3", data(counts))
        #expect(verdict.outcome == .met)
        #expect(verdict.verdict == .met)
        let deciding = verdict.checks.filter(\.deciding)
        #expect(deciding.map(\.label) == ["C01, all channels, 2026-Q1–2026-Q4"])
        #expect(deciding[0].detail.contains("ratings of 4 or more: 2660 of 3200, 83.1%"))
        // The weak quarter is the diagnosis shown beside: 280 of 400 ratings, 70%.
        let weak = try #require(verdict.checks.first { $0.label == "kiosk 2026-Q3" })
        #expect(!weak.deciding && weak.outcome == .notMet)
        #expect(weak.detail.contains("280 of 400, 70.0%"))
        #expect(verdict.summary.contains("Below 80% on its own (diagnosis, not the verdict): kiosk 2026-Q3"))
        #expect(verdict.checks.filter { !$0.deciding }.count == 8)  // 2 channels × 4 quarters
    }

    @Test func exactly80PercentMeetsAndTheIntervalIsOnlyACaution() throws {
        // Each quarter 24 responses rating 4 and 6 rating 1 on the counter: over the year 384 of 480 ratings are 4 or
        // more, exactly 80%: 5 × 384 = 1920 = 4 × 480, «لا يقل عن» 80%, met (it was "inconclusive" before).
        let counts = everyQuarter(rated(24, 4) + rated(6, 1), channels: ["counter"])
        let verdict = try rule(.headquarters, "2.3.3", data(counts, channels: ["counter"]))
        #expect(verdict.outcome == .met)
        let check = verdict.checks[0]
        #expect(check.figures?.share4 == 0.8)
        #expect(check.detail.contains("384 of 480, 80.0%"))
        #expect(check.caution?.contains("straddles 80.0%") == true)
        #expect(verdict.cautions.first?.hasPrefix("C01, all channels, 2026-Q1–2026-Q4: the 95% interval") == true)
    }

    @Test func seventyNinePointNinePercentIsNotMet() throws {
        // 1000 responses in Q1 rating only q1: 799 rate it 5 and 201 rate it 1. 799 of 1000 = 79.9%:
        // 5 × 799 = 3995 < 4 × 1000 = 4000, not met, whatever the interval (which straddles 80%).
        var c = Counts(responses: 1000)
        c.scores[0] = [201, 0, 0, 0, 799]
        let verdict = try rule(.headquarters, "2.3.3", data([quarters2026[0]: ["counter": c]], channels: ["counter"]))
        #expect(verdict.outcome == .notMet)
        #expect(verdict.verdict == .notMet)
        #expect(verdict.checks[0].detail.contains("799 of 1000, 79.9%"))
        #expect(verdict.checks[0].caution?.contains("straddles") == true)
    }

    @Test func aCentreWithoutRatingsInThePeriodIsPendingNoData() throws {
        let verdict = try rule(.headquarters, "2.3.2", data([:], channels: ["counter"]))
        #expect(verdict.outcome == .missingData)
        #expect(verdict.verdict == .pending)
        #expect(verdict.label == "no data (provisional)")
        #expect(verdict.summary == "No data: C01 has no ratings in 2026-Q1–2026-Q4.")
    }

    @Test func aSmallSampleDecidesWithACaution() throws {
        // 10 responses in the whole year, all rating 5: 40 of 40 ratings ≥ 3, met; 10 is below the minimum of 30.
        let verdict = try rule(.headquarters, "2.3.2", data([quarters2026[1]: ["kiosk": rated(10, 5)]]))
        #expect(verdict.outcome == .met)
        #expect(verdict.checks[0].caution == "small sample: 10 responses, below the configured minimum of 30")
    }

    @Test func atLeast4ReadsTheSharesOf4And5() throws {
        let counts = everyQuarter(rated(40, 3), channels: ["counter"])
        #expect(try rule(.headquarters, "2.3.2", data(counts, channels: ["counter"])).outcome == .met)
        #expect(try rule(.headquarters, "2.3.3", data(counts, channels: ["counter"])).outcome == .notMet)
    }

    @Test func theQuestionsReadingDecidesOnQuestionMeans() throws {
        // q1 to q3 rated 5, q4 rated 1 by all: 3 of 4 questions (75%) have a mean of 3 or more.
        var c = rated(400, 5)
        c.scores[3] = [400, 0, 0, 0, 0]
        var d = data(everyQuarter(c, channels: ["counter"]), channels: ["counter"])
        d.policy = ThresholdPolicy(reading: .questions)
        let questions = try rule(.headquarters, "2.3.2", d)
        #expect(questions.outcome == .notMet)
        #expect(questions.checks[0].detail.contains("questions with a mean of 3 or more: 75.0% (ratings reading: 75.0%)"))
        d.policy = ThresholdPolicy(reading: .ratings)  // 4800 of 6400 ratings ≥ 3: 75%
        #expect(try rule(.headquarters, "2.3.2", d).outcome == .notMet)
    }

    @Test func unregisteredChannelsCountAndOnlyEndedQuartersAreRead() throws {
        // All the centre's ratings count, on channels the registry has yet to list too.
        let none = try rule(.headquarters, "2.3.2", data(everyQuarter(rated(40, 5), channels: ["counter"]), channels: []))
        #expect(none.outcome == .met)
        var early = data(everyQuarter(rated(40, 5), channels: ["counter"]), channels: ["counter"])
        early.now = instant("2026-03-20T10:00:00+03:00")
        #expect(try rule(.headquarters, "2.3.2", early).outcome == .missingData)
        // In July only Q1 and Q2 have ended: they are the ones read.
        early.now = instant("2026-07-02T10:00:00+03:00")
        let mid = try rule(.headquarters, "2.3.2", early)
        #expect(mid.checks.map(\.label) == ["C01, all channels, 2026-Q1–2026-Q2", "counter 2026-Q1", "counter 2026-Q2"])
        #expect(mid.quarters == [quarters2026[0], quarters2026[1]])
    }
}

/// Framework 1's 2.3.1 and framework 2's 3.2.1 (decision 11): the mechanism may live outside Rida; the sheet shows
/// each channel's responses per quarter and the evaluator decides.
@Suite struct CoverageTests {
    @Test func coverageIsShownAndLeftToTheEvaluator() throws {
        var counts = everyQuarter(rated(3, 4), channels: ["counter", "kiosk"])
        let d = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter", "kiosk", "tablet"], counts: counts)
        let shown = try rule(.headquarters, "2.3.1", d)
        #expect(shown.outcome == .forEvaluator)
        #expect(shown.verdict == .pending)
        #expect(shown.checks.allSatisfy { !$0.deciding })
        #expect(shown.checks[0].detail.hasPrefix("responses 2026-Q1 3, 2026-Q2 3, 2026-Q3 3, 2026-Q4 3; ratings of the employee 12, the service 24, the channel 12"))
        // The tablet has no response in Rida: flagged, not failed (it may have its own mechanism).
        #expect(shown.checks[2].caution?.hasPrefix("no responses in Rida in 2026-Q1–2026-Q4") == true)
        #expect(shown.summary.contains("2 of 3 channels have responses in every ended quarter; none at all on tablet"))

        counts[quarters2026[3]]!["kiosk"] = nil
        var gap = d
        gap.counts = counts
        let partial = try rule(.headquarters, "2.3.1", gap)
        #expect(partial.outcome == .forEvaluator)
        #expect(partial.checks[1].caution == "no responses in 2026-Q4")
        #expect(partial.summary.contains("some quarters without any on kiosk"))
    }

    @Test func remoteCoverageShowsTheStagesResponsesWereGivenAt() throws {
        let after = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"],
                                   counts: everyQuarter(rated(10, 4, stage: .after), channels: ["website"]))
        let shown = try rule(.remote, "3.2.1", after)
        #expect(shown.outcome == .forEvaluator)
        #expect(shown.checks[0].detail.hasSuffix("given before 0, during 0, after 40 the service"))
        #expect(shown.checks[0].caution == "none given before or during the service")
    }

    @Test func anEntityWithoutARemoteCentreIsStillTheEvaluators() throws {
        let d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: nil, channels: [])
        let verdict = try rule(.remote, "3.2.1", d)
        #expect(verdict.outcome == .forEvaluator)
        #expect(verdict.summary.contains("no remote centre"))
    }

    @Test func recordingTheEvaluatorsVerdictNeedsNoOverrideNote() throws {
        let criterion = try #require(Catalogue.standard[.headquarters].criterion("2.3.1"))
        #expect(criterion.decidedBy == .evidence)
        let entry = HistoryEntry(assessment: "C01-2026", criterion: "2.3.1", verdict: .met, evaluator: "E", at: afterCycle, mechanism: .fieldVisit)
        #expect(entry.problems(for: criterion, previous: nil).isEmpty)
    }
}

/// Framework 1's 2.3.5 (decision 11): «بصفة فورية في مقر المركز» is checked by field visit or mystery shopping.
@Suite struct LiveDisplayTests {
    @Test func theDisplayDaysAreEvidenceAndNeverMakeItNotMet() throws {
        var d = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter"])
        let unused = try rule(.headquarters, "2.3.5", d)
        #expect(unused.outcome == .forEvaluator)  // not "not met": the centre may show it with another system
        #expect(unused.verdict == .pending)
        #expect(unused.summary.contains("no display bound to C01 served Rida's live page in the period"))
        d.liveDisplayDays = [CivilDate(year: 2025, month: 12, day: 31)]  // before the period
        #expect(try rule(.headquarters, "2.3.5", d).summary.contains("no display bound"))
        d.liveDisplayDays = [CivilDate(year: 2026, month: 5, day: 3), CivilDate(year: 2026, month: 9, day: 1)]
        let used = try rule(.headquarters, "2.3.5", d)
        #expect(used.outcome == .forEvaluator)  // not "met" either: the evaluator sees the display at the centre
        #expect(used.summary.contains("served the live page on 2 days, from 2026-05-03 to 2026-09-01"))
    }

    @Test func theEvaluatorsVerdictDecides() throws {
        let d = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter"],
                               liveDisplayDays: [CivilDate(year: 2026, month: 5, day: 3)])
        let history = [HistoryEntry(sequence: 1, assessment: "C01-2026", criterion: "2.3.5", verdict: .met, evaluator: "E", at: afterCycle,
                                    note: "Screen at the entrance shows today's figures", mechanism: .fieldVisit)]
        let sheet = AssessmentSheet(assessment: d.assessment, history: history, data: d, now: afterCycle)
        let line = try #require(sheet.line("2.3.5"))
        #expect(line.verdict == .met && !line.overridden)
        #expect(line.computed?.outcome == .forEvaluator)
    }
}

@Suite struct QuarterlyReportTests {
    func report(_ id: Int64, _ quarter: Int, _ status: ReportStatus, actions: Int) -> SavedReport {
        let time = instant("2026-12-01T10:00:00+03:00")
        return SavedReport(id: id, scope: "E01", quarter: Quarter(year: 2026, number: quarter), status: status, savedAt: time, savedBy: "A",
                           actions: (0..<actions).map { ReportAction(id: Int64($0), report: id, who: "Head", what: "Fix", recordedAt: time) })
    }

    @Test func everyQuarterNeedsASubmittedReportWithItsActions() throws {
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"])
        d.reports = (1...4).map { report(Int64($0), $0, .submitted, actions: 1) }
        #expect(try rule(.remote, "3.2.2", d).outcome == .met)

        d.reports[3] = report(4, 4, .draft, actions: 2)
        let draft = try rule(.remote, "3.2.2", d)
        #expect(draft.outcome == .notMet)
        #expect(draft.checks[3].detail.contains("draft"))

        d.reports[3] = report(4, 4, .published, actions: 0)
        let noActions = try rule(.remote, "3.2.2", d)
        #expect(noActions.outcome == .notMet)
        #expect(noActions.checks[3].detail.contains("no decision or action"))

        d.reports.removeLast()
        #expect(try rule(.remote, "3.2.2", d).checks[3].detail.contains("no report saved"))
    }
}

/// Framework 2's 3.2.3: «تحسن مستوى رضا العملاء بين التقارير المتعاقبة أو توضيح الأسباب»; an unchanged mean is no
/// improvement (decision 14), and 2026-Q1 compares with 2025-Q4.
@Suite struct ImprovementTests {
    /// Website means per quarter 4.0, 3.5, 4.5, 4.5 (30 responses each); nothing in 2025-Q4.
    func data() -> AssessmentData {
        var counts: [Quarter: [String: Counts]] = [:]
        counts[quarters2026[0]] = ["website": rated(30, 4)]
        counts[quarters2026[1]] = ["website": rated(15, 4) + rated(15, 3)]
        counts[quarters2026[2]] = ["website": rated(15, 4) + rated(15, 5)]
        counts[quarters2026[3]] = ["website": rated(15, 4) + rated(15, 5)]
        return AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"], counts: counts)
    }

    @Test func aDeclineAndAnUnchangedMeanWithoutAReasonFail() throws {
        let verdict = try rule(.remote, "3.2.3", data())
        #expect(verdict.outcome == .notMet)
        // 2025-Q4 has no ratings: shown, not deciding. Q1→Q2 4.00 → 3.50 declined; Q2→Q3 improved; Q3→Q4 4.50 → 4.50.
        #expect(verdict.checks.map(\.label) == ["website 2025-Q4→2026-Q1", "website 2026-Q1→2026-Q2", "website 2026-Q2→2026-Q3", "website 2026-Q3→2026-Q4"])
        #expect(verdict.checks.map(\.outcome) == [.missingData, .notMet, .met, .notMet])
        #expect(!verdict.checks[0].deciding)
        #expect(verdict.checks[1].detail.hasPrefix("mean 4.00 → 3.50 (120 and 120 ratings), declined and no reason is recorded"))
        #expect(verdict.checks[2].detail.hasSuffix(", improved"))
        #expect(verdict.checks[3].detail.hasPrefix("mean 4.50 → 4.50 (120 and 120 ratings), unchanged and no reason is recorded"))
    }

    @Test func reasonsForTheDeclineAndTheUnchangedQuarterMeet() throws {
        var d = data()
        let at = instant("2026-07-05T10:00:00+03:00")
        d.declines = [DeclineReason(scope: "E01", channel: "website", quarter: quarters2026[1], reason: "A new identity check was introduced", who: "A", at: at)]
        #expect(try rule(.remote, "3.2.3", d).outcome == .notMet)  // Q4 unchanged still needs its reason
        d.declines.append(DeclineReason(scope: "R01", channel: nil, quarter: quarters2026[3], reason: "Already at the ceiling the service allows", who: "A", at: at))
        let verdict = try rule(.remote, "3.2.3", d)
        #expect(verdict.outcome == .met)
        #expect(verdict.checks[1].detail.contains("declined; reason recorded by A: A new identity check"))
        #expect(verdict.checks[3].detail.contains("unchanged; reason recorded by A: Already at the ceiling"))
    }

    @Test func theFirstQuarterComparesWithThePreviousYearsFourth() throws {
        var d = data()
        d.declines = [DeclineReason(scope: "E01", channel: nil, quarter: quarters2026[1], reason: "Outage", who: "A", at: afterCycle),
                      DeclineReason(scope: "E01", channel: nil, quarter: quarters2026[3], reason: "Ceiling", who: "A", at: afterCycle)]
        #expect(try rule(.remote, "3.2.3", d).outcome == .met)
        d.counts[quarter2025Q4] = ["website": rated(30, 5)]  // 5.00 in 2025-Q4, 4.00 in 2026-Q1: a decline across the year
        let across = try rule(.remote, "3.2.3", d)
        #expect(across.outcome == .notMet)
        #expect(across.checks[0].deciding && across.checks[0].detail.hasPrefix("mean 5.00 → 4.00"))
    }

    @Test func aSmallSampleIsACautionNotAVerdict() throws {
        var d = data()
        d.counts[quarters2026[2]] = ["website": rated(15, 5) + rated(14, 4)]  // 29 responses, mean 4.52: improved
        let few = try rule(.remote, "3.2.3", d)
        #expect(few.checks[2].outcome == .met)
        #expect(few.checks[2].caution == "small sample: 30 and 29 responses, the configured minimum is 30")
    }
}

@Suite struct TawasulTests {
    let base = instant("2026-02-01T09:00:00+03:00")

    func complaint(_ id: String, topic: String?, quarter: Int, answeredAfterDays: Double?, sla: Int = 5, year: Int = 2026,
                   type: TawasulRecordType = .complaint) -> TawasulComplaint {
        let received = instant(String(format: "%d-%02d-10T09:00:00+03:00", year, (quarter - 1) * 3 + 1))
        return TawasulComplaint(id: id, entity: "E01", channel: "website", topic: topic, receivedAt: received,
                                answeredAt: answeredAfterDays.map { received.adding(milliseconds: Int64($0 * 86_400_000)) }, slaDays: sla,
                                type: type)
    }

    func data(_ complaints: [TawasulComplaint]?) -> AssessmentData {
        AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"],
                       complaints: complaints, tawasulImports: complaints == nil ? [] : [7])
    }

    @Test func aTopicInExactlyTwoReportsIsNotRecurringButInThreeItIs() throws {
        var complaints = [
            complaint("T1", topic: "Passport renewal: photo upload", quarter: 1, answeredAfterDays: 1),
            complaint("T2", topic: "passport renewal:  PHOTO upload", quarter: 3, answeredAfterDays: 1),
            complaint("T3", topic: "Payment", quarter: 1, answeredAfterDays: 1),
        ]
        let two = try rule(.remote, "3.2.4", data(complaints))
        #expect(two.outcome == .forEvaluator)  // Tawasul alone never makes it met
        #expect(two.summary.contains("met needs the evaluator's confirmation that other sources, survey comments among them, show no recurrence"))
        #expect(two.checks.contains { $0.label.contains("Passport renewal") && $0.detail.contains("2 quarters (2026-Q1, 2026-Q3)") })
        #expect(two.evidence == [.importRecord(7)])
        complaints.append(complaint("T5", topic: "Passport renewal: photo upload", quarter: 4, answeredAfterDays: 1))
        let three = try rule(.remote, "3.2.4", data(complaints))
        #expect(three.outcome == .notMet)
        #expect(three.summary.contains("Passport renewal"))
        #expect(three.checks.first { $0.outcome == .notMet }?.detail.contains("3 quarters (2026-Q1, 2026-Q3, 2026-Q4): recurring") == true)
    }

    @Test func aTopicRecursWhateverChannelItsComplaintsCameThrough() throws {
        var complaints = [
            complaint("T1", topic: "Payment", quarter: 1, answeredAfterDays: 1),
            complaint("T2", topic: "Payment", quarter: 2, answeredAfterDays: 1),
            complaint("T3", topic: "Payment", quarter: 3, answeredAfterDays: 1),
        ]
        complaints[1].channel = "mobile_app"
        complaints[2].channel = "call_centre"
        let verdict = try rule(.remote, "3.2.4", data(complaints))
        #expect(verdict.outcome == .notMet)
        #expect(verdict.checks.contains { $0.label == "topic «Payment»" && $0.detail.contains("3 quarters (2026-Q1, 2026-Q2, 2026-Q3): recurring") })
    }

    @Test func complaintsWithoutATopicLeaveItOpenOnlyWhenTheyCouldMakeATopicRecur() throws {
        var complaints = [
            complaint("T1", topic: "Payment", quarter: 1, answeredAfterDays: 1),
            complaint("T2", topic: nil, quarter: 2, answeredAfterDays: 1),
        ]
        // Payment in Q1 and one untopiced complaint in Q2: at most two quarters, whatever its topic.
        let harmless = try rule(.remote, "3.2.4", data(complaints))
        #expect(harmless.outcome == .forEvaluator)
        #expect(harmless.checks.last?.detail == "1 record has no procedure or step (in 2026-Q2): whatever their topics, none could appear in more than two quarters")

        complaints.append(complaint("T3", topic: "Payment", quarter: 3, answeredAfterDays: 1))  // Payment in Q1 and Q3, untopiced in Q2
        let open = try rule(.remote, "3.2.4", data(complaints))
        #expect(open.outcome == .missingData)  // T2 could be a third payment complaint
        #expect(open.verdict == .pending)
        #expect(open.checks.last?.detail.hasPrefix("1 record has no procedure or step (in 2026-Q2): they could make a topic recur") == true)

        // Untopiced complaints alone in three quarters could be one topic recurring.
        let alone = [2, 3, 4].map { complaint("U\($0)", topic: "  ", quarter: $0, answeredAfterDays: 1) }
        #expect(try rule(.remote, "3.2.4", data(alone)).outcome == .missingData)
        #expect(try rule(.remote, "3.2.4", data(Array(alone.prefix(2)))).outcome == .forEvaluator)

        complaints.append(complaint("T4", topic: "Payment", quarter: 4, answeredAfterDays: 1))
        #expect(try rule(.remote, "3.2.4", data(complaints)).outcome == .notMet)  // recurring decides whatever the rest
    }

    @Test func withoutTawasulRecordsBothCriteriaWaitForThem() throws {
        #expect(try rule(.remote, "3.2.4", data(nil)).outcome == .missingData)
        #expect(try rule(.remote, "3.2.7", data(nil)).outcome == .missingData)
        // Imported, but the entity had no complaint: nothing was late, and nothing recurs in Tawasul (the evaluator confirms).
        #expect(try rule(.remote, "3.2.4", data([])).outcome == .forEvaluator)
        #expect(try rule(.remote, "3.2.7", data([])).outcome == .met)
    }

    @Test func ninetyFivePercentExactlyWithinTheSLAMeets() throws {
        var complaints = (1...19).map { complaint("T\($0)", topic: nil, quarter: 1 + $0 % 4, answeredAfterDays: 5) }  // on the deadline
        complaints.append(complaint("T20", topic: nil, quarter: 2, answeredAfterDays: 5.01))  // a little late
        let met = try rule(.remote, "3.2.7", data(complaints))
        #expect(met.outcome == .met)
        #expect(met.checks[0].detail.hasPrefix("19 of 20 (95.0%)"))
        complaints.append(complaint("T21", topic: nil, quarter: 3, answeredAfterDays: nil))  // never answered, long past due
        let notMet = try rule(.remote, "3.2.7", data(complaints))
        #expect(notMet.outcome == .notMet)
        #expect(notMet.checks[0].detail.hasPrefix("19 of 21"))
    }

    @Test func anOpenComplaintNotYetDueIsNotCounted() throws {
        let received = instant("2026-12-30T09:00:00+03:00")
        let open = TawasulComplaint(id: "T1", entity: "E01", channel: "website", receivedAt: received, slaDays: 30)
        var d = data([open])
        #expect(open.answeredWithinSLA(at: d.now) == nil)
        let verdict = try rule(.remote, "3.2.7", d)
        #expect(verdict.outcome == .met)
        #expect(verdict.checks[0].detail.contains("1 still open and not yet due"))
        d.now = instant("2027-02-01T09:00:00+03:00")
        #expect(try rule(.remote, "3.2.7", d).outcome == .notMet)
    }

    @Test func aSuggestionCountsForRecurrenceButNotForTheSLAAndAnInquiryForNeither() throws {
        // «ملاحظات أو شكاوى متكررة»: remarks and complaints recur; 3.2.7 counts «شكاوى العملاء» only.
        var records = [
            complaint("T1", topic: "Payment", quarter: 1, answeredAfterDays: 1),
            complaint("T2", topic: "Payment", quarter: 2, answeredAfterDays: 30, type: .inquiry),
            complaint("T3", topic: "Payment", quarter: 3, answeredAfterDays: 1),
        ]
        // An inquiry is neither: Payment in Q1 and Q3 only; the inquiry answered 30 days late is not counted by 3.2.7.
        #expect(try rule(.remote, "3.2.4", data(records)).outcome == .forEvaluator)
        let sla = try rule(.remote, "3.2.7", data(records))
        #expect(sla.outcome == .met && sla.checks[0].detail.hasPrefix("2 of 2 (100.0%)"))
        // A suggestion or remark on the same procedure makes three quarters: recurring.
        records[1].type = .suggestion
        #expect(try rule(.remote, "3.2.4", data(records)).outcome == .notMet)
        // The late suggestion is still not a complaint: 2 of 2 complaints within the SLA.
        #expect(try rule(.remote, "3.2.7", data(records)).checks[0].detail.hasPrefix("2 of 2 (100.0%)"))
    }

    @Test func aComplaintRecurringAcrossANewYearIsRecurring() throws {
        // The same procedure in 2025-Q3, 2025-Q4 and 2026-Q1: three successive periodic reports, the third in the period.
        let across = [
            complaint("A1", topic: "Visa renewal", quarter: 3, answeredAfterDays: 1, year: 2025),
            complaint("A2", topic: "Visa renewal", quarter: 4, answeredAfterDays: 1, year: 2025),
            complaint("A3", topic: "Visa renewal", quarter: 1, answeredAfterDays: 1),
        ]
        let verdict = try rule(.remote, "3.2.4", data(across))
        #expect(verdict.outcome == .notMet)
        #expect(verdict.checks[0].detail == "in the records of 3 quarters (2025-Q3, 2025-Q4, 2026-Q1): recurring")
        // Three quarters of 2025 alone, none in the period: not this period's recurrence.
        let before = [
            complaint("B1", topic: "Visa renewal", quarter: 2, answeredAfterDays: 1, year: 2025),
            complaint("B2", topic: "Visa renewal", quarter: 3, answeredAfterDays: 1, year: 2025),
            complaint("B3", topic: "Visa renewal", quarter: 4, answeredAfterDays: 1, year: 2025),
        ]
        #expect(try rule(.remote, "3.2.4", data(before)).outcome == .forEvaluator)  // 2025-Q2 is outside the look-back
    }

    @Test func theExportsOwnDueDateDecidesOverTheSLADays() throws {
        // Received 10 January, SLA 5 days, but the export says due on 12 January; answered on the 13th: late.
        var late = complaint("D1", topic: nil, quarter: 1, answeredAfterDays: 3)
        late.dueAt = late.receivedAt.adding(milliseconds: 2 * 86_400_000)
        #expect(late.answeredWithinSLA(at: afterCycle) == false)
        #expect(try rule(.remote, "3.2.7", data([late])).outcome == .notMet)
        late.dueAt = nil  // 5 calendar days: answered on day 3, within
        #expect(try rule(.remote, "3.2.7", data([late])).outcome == .met)
    }
}

@Suite struct ContactAndMeanTests {
    @Test func eightyFivePercentOfContactsWithinThreeDays() throws {
        let start = instant("2026-03-01T09:00:00+03:00")
        var contacts = (0..<17).map { ContactRecord(id: "K\($0)", entity: "E01", channel: "call_centre", contactedAt: start,
                                                    answeredAt: start.adding(milliseconds: ContactRecord.answerWindow)) }
        contacts += (17..<20).map { ContactRecord(id: "K\($0)", entity: "E01", channel: "call_centre", contactedAt: start,
                                                  answeredAt: start.adding(milliseconds: ContactRecord.answerWindow + 1)) }
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["call_centre"],
                               contacts: contacts, contactImports: [3])
        let met = try rule(.remote, "2.3.2", d)
        #expect(met.outcome == .met)  // 17 of 20 = 85.0%
        d.contacts![16].answeredAt = nil
        #expect(try rule(.remote, "2.3.2", d).outcome == .notMet)  // 16 of 20
        d.contacts = nil
        #expect(try rule(.remote, "2.3.2", d).outcome == .missingData)
    }

    /// Framework 2's 3.2.5: «لا يقل عن 4 من 5» on every remote channel in the latest quarter, exactly on counts.
    @Test func aMeanOfExactly4OnEveryChannelInTheLatestQuarterMeets() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["website", "mobile_app"])
        counts[quarters2026[3]] = ["website": rated(30, 4), "mobile_app": rated(40, 5)]
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website", "mobile_app"], counts: counts)
        let met = try rule(.remote, "3.2.5", d)
        #expect(met.outcome == .met)  // website: 120 ratings summing to 480, 480 ≥ 4 × 120
        #expect(met.checks.map(\.label) == ["website 2026-Q4", "mobile_app 2026-Q4"])
        #expect(met.checks[0].detail.hasPrefix("30 responses, 120 ratings summing to 480, mean 4.00"))
        // 30 × 4 + 1 × 3 per question: 124 ratings summing to 492 < 496: 3.97, not met.
        d.counts[quarters2026[3]]!["website"] = rated(30, 4) + rated(1, 3)
        #expect(try rule(.remote, "3.2.5", d).outcome == .notMet)
        // 14 × 5 + 16 × 3: 120 ratings summing to 472 < 480: 3.93, not met; the wide interval is a caution only.
        d.counts[quarters2026[3]]!["website"] = rated(14, 5) + rated(16, 3)
        let wide = try rule(.remote, "3.2.5", d)
        #expect(wide.outcome == .notMet)
        #expect(wide.checks[0].caution?.contains("straddles 4") == true)
    }

    @Test func aChannelWithFewResponsesDecidesWithACautionAndOneWithoutIsNoData() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["website"])
        counts[quarters2026[3]] = ["website": rated(29, 5)]
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website", "mobile_app"], counts: counts)
        let verdict = try rule(.remote, "3.2.5", d)
        #expect(verdict.checks[0].outcome == .met)
        #expect(verdict.checks[0].caution == "small sample: 29 responses, below the configured minimum of 30")
        #expect(verdict.checks[1].outcome == .missingData)  // no ratings on the app in 2026-Q4
        #expect(verdict.outcome == .missingData && verdict.verdict == .pending)
        d.channels = ["website"]
        #expect(try rule(.remote, "3.2.5", d).outcome == .met)
    }
}

/// Decision 13: provisional while the assessment is open, on the quarters ended so far; final once closed.
@Suite struct ProvisionalVerdictTests {
    @Test func anOpenAssessmentsVerdictsAreProvisionalButCount() throws {
        let counts = everyQuarter(rated(30, 5), channels: ["counter"])
        let d = AssessmentData(assessment: centreAssessment(), now: instant("2026-07-01T00:00:00+03:00"), centre: "C01",
                               channels: ["counter"], counts: counts)
        let soFar = try rule(.headquarters, "2.3.2", d)
        #expect(soFar.outcome == .met && soFar.verdict == .met)
        #expect(soFar.provisional)
        #expect(soFar.label == "met (provisional)")
        #expect(soFar.summary.hasSuffix("Provisional: on 2026-Q1–2026-Q2, 2 quarters of the period 2026-Q1–2026-Q4 still to end."))
    }

    @Test func aClosedAssessmentReadsTheQuartersItWasClosedOn() throws {
        var assessment = centreAssessment()
        assessment.closing = Assessment.Closing(at: instant("2026-12-10T10:00:00+03:00"), by: "E", quarters: Array(quarters2026.prefix(3)))
        // Q4 (after closing) is all 1s: not read.
        var counts = everyQuarter(rated(30, 5), channels: ["counter"])
        counts[quarters2026[3]] = ["counter": rated(300, 1)]
        let d = AssessmentData(assessment: assessment, now: afterCycle, centre: "C01", channels: ["counter"], counts: counts)
        let final = try rule(.headquarters, "2.3.2", d)
        #expect(!final.provisional && final.outcome == .met)
        #expect(final.quarters == Array(quarters2026.prefix(3)))
    }

    @Test func aPeriodGivenAtOpeningIsTheOneRead() throws {
        let assessment = Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: afterCycle, openedBy: "E",
                                    period: quarter2025Q4...quarters2026[2])
        #expect(assessment.quarters.map(\.description) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"])
        // 2026-Q1 to Q3: 40 responses rating 5 (480 ratings); 2025-Q4: 30 rating 1 (120 ratings); 2026-Q4, outside the
        // period, 300 rating 1. Over the period 480 of 600 ratings are 3 or more: exactly 80%, met.
        var counts = everyQuarter(rated(40, 5), channels: ["counter"])
        counts[quarters2026[3]] = ["counter": rated(300, 1)]
        counts[quarter2025Q4] = ["counter": rated(30, 1)]
        let d = AssessmentData(assessment: assessment, now: afterCycle, centre: "C01", channels: ["counter"], counts: counts)
        let verdict = try rule(.headquarters, "2.3.2", d)
        #expect(verdict.checks[0].label == "C01, all channels, 2025-Q4–2026-Q3")
        #expect(verdict.checks[0].detail.contains("480 of 600, 80.0%"))
        #expect(verdict.outcome == .met)
        #expect(Assessment.periodProblem(quarters2026[0]...Quarter(year: 2028, number: 1), cycle: 2026) != nil)
    }

    @Test func aSheetWithEveryCriterionMetReachesGoldProvisionally() throws {
        let catalogue = Catalogue.standard
        let d = AssessmentData(assessment: centreAssessment(), now: instant("2026-10-02T00:00:00+03:00"), centre: "C01",
                               channels: ["counter"], counts: everyQuarter(rated(40, 5), channels: ["counter"]))
        // Every criterion decided from evidence recorded met (2.3.1 and 2.3.5 among them, with the data shown beside).
        let history = catalogue[.headquarters].criteria.filter { $0.decidedBy == .evidence }.enumerated().map { i, c in
            HistoryEntry(sequence: Int64(i + 1), assessment: "C01-2026", criterion: c.id, verdict: .met, evaluator: "E", at: d.now)
        }
        let sheet = AssessmentSheet(assessment: d.assessment, history: history, data: d, now: d.now)
        #expect(sheet.classification.reached == .gold)
        #expect(sheet.classification.provisional)
        #expect(sheet.classification.standing(.gold)?.tally == "94 met of 94")
    }
}
