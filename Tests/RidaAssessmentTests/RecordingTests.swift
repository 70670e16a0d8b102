import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing

@Suite struct RecordingTests {
    let at = instant("2026-05-01T10:00:00+03:00")

    func entry(_ criterion: String, _ verdict: RecordedVerdict, note: String? = nil, evaluator: String = "A") -> HistoryEntry {
        HistoryEntry(assessment: "C01-2026", criterion: criterion, verdict: verdict, evaluator: evaluator, at: at, note: note)
    }

    /// Decision 18: overriding a computed verdict needs a note; recording the verdict the engine computes overrides
    /// nothing, so it needs none. 2.3.2 is decided from the data (framework 1) and conditional on nothing.
    @Test func recordingTheComputedVerdictNeedsNoNote() throws {
        let criterion = try #require(Catalogue.standard[.headquarters].criterion("2.3.2"))
        let overriding = ["note: 2.3.2 is decided from the data: overriding it needs the reason in a note"]
        // met, the engine computes met: the same verdict, no override, no note needed.
        #expect(entry("2.3.2", .met).problems(for: criterion, previous: nil, computed: .met).isEmpty)
        // pending, the engine computes pending (no data yet): the same, no note needed.
        #expect(entry("2.3.2", .pending).problems(for: criterion, previous: nil, computed: .pending).isEmpty)
        // met, the engine computes not met: an override, the note is needed.
        #expect(entry("2.3.2", .met).problems(for: criterion, previous: nil, computed: .notMet).map(\.description) == overriding)
        // met, no computed verdict known: it may be an override, the note is needed.
        #expect(entry("2.3.2", .met).problems(for: criterion, previous: nil, computed: nil).map(\.description) == overriding)
        // ... and with a note, the override is taken.
        #expect(entry("2.3.2", .met, note: "the ratings were keyed twice").problems(for: criterion, previous: nil, computed: .notMet).isEmpty)
        // not met, as the engine computes, but B recorded met before: changing B's verdict still needs the reason.
        let earlier = entry("2.3.2", .met, note: "the ratings were keyed twice", evaluator: "B")
        #expect(entry("2.3.2", .notMet).problems(for: criterion, previous: earlier, computed: .notMet).map(\.reason)
            == ["2.3.2 was recorded met by B: changing it needs the reason in a note"])
        // n/a keeps its own rules whatever the engine computes: 2.3.2 is conditional on nothing.
        #expect(entry("2.3.2", .notApplicable, note: "x").problems(for: criterion, previous: nil, computed: .met).map(\.field) == ["verdict"])
    }

    /// The batch check takes the computed verdicts per entry: entry 0 agrees with the engine (met, met), entry 1
    /// does not (met, not met) and is the only one asked for a note.
    @Test func aBatchAsksANoteOnlyOfTheEntriesThatOverride() {
        let batch = [entry("2.3.2", .met), entry("2.3.3", .met)]
        let computed: [String: Verdict] = ["2.3.2": .met, "2.3.3": .notMet]
        let problems = HistoryEntry.problems(of: batch, framework: { _ in .headquarters }, latest: { _ in nil },
                                             computed: { computed[$0.criterion] })
        #expect(problems.map(\.entry) == [1])
        #expect(problems.map(\.field) == ["note"])
    }

    @Test func aBatchNamesTheEntryAndFieldOfEveryProblem() {
        let batch = [
            entry("1.1.1", .met),
            entry("2.1.1", .notApplicable),
            entry("9.9.9", .met),
            entry("2.3.2", .met, evaluator: " "),
            entry("1.1.2", .computed, note: "x"),
        ]
        let problems = HistoryEntry.problems(of: batch, framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(problems.map(\.entry) == [1, 2, 3, 3, 4])
        #expect(problems.map(\.field) == ["note", "criterion", "evaluator", "note", "verdict"])
        #expect(problems[1].reason == "framework 1 has no criterion 9.9.9")
    }

    /// A caller that could read only some entries of a batch gives their positions in the batch as sent: the third
    /// and fifth entries (positions 2 and 4) were read, and the fifth's problem is told at position 4, not 1.
    @Test func aBatchReadInPartTellsEachProblemAtItsPositionAsSent() {
        let read = [entry("1.1.1", .met), entry("2.1.1", .notApplicable)]
        let problems = HistoryEntry.problems(of: read, positions: [2, 4], framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(problems.map(\.entry) == [4])
        #expect(problems.map(\.description) == ["entries[4].note: " + (problems.first?.reason ?? "")])
        #expect(problems.first?.reason.hasPrefix("2.1.1: a not-applicable verdict needs a note") == true)
    }

    /// Decision 12: the guide has no "not applicable" but for a criterion whose whole text is conditional.
    @Test func notApplicableIsRefusedWhereTheGuideMakesNothingConditional() throws {
        let f1 = Catalogue.standard[.headquarters]
        // 3.4.1 (separate toilets) is required of every centre.
        let toilets = entry("3.4.1", .notApplicable, note: "the centre shares the mall's toilets")
        #expect(toilets.problems(for: try #require(f1.criterion("3.4.1")), previous: nil).map(\.reason)
            == ["3.4.1 cannot be not applicable: the guide asks for every criterion and makes this one conditional on nothing (only framework 1's 2.1.1 and 2.1.3 and framework 2's 3.1.1 are); record met, not-met or pending"])
        // 4.1.3's «(إن وجدت)» qualifies the immediate help; the guidance is still required.
        #expect(entry("4.1.3", .notApplicable, note: "no immediate help").problems(for: try #require(f1.criterion("4.1.3")), previous: nil).count == 1)
        // 2.1.3 applies «في حال تقديم المركز لخدمات تتطلب رسوم دفع»: not applicable with the reason.
        let pos = try #require(f1.criterion("2.1.3"))
        #expect(entry("2.1.3", .notApplicable, note: "the centre charges no fee for any of its services").problems(for: pos, previous: nil).isEmpty)
        #expect(entry("2.1.3", .notApplicable).problems(for: pos, previous: nil).map(\.reason)
            == ["2.1.3: a not-applicable verdict needs a note saying why its condition «في حال تقديم المركز لخدمات تتطلب رسوم دفع» does not hold for this unit"])
    }

    /// An entry is checked against the one before it in the same batch, and the first against the history.
    @Test func aChangeWithinTheBatchOrAgainstTheHistoryNeedsAReason() {
        let fromHistory = entry("1.1.1", .met)
        let changed = HistoryEntry.problems(of: [entry("1.1.1", .notMet)], framework: { _ in .headquarters }, latest: { _ in fromHistory })
        #expect(changed.map(\.field) == ["note"])
        #expect(changed.first?.reason.contains("changing it needs the reason") == true)
        let within = HistoryEntry.problems(of: [entry("1.1.1", .met), entry("1.1.1", .notMet)], framework: { _ in .headquarters }, latest: { _ in nil })
        #expect(within.map(\.entry) == [1])
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
