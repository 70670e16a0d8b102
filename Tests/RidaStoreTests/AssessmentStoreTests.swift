import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Runs the `sqlite3` shell on a database file, as any other program could.
func sqlite3(_ path: String, _ sql: String) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    _ = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: errData, as: UTF8.self))
}

@Suite struct AssessmentStoreTests {
    let opened = instant("2026-12-01T09:00:00+03:00")

    func storeWithAssessment() async throws -> (TemporaryDatabase, SQLiteStore) {
        let temp = try TemporaryDatabase()
        let store = try temp.open()
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: opened)
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: opened, openedBy: "A"))
        return (temp, store)
    }

    /// A store of `kind` with C01 registered as a headquarters and its 2026 assessment open.
    func storeWithAssessment(_ kind: StoreKind) async throws -> (FreshStore, any RidaStorage) {
        let fresh = try await kind.open()
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: opened)
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: opened, openedBy: "A"))
        return (fresh, store)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell (.ci/run installs it)"))
    func historyCannotBeRewritten() async throws {
        let (temp, store) = try await storeWithAssessment()
        defer { temp.remove() }
        try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: opened, note: "seen")])

        let update = try sqlite3(temp.path, "UPDATE assessmentEntry SET verdict = 'notMet';")
        #expect(update.status != 0)
        #expect(update.stderr.contains("append-only"))
        let delete = try sqlite3(temp.path, "DELETE FROM assessmentEntry;")
        #expect(delete.status != 0)
        #expect(delete.stderr.contains("append-only"))
        let dropAssessment = try sqlite3(temp.path, "DELETE FROM assessment;")
        #expect(dropAssessment.status != 0)
        let renameAssessment = try sqlite3(temp.path, "UPDATE assessment SET cycle = 2025;")
        #expect(renameAssessment.status != 0)
        // REPLACE deletes without firing DELETE triggers: the insert triggers refuse it.
        let replaceEntry = try sqlite3(temp.path, """
            INSERT OR REPLACE INTO assessmentEntry (id, assessmentId, criterion, verdict, evaluator, recordedAt)
            SELECT id, assessmentId, criterion, 'notMet', 'Mallory', recordedAt FROM assessmentEntry;
            """)
        #expect(replaceEntry.status != 0)
        #expect(replaceEntry.stderr.contains("never replaced"))
        let replaceAssessment = try sqlite3(temp.path, """
            REPLACE INTO assessment (id, framework, unit, cycle, openedAt, openedBy)
            SELECT id, framework, unit, 2025, openedAt, 'Mallory' FROM assessment;
            """)
        #expect(replaceAssessment.status != 0)

        let history = try await store.history(of: "C01-2026")
        #expect(history.map(\.verdict) == [.met])
        #expect(history.first?.note == "seen")
        try store.close()
    }

    @Test(arguments: StoreKind.all) func aChangeIsANewEntryAndTheOldOneStays(kind: StoreKind) async throws {
        let (fresh, store) = try await storeWithAssessment(kind)
        defer { fresh.remove() }
        try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: opened)])
        await #expect(throws: AssessmentError.self) {
            try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .notMet, evaluator: "B", at: opened)])
        }
        try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .notMet, evaluator: "B", at: opened,
                                             note: "the website lost the address", evidence: [.url("https://example.org/c01")])])
        let history = try await store.history(of: "C01-2026")
        #expect(history.map(\.verdict) == [.met, .notMet])
        #expect(history.map(\.evaluator) == ["A", "B"])
        #expect(history[1].evidence == [.url("https://example.org/c01")])
        let sheet = try await store.assessmentSheet("C01-2026", policy: ThresholdPolicy(), now: opened)
        #expect(sheet.line("1.1.1")?.verdict == .notMet)
        #expect(sheet.line("1.1.1")?.changes == 2)
    }

    /// Decision 18 through the store: no response is stored, so 2.3.2 (decided from the data) has no data and the
    /// engine computes pending. Recording pending without a note agrees with it and is taken; recording met without a
    /// note overrides it and is refused, nothing stored.
    @Test(arguments: StoreKind.all) func recordingTheComputedVerdictNeedsNoNote(kind: StoreKind) async throws {
        let (fresh, store) = try await storeWithAssessment(kind)
        defer { fresh.remove() }
        let computed = try await store.computedVerdicts(of: "C01-2026", policy: ThresholdPolicy(), now: opened)
        #expect(computed["C01-2026"]?["2.3.2"] == .pending)
        try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "2.3.2", verdict: .pending, evaluator: "A", at: opened)],
                               computed: computed)
        await #expect(throws: AssessmentError.self) {
            try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "2.3.3", verdict: .met, evaluator: "A", at: opened)],
                                   computed: computed)
        }
        #expect(try await store.history(of: "C01-2026").map(\.criterion) == ["2.3.2"])
    }

    @Test(arguments: StoreKind.all) func aBatchWithOneBadEntryRecordsNothingAndSaysEverythingWrong(kind: StoreKind) async throws {
        let (fresh, store) = try await storeWithAssessment(kind)
        defer { fresh.remove() }
        let entries = [
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: opened),
            HistoryEntry(assessment: "C01-2026", criterion: "2.1.3", verdict: .notApplicable, evaluator: "A", at: opened),
            HistoryEntry(assessment: "C01-2026", criterion: "3.4.1", verdict: .notApplicable, evaluator: "A", at: opened, note: "shared"),
            HistoryEntry(assessment: "C01-2026", criterion: "9.9.9", verdict: .met, evaluator: "A", at: opened),
        ]
        do {
            try await store.record(entries)
            Issue.record("the batch should have been refused")
        } catch let error as AssessmentError {
            #expect(error.description.contains("2.1.3: a not-applicable verdict needs a note saying why its condition"))
            #expect(error.description.contains("3.4.1 cannot be not applicable"))
            #expect(error.description.contains("no criterion 9.9.9"))
        }
        #expect(try await store.history(of: "C01-2026").isEmpty)
    }

    @Test(arguments: StoreKind.all) func centresFirstSeenInResponsesAreRegisteredAsNeedingTheirDetails(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter", "kiosk"]), at: opened)
        _ = try await store.save([response("a", centre: "C01"), response("b", centre: "C09"), response("c", centre: "C09", channel: "kiosk")],
                                 receivedAt: opened)
        let centres = try await store.centres()
        #expect(centres.map(\.id) == ["C01", "C09"])
        #expect(centres[0].entity == "E01")  // what the registry knew stays
        #expect(centres[0].channels == ["counter", "kiosk"])
        #expect(centres[1].missing == ["entity", "kind", "channels"])
        let gaps = Registry(entities: try await store.entities(), centres: centres).gaps
        #expect(gaps.map(\.problem.reason) == ["centre C09 needs its entity, kind, channels", "entity E01 has no remote centre (each entity has exactly one)"])
        #expect(gaps.map(\.next) == [.completeCentre("C09"), .registerRemoteCentre(entity: "E01")])
    }

    @Test(arguments: StoreKind.all) func anEntityHasOneRemoteCentreAndIdsStayDistinct(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "R01", entity: "E01", kind: .remote, channels: ["website"]), at: opened)
        await #expect(throws: AssessmentError("The entity E01 already has a remote centre, R01: an entity has exactly one remote centre.")) {
            try await store.saveCentre(Centre(id: "R02", entity: "E01", kind: .remote), at: opened)
        }
        await #expect(throws: AssessmentError.self) { try await store.saveEntity(Entity(id: "R01")) }
        await #expect(throws: AssessmentError.self) { try await store.saveCentre(Centre(id: "E01"), at: opened) }
        // Framework 1 assesses headquarters, framework 2 entities.
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "R01", cycle: 2026, openedAt: opened, openedBy: "A"))
        }
        try await store.openAssessment(Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: opened, openedBy: "A"))
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: opened, openedBy: "B"))
        }
    }

    @Test(arguments: StoreKind.all) func dataVerdictsAreComputedFromTheStoredResponses(kind: StoreKind) async throws {
        let (fresh, store) = try await storeWithAssessment(kind)
        defer { fresh.remove() }
        var responses: [SurveyResponse] = []
        for month in ["02", "05", "08", "11"] {
            for i in 0..<30 {
                responses.append(response("\(month)-\(i)", centre: "C01", channel: "counter", at: "2026-\(month)-10T10:00:00+03:00", [5, 5, 4, 5]))
            }
        }
        responses.append(response("other", centre: "C02", channel: "counter", at: "2026-02-10T10:00:00+03:00", [1, 1, 1, 1]))
        _ = try await store.save(responses, receivedAt: opened)
        let now = instant("2027-01-10T10:00:00+03:00")
        var sheet = try await store.assessmentSheet("C01-2026", policy: ThresholdPolicy(), now: now)
        #expect(sheet.line("2.3.1")?.verdict == .pending)  // the evaluator's, the coverage shown
        #expect(sheet.line("2.3.1")?.computed?.outcome == .forEvaluator)
        #expect(sheet.line("2.3.2")?.verdict == .met)
        #expect(sheet.line("2.3.2")?.computed?.checks.first?.figures?.responses == 120)  // the year, every channel: C02's not among them
        #expect(sheet.line("2.3.3")?.verdict == .met)
        #expect(sheet.line("2.3.5")?.verdict == .pending)
        #expect(sheet.line("2.3.5")?.computed?.summary.contains("no display bound to C01") == true)

        try await store.recordLiveDisplayServed(centre: "C01", at: instant("2026-06-01T08:00:00+03:00"))
        try await store.recordLiveDisplayServed(centre: "C01", at: instant("2026-06-01T20:59:00+03:00"))
        try await store.recordLiveDisplayServed(centre: "C01", at: instant("2026-06-01T21:00:00Z"))  // 00:00 on 2 June in Bahrain
        #expect(try await store.liveDisplayDays(centre: "C01").map(\.iso8601) == ["2026-06-01", "2026-06-02"])
        sheet = try await store.assessmentSheet("C01-2026", policy: ThresholdPolicy(), now: now)
        #expect(sheet.line("2.3.5")?.verdict == .pending)  // evidence for the evaluator, never a verdict by itself
        #expect(sheet.line("2.3.5")?.computed?.summary.contains("served the live page on 2 days, from 2026-06-01 to 2026-06-02") == true)
    }

    /// Decision 13: closing freezes the computed verdicts with their figures; a later import changes nothing.
    @Test(arguments: StoreKind.all) func aClosedAssessmentIsUnchangedByALaterImport(kind: StoreKind) async throws {
        let (fresh, store) = try await storeWithAssessment(kind)
        defer { fresh.remove() }
        // 2026-Q1 to Q3: 30 responses each rating 5 on every question: 360 of 360 ratings ≥ 4, 2.3.3 met.
        var responses: [SurveyResponse] = []
        for month in ["02", "05", "08"] {
            for i in 0..<30 { responses.append(response("\(month)-\(i)", centre: "C01", channel: "counter", at: "2026-\(month)-10T10:00:00+03:00", [5, 5, 5, 5])) }
        }
        _ = try await store.save(responses, receivedAt: opened)
        let december = instant("2026-12-15T10:00:00+03:00")
        let open = try await store.assessmentSheet("C01-2026", policy: ThresholdPolicy(), now: december)
        #expect(open.line("2.3.3")?.verdict == .met && open.line("2.3.3")?.computed?.provisional == true)
        #expect(open.classification.provisional)

        let closed = try await store.closeAssessment("C01-2026", by: "Evaluator", policy: ThresholdPolicy(), now: december)
        #expect(closed.assessment.closing?.quarters.map(\.description) == ["2026-Q1", "2026-Q2", "2026-Q3"])
        #expect(closed.line("2.3.3")?.computed?.provisional == false)
        #expect(!closed.classification.provisional)

        // 300 responses rating 1 arrive later for 2026-Q3 (an import of paper forms): 360 of 1560 ratings ≥ 4 would be
        // 23%, not met. The closed assessment keeps its frozen verdict and figures.
        let late = (0..<300).map { response("late-\($0)", centre: "C01", channel: "counter", at: "2026-09-10T10:00:00+03:00", [1, 1, 1, 1]) }
        _ = try await store.save(late, receivedAt: instant("2027-01-05T10:00:00+03:00"))
        let after = try await store.assessmentSheet("C01-2026", policy: ThresholdPolicy(), now: instant("2027-02-01T10:00:00+03:00"))
        #expect(after.line("2.3.3")?.verdict == .met)
        #expect(after.line("2.3.3")?.computed?.checks.first?.figures?.responses == 90)
        #expect(after.line("2.3.3")?.computed == closed.line("2.3.3")?.computed)
        // Closed once, and nothing more recorded.
        await #expect(throws: AssessmentError.self) {
            try await store.closeAssessment("C01-2026", by: "Evaluator", policy: ThresholdPolicy(), now: december)
        }
        await #expect(throws: AssessmentError.self) {
            try await store.record([HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "A", at: december)])
        }
        #expect(try await store.assessments().first?.isClosed == true)
    }

    @Test(arguments: StoreKind.all) func anAssessmentPeriodGivenAtOpeningIsKept(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: opened)
        let period = Quarter(year: 2025, number: 4)...Quarter(year: 2026, number: 3)
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: opened, openedBy: "A", period: period))
        let stored = try #require(try await store.assessment("C01-2026"))
        #expect(stored.period == "2025-Q4–2026-Q3")
        #expect(stored.quarters.count == 4)
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2027, openedAt: opened, openedBy: "A",
                                                      period: Quarter(year: 2025, number: 1)...Quarter(year: 2026, number: 4)))
        }
    }

    @Test(arguments: StoreKind.all) func frameworkTwoReadsReportsDeclinesAndTawasulFromTheStore(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "R01", entity: "E01", kind: .remote, channels: ["website"]), at: opened)
        try await store.openAssessment(Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: opened, openedBy: "A"))
        let now = instant("2027-01-10T10:00:00+03:00")
        for q in 1...4 {
            let report = try await store.saveReport(scope: "E01", quarter: Quarter(year: 2026, number: q), by: "A", at: opened)
            _ = try await store.addReportAction(ReportAction(report: report.id, who: "Head of service", what: "Shorten the form", due: "2027-03-01", recordedAt: opened))
            if q < 4 { _ = try await store.setReportStatus(report.id, to: .submitted, at: opened) }
        }
        var sheet = try await store.assessmentSheet("E01-2026", policy: ThresholdPolicy(), now: now)
        #expect(sheet.line("3.2.2")?.verdict == .notMet)
        _ = try await store.publishReport(4, content: ReportContent(json: "{}", sha256: "x", engineVersion: "test"),
                                          page: PublishedPage(html: "<p>", sha256: "y"), actions: [4], at: opened)
        await #expect(throws: AssessmentError.self) { try await store.setReportStatus(4, to: .submitted, at: opened) }
        sheet = try await store.assessmentSheet("E01-2026", policy: ThresholdPolicy(), now: now)
        #expect(sheet.line("3.2.2")?.verdict == .met)

        #expect(sheet.line("3.2.7")?.computed?.outcome == .missingData)
        let complaint = TawasulComplaint(id: "T1", entity: "E01", channel: "website", topic: "login", receivedAt: instant("2026-03-01T10:00:00+03:00"), slaDays: 5)
        #expect(try await store.save([complaint], importID: nil) == [.created])
        #expect(try await store.save([complaint], importID: nil) == [.unchanged])
        var answered = complaint
        answered.answeredAt = instant("2026-03-02T10:00:00+03:00")
        #expect(try await store.save([answered], importID: nil) == [.updated])
        #expect(try await store.complaints(entity: "E01") == [answered])

        let declined = try await store.recordDecline(DeclineReason(scope: "E01", channel: nil, quarter: Quarter(year: 2026, number: 2), reason: "Outage", who: "A", at: opened))
        #expect(declined.id > 0)
        #expect(try await store.declines(scope: "E01").map(\.reason) == ["Outage"])
    }

    /// Decision 16: an appendix-4 score names a stored complaint of the entity; appendix 6 shows each item's mean with the
    /// number of replies scored, for the complaints of the period; the descriptive evaluation's latest text per item.
    @Test(arguments: StoreKind.all) func replyScoresNameAStoredComplaintAndTheFormsCarryTheDescription(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "R01", entity: "E01", kind: .remote, channels: ["website"]), at: opened)
        try await store.openAssessment(Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: opened, openedBy: "A"))
        let received = instant("2026-03-01T10:00:00+03:00")
        _ = try await store.save([
            TawasulComplaint(id: "T1", entity: "E01", channel: "website", receivedAt: received, slaDays: 5),
            TawasulComplaint(id: "T2", entity: "E01", channel: "website", receivedAt: received, slaDays: 5),
            TawasulComplaint(id: "T3", entity: "E01", channel: "website", receivedAt: received, slaDays: 5, type: .thanks),
            TawasulComplaint(id: "T9", entity: "E01", channel: "website", receivedAt: instant("2025-11-01T10:00:00+03:00"), slaDays: 5),
            TawasulComplaint(id: "X1", entity: "E02", channel: "website", receivedAt: received, slaDays: 5),
        ], importID: nil)
        func score(_ complaint: String, _ scores: [Int], entity: String = "E01") async throws -> Int64 {
            try await store.saveReplyScore(ReplyScore(complaint: complaint, entity: entity, evaluator: "C", at: opened, scores: scores))
        }
        await #expect(throws: AssessmentError.self) { _ = try await score("T404", [5, 5, 5, 5]) }  // not stored
        await #expect(throws: AssessmentError.self) { _ = try await score("X1", [5, 5, 5, 5]) }  // another entity's
        await #expect(throws: AssessmentError.self) { _ = try await score("T3", [5, 5, 5, 5]) }  // thanks, not a complaint
        _ = try await score("T1", [5, 4, 3, 5])
        _ = try await score("T2", [4, 4, 5, 3])
        _ = try await score("T9", [1, 1, 1, 1])  // a complaint of 2025: not this period's
        try await store.recordDescriptions([
            DescriptionEntry(assessment: "E01-2026", item: .channelStrengths, text: "first draft", evaluator: "C", at: opened),
            DescriptionEntry(assessment: "E01-2026", item: .channelStrengths, text: "The app's status tracking", evaluator: "C", at: opened),
        ])
        await #expect(throws: AssessmentError.self) {  // appendix 5's item on appendix 6's form
            try await store.recordDescriptions([DescriptionEntry(assessment: "E01-2026", item: .strengths, text: "x", evaluator: "C", at: opened)])
        }
        let sheet = try await store.assessmentSheet("E01-2026", policy: ThresholdPolicy(), now: instant("2027-01-10T10:00:00+03:00"))
        // T1 and T2: item 1 (5 + 4) / 2 = 4.5, item 2 4.0, item 3 4.0, item 4 4.0; overall 33 / 8 = 4.125.
        #expect(sheet.replies?.replies == 2)
        #expect(sheet.replies?.itemMeans == [4.5, 4.0, 4.0, 4.0])
        #expect(sheet.replies?.mean == 4.125)
        #expect(sheet.descriptions.map(\.text) == ["The app's status tracking"])
    }
}
