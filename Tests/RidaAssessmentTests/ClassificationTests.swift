import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing

@Suite struct ClassificationTests {
    let f1 = Catalogue.standard[.headquarters].criteria
    let f2 = Catalogue.standard[.remote].criteria

    func verdicts(_ criteria: [Criterion], _ rule: (Criterion) -> Verdict) -> [(Criterion, Verdict)] {
        criteria.map { ($0, rule($0)) }
    }

    @Test func everyCriterionMetIsGold() {
        let c = Classification(framework: .headquarters, verdicts: verdicts(f1) { _ in .met })
        #expect(c.reached == .gold)
        #expect(c.next == nil)
        #expect(c.standing(.gold)?.satisfied == 94)
    }

    @Test func everyBasicMetButOneAdvancedIsSilverAndNamesWhatBlocksGold() {
        let c = Classification(framework: .headquarters, verdicts: verdicts(f1) { $0.id == "1.1.5" ? .notMet : $0.id == "2.3.3" ? .pending : .met })
        #expect(c.reached == .silver)
        #expect(c.next == .gold)
        let gold = c.standing(.gold)
        #expect(gold?.notMet == ["1.1.5"])
        #expect(gold?.pending == ["2.3.3"])
        #expect(gold?.satisfied == 92)
        #expect(c.standing(.silver)?.required == 67)
    }

    @Test func aPendingBasicCriterionBlocksEveryShield() {
        let c = Classification(framework: .headquarters, verdicts: verdicts(f1) { $0.id == "2.3.1" ? .pending : .met })
        #expect(c.reached == nil)
        #expect(c.next == .silver)
        #expect(c.standing(.silver)?.pending == ["2.3.1"])
    }

    @Test func notApplicableCountsTowardTheShieldAndIsCountedApart() {
        // 2.1.1 and 2.1.3 are framework 1's conditional criteria, both basic.
        let c = Classification(framework: .headquarters, verdicts: verdicts(f1) { $0.id == "2.1.3" ? .notApplicable : .met })
        #expect(c.reached == .gold)
        #expect(c.standing(.silver)?.notApplicable == 1)
        #expect(c.standing(.gold)?.met == 93)
        #expect(c.standing(.gold)?.tally == "93 met and 1 not applicable of 94")
        #expect(c.standing(.gold)?.tallyAr == "93 مستوفى و1 لا ينطبق من 94")
    }

    @Test func theRemoteShieldNeedsTheBindingCriteriaOnly() {
        let c = Classification(framework: .remote, verdicts: verdicts(f2) { $0.binding == true ? .met : .notMet })
        #expect(c.reached == .remoteService)
        #expect(c.standing(.remoteService)?.required == 45)
        let blocked = Classification(framework: .remote, verdicts: verdicts(f2) { $0.id == "3.2.7" ? .notMet : .met })
        #expect(blocked.reached == nil)
        #expect(blocked.standing(.remoteService)?.notMet == ["3.2.7"])
    }

    @Test func theRemoteShieldWithNotApplicableCriteria() {
        // 3.1.1 does not apply to an entity that has not moved a service to alternative channels; 3.3.3 is not binding.
        let c = Classification(framework: .remote, verdicts: verdicts(f2) { $0.id == "3.1.1" ? .notApplicable : $0.id == "3.3.3" ? .notMet : .met })
        #expect(c.reached == .remoteService)
        #expect(c.standing(.remoteService)?.notApplicable == 1)
        #expect(c.standing(.remoteService)?.met == 44)
        #expect(c.standing(.remoteService)?.satisfied == 45)
        let pending = Classification(framework: .remote, verdicts: verdicts(f2) { $0.id == "3.1.1" ? .notApplicable : $0.id == "3.2.5" ? .pending : .met })
        #expect(pending.reached == nil)
        #expect(pending.standing(.remoteService)?.pending == ["3.2.5"])
        #expect(pending.next == .remoteService)
    }
}

@Suite struct SheetTests {
    let at = instant("2026-12-01T10:00:00+03:00")

    func entry(_ criterion: String, _ verdict: RecordedVerdict, note: String? = nil, sequence: Int64) -> HistoryEntry {
        HistoryEntry(sequence: sequence, assessment: "C01-2026", criterion: criterion, verdict: verdict, evaluator: "A",
                     at: at.adding(milliseconds: sequence), note: note)
    }

    /// Decision 18: the computed verdict is the engine's proposal; the team's recorded verdict decides, with a note.
    @Test func anOverrideCountsAndTheComputedVerdictStaysBesideIt() throws {
        // 2.3.3 on 40 responses rating 3 each quarter: 0 of 640 ratings are 4 or more, not met.
        let data = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter"],
                                  counts: everyQuarter(rated(40, 3), channels: ["counter"]))
        let overridden = AssessmentSheet(assessment: centreAssessment(), history: [entry("2.3.3", .met, note: "the centre's own survey, 1200 responses, 86%", sequence: 1)],
                                         data: data, now: afterCycle)
        let line = try #require(overridden.line("2.3.3"))
        #expect(line.verdict == .met)
        #expect(line.overridden)
        #expect(line.computed?.outcome == .notMet)

        let withdrawn = AssessmentSheet(assessment: centreAssessment(), history: [
            entry("2.3.3", .met, note: "own survey", sequence: 1), entry("2.3.3", .computed, note: "the data now says", sequence: 2),
        ], data: data, now: afterCycle)
        #expect(withdrawn.line("2.3.3")?.verdict == .notMet)
        #expect(withdrawn.line("2.3.3")?.overridden == false)
        #expect(withdrawn.line("2.3.3")?.changes == 2)
    }

    @Test func aNotApplicableRecordedBeforeItWasRefusedCountsAsPending() {
        // An older file may hold n/a on 3.4.1: the guide has none for it, so the sheet reads it as pending.
        let sheet = AssessmentSheet(assessment: centreAssessment(), history: [entry("3.4.1", .notApplicable, note: "old", sequence: 1)],
                                    data: nil, now: afterCycle)
        #expect(sheet.line("3.4.1")?.verdict == .pending)
    }

    @Test func theLatestEntryCountsWhateverTheOrderGiven() {
        let sheet = AssessmentSheet(assessment: centreAssessment(), history: [
            entry("1.1.1", .met, note: "fixed", sequence: 5), entry("1.1.1", .notMet, sequence: 2),
        ], data: nil, now: afterCycle)
        #expect(sheet.line("1.1.1")?.verdict == .met)
        #expect(sheet.line("1.1.2")?.verdict == .pending)
        #expect(sheet.line("2.3.1")?.verdict == .pending)  // no data given
    }

    @Test func entriesThatNeedAReasonSayWhy() throws {
        let f1 = Catalogue.standard[.headquarters]
        let na = entry("2.1.1", .notApplicable, sequence: 0)
        #expect(na.problems(for: try #require(f1.criterion("2.1.1")), previous: nil).first?.reason.contains("why its condition") == true)
        let override = entry("2.3.2", .met, sequence: 0)
        #expect(override.problems(for: try #require(f1.criterion("2.3.2")), previous: nil).first?.reason.contains("overriding") == true)
        let change = entry("1.1.1", .notMet, sequence: 0)
        let previous = entry("1.1.1", .met, sequence: 0)
        #expect(change.problems(for: try #require(f1.criterion("1.1.1")), previous: previous).first?.reason.contains("changing it") == true)
        #expect(entry("1.1.1", .met, sequence: 0).problems(for: try #require(f1.criterion("1.1.1")), previous: nil).isEmpty)
        #expect(entry("1.1.1", .computed, note: "x", sequence: 0).problems(for: try #require(f1.criterion("1.1.1")), previous: nil).isEmpty == false)
    }
}
