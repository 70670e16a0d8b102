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

    @Test func notApplicableCountsAsMet() {
        let c = Classification(framework: .headquarters, verdicts: verdicts(f1) { $0.id == "1.3.3" || $0.id == "1.1.5" ? .notApplicable : .met })
        #expect(c.reached == .gold)
        #expect(c.standing(.silver)?.notApplicable == 1)
        #expect(c.standing(.gold)?.notApplicable == 2)
        #expect(c.standing(.gold)?.met == 92)
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
        // 2.3.2 (contacts) does not apply to an entity without a contact centre; 3.3.3 is not binding and not met.
        let c = Classification(framework: .remote, verdicts: verdicts(f2) { $0.id == "2.3.2" ? .notApplicable : $0.id == "3.3.3" ? .notMet : .met })
        #expect(c.reached == .remoteService)
        #expect(c.standing(.remoteService)?.notApplicable == 1)
        #expect(c.standing(.remoteService)?.met == 44)
        #expect(c.standing(.remoteService)?.satisfied == 45)
        let pending = Classification(framework: .remote, verdicts: verdicts(f2) { $0.id == "2.3.2" ? .notApplicable : $0.id == "3.2.5" ? .pending : .met })
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

    @Test func anOverrideCountsAndTheComputedVerdictStaysBesideIt() throws {
        let data = AssessmentData(assessment: centreAssessment(), now: afterCycle, centre: "C01", channels: ["counter"])  // no live display
        let overridden = AssessmentSheet(assessment: centreAssessment(), history: [entry("2.3.5", .met, note: "screen seen working on the visit", sequence: 1)],
                                         data: data, now: afterCycle)
        let line = try #require(overridden.line("2.3.5"))
        #expect(line.verdict == .met)
        #expect(line.overridden)
        #expect(line.computed?.outcome == .notMet)

        let withdrawn = AssessmentSheet(assessment: centreAssessment(), history: [
            entry("2.3.5", .met, note: "screen seen working", sequence: 1), entry("2.3.5", .computed, note: "the data now says", sequence: 2),
        ], data: data, now: afterCycle)
        #expect(withdrawn.line("2.3.5")?.verdict == .notMet)
        #expect(withdrawn.line("2.3.5")?.overridden == false)
        #expect(withdrawn.line("2.3.5")?.changes == 2)
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
        let na = entry("1.3.3", .notApplicable, sequence: 0)
        #expect(na.problems(for: try #require(f1.criterion("1.3.3")), previous: nil).first?.contains("reason") == true)
        let override = entry("2.3.2", .met, sequence: 0)
        #expect(override.problems(for: try #require(f1.criterion("2.3.2")), previous: nil).first?.contains("overriding") == true)
        let change = entry("1.1.1", .notMet, sequence: 0)
        let previous = entry("1.1.1", .met, sequence: 0)
        #expect(change.problems(for: try #require(f1.criterion("1.1.1")), previous: previous).first?.contains("changing it") == true)
        #expect(entry("1.1.1", .met, sequence: 0).problems(for: try #require(f1.criterion("1.1.1")), previous: nil).isEmpty)
        #expect(entry("1.1.1", .computed, note: "x", sequence: 0).problems(for: try #require(f1.criterion("1.1.1")), previous: nil).isEmpty == false)
    }
}
