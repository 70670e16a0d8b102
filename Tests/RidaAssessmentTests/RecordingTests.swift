import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing

@Suite struct RecordingTests {
    let at = instant("2026-05-01T10:00:00+03:00")

    func entry(_ criterion: String, _ verdict: RecordedVerdict, note: String? = nil, evaluator: String = "A") -> HistoryEntry {
        HistoryEntry(assessment: "C01-2026", criterion: criterion, verdict: verdict, evaluator: evaluator, at: at, note: note)
    }

    @Test func aBatchNamesTheEntryAndFieldOfEveryProblem() {
        let batch = [
            entry("1.1.1", .met),
            entry("1.3.3", .notApplicable),
            entry("9.9.9", .met),
            entry("2.3.2", .met, evaluator: " "),
            entry("1.1.2", .computed, note: "x"),
        ]
        let problems = HistoryEntry.problems(of: batch, framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(problems.map(\.index) == [1, 2, 3, 3, 4])
        #expect(problems.map(\.field) == ["note", "criterion", "evaluator", "note", "verdict"])
        #expect(problems[1].reason == "framework 1 has no criterion 9.9.9")
    }

    /// An entry is checked against the one before it in the same batch, and the first against the history.
    @Test func aChangeWithinTheBatchOrAgainstTheHistoryNeedsAReason() {
        let fromHistory = entry("1.1.1", .met)
        let changed = HistoryEntry.problems(of: [entry("1.1.1", .notMet)], framework: { _ in .headquarters }, latest: { _ in fromHistory })
        #expect(changed.map(\.field) == ["note"])
        #expect(changed.first?.reason.contains("changing it needs the reason") == true)
        let within = HistoryEntry.problems(of: [entry("1.1.1", .met), entry("1.1.1", .notMet)], framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(within.map(\.index) == [1])
        let explained = HistoryEntry.problems(of: [entry("1.1.1", .met), entry("1.1.1", .notMet, note: "the sign fell")],
                                              framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(explained.isEmpty)
    }

    @Test(arguments: [
        ("https://example.org/a", EvidenceReference.Written.url("https://example.org/a")),
        ("HTTP://EXAMPLE.ORG", .url("HTTP://EXAMPLE.ORG")),
        ("import:12", .importRecord(12)),
        ("#7", .importRecord(7)),
        ("#x", .file("#x")),
        ("photos/door.jpg", .file("photos/door.jpg")),
    ])
    func readsAnEvidenceItem(text: String, expected: EvidenceReference.Written) throws {
        #expect(try EvidenceReference.read(text).get() == expected)
    }

    @Test func refusesAnImportWithoutANumber() {
        guard case .failure(let error) = EvidenceReference.read("import:abc") else {
            Issue.record("import:abc should be refused")
            return
        }
        #expect(error.description.contains("import:N"))
    }
}
