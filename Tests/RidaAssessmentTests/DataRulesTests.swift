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

@Suite struct SatisfactionShareTests {
    func data(_ counts: [Quarter: [String: Counts]], channels: [String] = ["counter", "kiosk"]) -> AssessmentData {
        AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: channels, counts: counts)
    }

    @Test func aChannelWith30ResponsesDecidesAndOneWith29IsTooFew() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["counter", "kiosk"])
        let met = try rule(.headquarters, "2.3.2", data(counts))
        #expect(met.outcome == .met)
        #expect(met.verdict == .met)
        counts[Quarter(year: 2026, number: 3)]!["kiosk"] = rated(29, 5)
        let few = try rule(.headquarters, "2.3.2", data(counts))
        #expect(few.outcome == .tooFewResponses)
        #expect(few.verdict == .pending)
        let failing = few.checks.filter { $0.deciding && $0.outcome != .met }.map(\.label)
        #expect(failing == ["kiosk 2026-Q3"])
    }

    @Test func exactly80PercentMeetsOnCountsButTheIntervalStraddles() throws {
        // 24 responses rating 3 and 6 rating 1: 96 of 120 ratings are 3 or more, exactly 80%.
        let counts = everyQuarter(rated(24, 3) + rated(6, 1), channels: ["counter"])
        let verdict = try rule(.headquarters, "2.3.2", data(counts, channels: ["counter"]))
        let check = try #require(verdict.checks.first)
        #expect(check.figures?.thresholds.atLeast3In80Percent == true)
        #expect(check.figures?.share3 == 0.8)
        #expect(check.outcome == .inconclusive)
        #expect(verdict.verdict == .pending)
    }

    @Test func oneFailingChannelFailsTheCentreWhateverItsRollUp() throws {
        var counts = everyQuarter(rated(300, 5), channels: ["counter"])
        counts[Quarter(year: 2026, number: 2)]!["kiosk"] = rated(40, 2)
        for q in [1, 3, 4] { counts[Quarter(year: 2026, number: q)]!["kiosk"] = rated(40, 5) }
        let verdict = try rule(.headquarters, "2.3.2", data(counts))
        #expect(verdict.outcome == .notMet)
        let rollUp = try #require(verdict.checks.first { !$0.deciding && $0.label.contains("2026-Q2") })
        #expect(rollUp.outcome == .met)  // 1200 of 1360 ratings ≥ 3: shown beside, not deciding
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
        #expect(try rule(.headquarters, "2.3.2", d).outcome == .notMet)
        d.policy = ThresholdPolicy(reading: .ratings)  // 1200 of 1600 ratings ≥ 3: 75%, clearly under
        #expect(try rule(.headquarters, "2.3.2", d).outcome == .notMet)
    }

    @Test func unregisteredChannelsAndUnfinishedQuartersLeaveItPending() throws {
        let none = try rule(.headquarters, "2.3.2", data(everyQuarter(rated(40, 5), channels: ["counter"]), channels: []))
        #expect(none.outcome == .missingData)
        #expect(none.summary.contains("channels"))
        var early = data(everyQuarter(rated(40, 5), channels: ["counter"]), channels: ["counter"])
        early.now = instant("2026-03-20T10:00:00+03:00")
        #expect(try rule(.headquarters, "2.3.2", early).outcome == .missingData)
        // In July only Q1 and Q2 have ended: they are the ones looked at.
        early.now = instant("2026-07-02T10:00:00+03:00")
        let mid = try rule(.headquarters, "2.3.2", early)
        #expect(mid.checks.filter(\.deciding).map(\.label) == ["counter 2026-Q1", "counter 2026-Q2"])
    }
}

@Suite struct CoverageTests {
    @Test func everyChannelNeedsRatingsOfEmployeeServiceAndChannelInEveryQuarter() throws {
        var counts = everyQuarter(rated(3, 4), channels: ["counter", "kiosk"])
        let d = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter", "kiosk"], counts: counts)
        #expect(try rule(.headquarters, "2.3.1", d).outcome == .met)  // no minimum sample for coverage

        counts[Quarter(year: 2026, number: 4)]!["kiosk"] = nil
        var missing = d
        missing.counts = counts
        let gap = try rule(.headquarters, "2.3.1", missing)
        #expect(gap.outcome == .notMet)
        #expect(gap.summary.contains("kiosk 2026-Q4"))

        // Responses that rate only the employee do not measure the service or the channel.
        var onlyEmployee = rated(5, 4)
        onlyEmployee.scores[1] = [0, 0, 0, 0, 0]
        onlyEmployee.scores[2] = [0, 0, 0, 0, 0]
        counts[Quarter(year: 2026, number: 4)]!["kiosk"] = onlyEmployee
        missing.counts = counts
        let partial = try rule(.headquarters, "2.3.1", missing)
        #expect(partial.outcome == .notMet)
        #expect(partial.checks.first { $0.label == "kiosk 2026-Q4" }?.detail.contains("no rating of the service") == true)
    }

    @Test func remoteChannelsNeedResponsesGivenBeforeOrDuringTheService() throws {
        let after = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"],
                                   counts: everyQuarter(rated(10, 4, stage: .after), channels: ["website"]))
        #expect(try rule(.remote, "3.2.1", after).outcome == .notMet)
        var mixed = after
        mixed.counts = everyQuarter(rated(10, 4, stage: .after) + rated(1, 5, stage: .during), channels: ["website"])
        #expect(try rule(.remote, "3.2.1", mixed).outcome == .met)
    }

    @Test func anEntityWithoutARemoteCentreCannotBeDecided() throws {
        let d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: nil, channels: [])
        let verdict = try rule(.remote, "3.2.1", d)
        #expect(verdict.outcome == .missingData)
        #expect(verdict.summary.contains("no remote centre"))
    }
}

@Suite struct LiveDisplayTests {
    @Test func oneDayInTheCycleIsEnough() throws {
        var d = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter"])
        #expect(try rule(.headquarters, "2.3.5", d).outcome == .notMet)
        d.liveDisplayDays = [CivilDate(year: 2025, month: 12, day: 31)]
        #expect(try rule(.headquarters, "2.3.5", d).outcome == .notMet)
        d.liveDisplayDays = [CivilDate(year: 2026, month: 5, day: 3)]
        let met = try rule(.headquarters, "2.3.5", d)
        #expect(met.outcome == .met)
        #expect(met.checks[0].detail.contains("1 day"))
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

@Suite struct ImprovementTests {
    /// Website means per quarter 4.0, 3.5, 4.5, 4.5 (30 responses each, the minimum sample).
    func data() -> AssessmentData {
        var counts: [Quarter: [String: Counts]] = [:]
        counts[quarters2026[0]] = ["website": rated(30, 4)]
        counts[quarters2026[1]] = ["website": rated(15, 4) + rated(15, 3)]
        counts[quarters2026[2]] = ["website": rated(15, 4) + rated(15, 5)]
        counts[quarters2026[3]] = ["website": rated(15, 4) + rated(15, 5)]
        return AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"], counts: counts)
    }

    @Test func aDeclineWithoutAReasonFails() throws {
        let verdict = try rule(.remote, "3.2.3", data())
        #expect(verdict.outcome == .notMet)
        #expect(verdict.checks.map(\.outcome) == [.notMet, .met, .met])  // Q1→Q2 declined, Q2→Q3 improved, Q3→Q4 unchanged
        #expect(verdict.checks[0].detail.contains("4.00 → 3.50 (-0.50)"))
        #expect(verdict.checks[1].detail.contains("3.50 → 4.50 (+1.00), improved"))
        #expect(verdict.checks[2].detail.contains("unchanged"))
    }

    @Test func aDeclineWithItsReasonPasses() throws {
        var d = data()
        let at = instant("2026-07-05T10:00:00+03:00")
        d.declines = [DeclineReason(scope: "E01", channel: "website", quarter: quarters2026[2], reason: "wrong quarter", who: "A", at: at)]
        #expect(try rule(.remote, "3.2.3", d).outcome == .notMet)
        d.declines.append(DeclineReason(scope: "E01", channel: "website", quarter: quarters2026[1], reason: "A new identity check was introduced", who: "A", at: at))
        let verdict = try rule(.remote, "3.2.3", d)
        #expect(verdict.outcome == .met)
        #expect(verdict.checks[0].detail.contains("A new identity check"))
    }

    @Test func aReasonForEveryChannelCoversThisOne() throws {
        var d = data()
        d.declines = [DeclineReason(scope: "R01", channel: nil, quarter: quarters2026[1], reason: "System outage", who: "A", at: afterCycle)]
        #expect(try rule(.remote, "3.2.3", d).outcome == .met)
        d.declines = [DeclineReason(scope: "R01", channel: "mobile_app", quarter: quarters2026[1], reason: "Another channel", who: "A", at: afterCycle)]
        #expect(try rule(.remote, "3.2.3", d).outcome == .notMet)
    }

    @Test func aChangeBetweenQuartersBelowTheMinimumSampleDecidesNothing() throws {
        var d = data()
        // Q3 with 29 responses (mean 4.52): both of its changes rest on too few responses.
        d.counts[quarters2026[2]] = ["website": rated(15, 5) + rated(14, 4)]
        let few = try rule(.remote, "3.2.3", d)
        #expect(few.checks.map(\.outcome) == [.notMet, .tooFewResponses, .tooFewResponses])
        #expect(few.checks[1].detail.contains("30 and 29 responses, the minimum sample is 30 in each quarter"))
        #expect(few.outcome == .notMet)  // the Q1→Q2 decline still decides
        // With a reason for the decline, the too-few changes keep the criterion pending rather than met.
        d.declines = [DeclineReason(scope: "E01", channel: "website", quarter: quarters2026[1], reason: "Outage", who: "A", at: afterCycle)]
        let pending = try rule(.remote, "3.2.3", d)
        #expect(pending.outcome == .tooFewResponses)
        #expect(pending.verdict == .pending)
        // A decline with its reason is met even on a small sample.
        d.counts[quarters2026[1]] = ["website": rated(5, 3)]
        #expect(try rule(.remote, "3.2.3", d).checks[0].outcome == .met)
    }
}

@Suite struct TawasulTests {
    let base = instant("2026-02-01T09:00:00+03:00")

    func complaint(_ id: String, topic: String?, quarter: Int, answeredAfterDays: Double?, sla: Int = 5) -> TawasulComplaint {
        let received = instant(String(format: "2026-%02d-10T09:00:00+03:00", (quarter - 1) * 3 + 1))
        return TawasulComplaint(id: id, entity: "E01", channel: "website", topic: topic, receivedAt: received,
                                answeredAt: answeredAfterDays.map { received.adding(milliseconds: Int64($0 * 86_400_000)) }, slaDays: sla)
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
        #expect(two.outcome == .met)
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
        #expect(harmless.outcome == .met)
        #expect(harmless.checks.last?.detail == "1 complaint has no procedure or step (in 2026-Q2): whatever their topics, none could appear in more than two quarters")

        complaints.append(complaint("T3", topic: "Payment", quarter: 3, answeredAfterDays: 1))  // Payment in Q1 and Q3, untopiced in Q2
        let open = try rule(.remote, "3.2.4", data(complaints))
        #expect(open.outcome == .missingData)  // T2 could be a third payment complaint
        #expect(open.verdict == .pending)
        #expect(open.checks.last?.detail.hasPrefix("1 complaint has no procedure or step (in 2026-Q2): they could make a topic recur") == true)

        // Untopiced complaints alone in three quarters could be one topic recurring.
        let alone = [2, 3, 4].map { complaint("U\($0)", topic: "  ", quarter: $0, answeredAfterDays: 1) }
        #expect(try rule(.remote, "3.2.4", data(alone)).outcome == .missingData)
        #expect(try rule(.remote, "3.2.4", data(Array(alone.prefix(2)))).outcome == .met)

        complaints.append(complaint("T4", topic: "Payment", quarter: 4, answeredAfterDays: 1))
        #expect(try rule(.remote, "3.2.4", data(complaints)).outcome == .notMet)  // recurring decides whatever the rest
    }

    @Test func withoutTawasulRecordsBothCriteriaWaitForThem() throws {
        #expect(try rule(.remote, "3.2.4", data(nil)).outcome == .missingData)
        #expect(try rule(.remote, "3.2.7", data(nil)).outcome == .missingData)
        // Imported, but the entity had no complaint: nothing recurs and nothing was late.
        #expect(try rule(.remote, "3.2.4", data([])).outcome == .met)
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

    @Test func aMeanOfExactly4OnEveryChannelInTheLatestQuarterMeets() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["website", "mobile_app"])
        counts[quarters2026[3]] = ["website": rated(30, 4), "mobile_app": rated(40, 5)]
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website", "mobile_app"], counts: counts)
        let met = try rule(.remote, "3.2.5", d)
        #expect(met.outcome == .met)
        #expect(met.checks.map(\.label) == ["website 2026-Q4", "mobile_app 2026-Q4"])
        d.counts[quarters2026[3]]!["website"] = rated(30, 4) + rated(1, 3)  // mean 3.97 with little spread: the interval stays below 4
        #expect(try rule(.remote, "3.2.5", d).outcome == .notMet)
        d.counts[quarters2026[3]]!["website"] = rated(14, 5) + rated(16, 3)  // mean 3.93 with a wide spread: the interval straddles 4
        #expect(try rule(.remote, "3.2.5", d).outcome == .inconclusive)
        d.counts[quarters2026[3]]!["website"] = rated(60, 3)
        #expect(try rule(.remote, "3.2.5", d).outcome == .notMet)
    }
}

@Suite struct LatestMeanSampleTests {
    @Test func aChannelWith29ResponsesInTheLatestQuarterIsTooFewAnd30Decide() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["website"])
        counts[quarters2026[3]] = ["website": rated(29, 5)]
        var d = AssessmentData(assessment: entityAssessment(), now: afterCycle, centre: "R01", channels: ["website"], counts: counts)
        let few = try rule(.remote, "3.2.5", d)
        #expect(few.outcome == .tooFewResponses)
        #expect(few.checks[0].detail.contains("29 responses, 116 ratings, mean 5.00"))
        #expect(few.checks[0].detail.contains("the minimum sample is 30 responses"))
        d.counts[quarters2026[3]] = ["website": rated(30, 5)]
        #expect(try rule(.remote, "3.2.5", d).outcome == .met)
        d.counts[quarters2026[3]] = ["website": rated(30, 3)]
        #expect(try rule(.remote, "3.2.5", d).outcome == .notMet)
    }
}

@Suite struct ProvisionalVerdictTests {
    @Test func metSoFarCountsAsPendingUntilTheCycleEnds() throws {
        let counts = everyQuarter(rated(30, 5), channels: ["counter"])
        var d = AssessmentData(assessment: centreAssessment(), now: instant("2026-07-01T00:00:00+03:00"), centre: "C01",
                               channels: ["counter"], counts: counts)
        let soFar = try rule(.headquarters, "2.3.2", d)
        #expect(soFar.outcome == .met)
        #expect(soFar.provisional)
        #expect(soFar.verdict == .pending)
        #expect(soFar.label == "met so far")
        #expect(soFar.summary.hasPrefix("Met so far through 2026-Q2; 2 quarters of 2026 still to end."))
        #expect(soFar.checks.map(\.label) == ["counter 2026-Q1", "C01 all channels 2026-Q1", "counter 2026-Q2", "C01 all channels 2026-Q2"])
        // A quarter not met is not met, cycle over or not.
        d.counts[quarters2026[0]]!["counter"] = rated(30, 1)
        #expect(try rule(.headquarters, "2.3.2", d).verdict == .notMet)
        // One second before the cycle ends it is still provisional; at the end it decides.
        d.counts = counts
        d.now = instant("2026-12-31T23:59:59+03:00")
        #expect(try rule(.headquarters, "2.3.2", d).verdict == .pending)
        d.now = instant("2027-01-01T00:00:00+03:00")
        let final = try rule(.headquarters, "2.3.2", d)
        #expect(!final.provisional && final.verdict == .met)
    }

    @Test func aNotMetThatLaterQuartersCanTurnIsPendingUntilTheCycleEnds() throws {
        var counts = everyQuarter(rated(30, 5), channels: ["website"])
        counts[quarters2026[1]] = ["website": rated(30, 3)]  // Q2, the latest ended quarter at midsummer: mean 3
        var d = AssessmentData(assessment: entityAssessment(), now: instant("2026-07-01T00:00:00+03:00"), centre: "R01",
                               channels: ["website"], counts: counts)
        let soFar = try rule(.remote, "3.2.5", d)
        #expect(soFar.outcome == .notMet && soFar.revisable)
        #expect(soFar.verdict == .pending && soFar.label == "not met so far")
        #expect(soFar.summary.hasPrefix("Not met so far through 2026-Q2; 2 quarters of 2026 still to end can change it."))
        d.now = afterCycle  // Q4 has a mean of 5: the latest quarter decides
        #expect(try rule(.remote, "3.2.5", d).verdict == .met)
        // A quarter that failed 2.3.2 stays failed: not revisable.
        let hq = AssessmentData(assessment: centreAssessment(), now: instant("2026-07-01T00:00:00+03:00"), centre: "C01",
                                channels: ["counter"], counts: everyQuarter(rated(30, 1), channels: ["counter"]))
        let failed = try rule(.headquarters, "2.3.2", hq)
        #expect(failed.verdict == .notMet && !failed.revisable && failed.label == "not met")
        // The live display not yet used is not met so far.
        let unused = try rule(.headquarters, "2.3.5", hq)
        #expect(unused.outcome == .notMet && unused.verdict == .pending)
    }

    @Test func theLiveDisplayOnceServedIsMetAtOnce() throws {
        let d = AssessmentData(assessment: centreAssessment(), now: instant("2026-03-01T00:00:00+03:00"), centre: "C01",
                               channels: ["counter"], liveDisplayDays: [CivilDate(year: 2026, month: 2, day: 3)])
        let verdict = try rule(.headquarters, "2.3.5", d)
        #expect(verdict.verdict == .met && !verdict.provisional)
    }

    @Test func aMidCycleSheetReachesNoShieldOnDataMetSoFar() throws {
        let catalogue = Catalogue.standard
        let d = AssessmentData(assessment: centreAssessment(), now: instant("2026-10-02T00:00:00+03:00"), centre: "C01",
                               channels: ["counter"], counts: everyQuarter(rated(40, 5), channels: ["counter"]),
                               liveDisplayDays: [CivilDate(year: 2026, month: 2, day: 3)])
        // Every criterion decided from evidence recorded met.
        let history = catalogue[.headquarters].criteria.filter { $0.decidedBy == .evidence }.enumerated().map { i, c in
            HistoryEntry(sequence: Int64(i + 1), assessment: "C01-2026", criterion: c.id, verdict: .met, evaluator: "E", at: d.now)
        }
        let sheet = AssessmentSheet(assessment: d.assessment, history: history, data: d, now: d.now)
        #expect(sheet.classification.reached == nil)
        #expect(sheet.classification.standing(.silver)?.pending == ["2.3.1", "2.3.2"])
        let after = AssessmentSheet(assessment: d.assessment, history: history, data: { var e = d; e.now = afterCycle; return e }(), now: afterCycle)
        #expect(after.classification.reached == .gold)
    }
}
