import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

@Suite struct AssessmentUseCaseTests {
    /// The fixture with C01's framework-1 assessment of 2026 open.
    func withAssessment(_ kind: StoreKind) async throws -> Fixture {
        let f = try await Fixture(kind)
        try await f.store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: Fixture.now, openedBy: "Lead"))
        return f
    }

    @Test(arguments: StoreKind.all) func recordsABatchOrNothingWithEveryProblemOnce(_ kind: StoreKind) async throws {
        let f = try await withAssessment(kind)
        defer { f.remove() }
        let record = RecordVerdicts(store: f.store, policy: Fixture.policy)
        let stored = try await record.run([
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "Lead", at: Fixture.now, note: "Seen"),
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.2", verdict: .notMet, evaluator: "Lead", at: Fixture.now),
        ], at: Fixture.now)
        // Two entries appended, numbered in order.
        #expect(stored.map(\.criterion) == ["1.1.1", "1.1.2"])
        #expect(stored[1].sequence == stored[0].sequence + 1)

        // One good entry and two bad ones: nothing is recorded, and each bad entry is named by its index.
        let refused = try await #require(throws: AssessmentError.self) {
            try await record.run([
                HistoryEntry(assessment: "C01-2026", criterion: "1.1.3", verdict: .met, evaluator: "Lead", at: Fixture.now),
                HistoryEntry(assessment: "C01-2026", criterion: "9.9.9", verdict: .met, evaluator: "Lead", at: Fixture.now),
                HistoryEntry(assessment: "C01-2026", criterion: "2.1.3", verdict: .notApplicable, evaluator: "Lead", at: Fixture.now),
            ], at: Fixture.now)
        }
        #expect(refused.problems.map(\.entry) == [1, 2])
        #expect(try await f.store.history(of: "C01-2026").map(\.criterion) == ["1.1.1", "1.1.2"])
    }

    /// `rida assess describe` and `POST /v1/assessments/{id}/description` through one use case: every problem at once
    /// (what the shell could not read, an item of the other framework's form, an empty text), nothing stored when
    /// there is one, and the texts appended in order when there is none.
    @Test(arguments: StoreKind.all) func describesTheFormOnceWithEveryProblemAtOnce(_ kind: StoreKind) async throws {
        let f = try await withAssessment(kind)
        defer { f.remove() }
        let describe = DescribeAssessment(store: f.store, now: { Fixture.now })
        let missing = try await #require(throws: AssessmentError.self) {
            try await describe.run("C09-2026", texts: [(.strengths, "x")], evaluator: "Lead")
        }
        #expect(missing.kind == .notFound)

        // C01-2026 is framework 1 (appendix 5): services is appendix 6's item; the strengths text is blank.
        let refused = try await #require(throws: UseCaseError.self) {
            try await describe.run("C01-2026", texts: [(.services, "Online renewals"), (.strengths, "  ")], evaluator: "Lead",
                                   unread: [Problem(field: "colour", reason: "is not an item of the forms")])
        }
        #expect(refused.kind == .invalid)
        #expect(refused.problems.map(\.field) == ["colour", "services", "strengths"])
        #expect(try await f.store.descriptions(of: "C01-2026").isEmpty)

        let stored = try await describe.run("C01-2026", texts: [(.strengths, "استقبال منظم"), (.development, "لافتات الطريق")],
                                            evaluator: "Lead")
        #expect(stored.map(\.item) == [.strengths, .development])
        #expect(stored.map(\.text) == ["استقبال منظم", "لافتات الطريق"])
        #expect(try await f.store.descriptions(of: "C01-2026").count == 2)

        // Nothing given at all is a problem too, naming the items this form describes.
        let empty = try await #require(throws: UseCaseError.self) { try await describe.run("C01-2026", texts: [], evaluator: "Lead") }
        #expect(empty.description.contains("strengths, areas-to-develop"))
    }

    @Test(arguments: StoreKind.all) func importsAChecklistsVerdictsAndTexts(_ kind: StoreKind) async throws {
        let f = try await withAssessment(kind)
        defer { f.remove() }
        let csv = """
            criterion,verdict,note,mechanism,evidence,evaluator
            1.1.1,met,Seen at the visit,field-visit,https://example.org/visit,
            1.1.2,,,,,
            strengths,,Friendly staff,,,Second evaluator
            1.1.3,not-met,No queue display,,import:1,
            """
        // Line 5 names import #1, which does not exist: nothing is recorded.
        let unknownImport = try await #require(throws: UseCaseError.self) {
            try await ImportChecklist(store: f.store, policy: Fixture.policy, now: { Fixture.now })
                .run(Data(csv.utf8), name: "filled.csv", assessment: "C01-2026", evaluator: "Lead", folder: nil)
        }
        #expect(unknownImport.problems.map(\.description) == ["line 5, evidence: There is no import #1."])
        #expect(try await f.store.history(of: "C01-2026").isEmpty)

        let fixed = csv.replacingOccurrences(of: "import:1", with: "")
        let outcome = try await ImportChecklist(store: f.store, policy: Fixture.policy, now: { Fixture.now })
            .run(Data(fixed.utf8), name: "filled.csv", assessment: "C01-2026", evaluator: "Lead", folder: nil)
        // 1.1.1 and 1.1.3 have verdicts; 1.1.2 has none and is skipped; the strengths row is a text of the description.
        #expect(outcome.recorded.map(\.criterion) == ["1.1.1", "1.1.3"])
        #expect(outcome.recorded[0].mechanism == .fieldVisit)
        #expect(outcome.recorded[0].evidence == [.url("https://example.org/visit")])
        #expect(outcome.recorded.map(\.evaluator) == ["Lead", "Lead"])
        #expect(outcome.described.map(\.text) == ["Friendly staff"])
        #expect(outcome.described.map(\.evaluator) == ["Second evaluator"])
    }

    @Test(arguments: StoreKind.all) func namesEveryProblemOfAChecklistByLineAndField(_ kind: StoreKind) async throws {
        let f = try await withAssessment(kind)
        defer { f.remove() }
        let csv = """
            criterion,verdict,mechanism
            1.1.1,maybe,
            ,met,
            1.1.3,met,telepathy
            1.1.4,met,
            """
        let error = try await #require(throws: UseCaseError.self) {
            try await ImportChecklist(store: f.store, policy: Fixture.policy, now: { Fixture.now })
                .run(Data(csv.utf8), name: "bad.csv", assessment: "C01-2026", evaluator: nil, folder: nil)
        }
        #expect(error.kind == .invalid)
        #expect(error.code == "invalid_checklist")
        // Line 5 is good but has no evaluator: no column, and none given.
        #expect(error.problems.map(\.description) == [
            "line 2, verdict: \"maybe\" is not one of \(RecordedVerdict.spellings)",
            "line 3: criterion is missing",
            "line 4, mechanism: \"telepathy\" is not one of \(Mechanism.spellings)",
            "line 4: no evaluator (give an evaluator column, --by NAME or RIDA_EVALUATOR)",
            "line 5: no evaluator (give an evaluator column, --by NAME or RIDA_EVALUATOR)",
        ])
        #expect(error.description.hasPrefix("Nothing was recorded from bad.csv:\n  line 2, verdict:"))
        #expect(try await f.store.history(of: "C01-2026").isEmpty)
    }

    @Test(arguments: StoreKind.all) func refusesAFileThatIsNotAChecklist(_ kind: StoreKind) async throws {
        let f = try await withAssessment(kind)
        defer { f.remove() }
        let checklist = ImportChecklist(store: f.store, policy: Fixture.policy, now: { Fixture.now })
        let header = try await #require(throws: UseCaseError.self) {
            try await checklist.run(Data("id,score\n1,5\n".utf8), name: "x.csv", assessment: "C01-2026", evaluator: "Lead", folder: nil)
        }
        #expect(header.description == "The header of x.csv needs criterion and verdict columns (criterion,verdict,note,mechanism,evidence,evaluator).")
        let json = try await #require(throws: UseCaseError.self) {
            try await checklist.run(Data("[1, 2]".utf8), name: "x.json", assessment: "C01-2026", evaluator: "Lead", folder: nil)
        }
        #expect(json.code == "invalid_checklist")
    }
}
