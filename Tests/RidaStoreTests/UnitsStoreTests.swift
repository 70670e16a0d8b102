import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Guide-notes decision 15: who runs a centre, the entities serving there, and the centres the guide leaves out.
@Suite struct UnitsStoreTests {
    let opened = instant("2026-12-01T09:00:00+03:00")

    @Test(arguments: StoreKind.all) func theRegistryKeepsWhoRunsACentreAndWhoServesThere(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let mall = Centre(id: "C07", entity: "E01", kind: .headquarters, channels: ["counter"], operator: .privateSector,
                          servingEntities: ["E02", "E03"])
        try await store.saveCentre(mall, at: opened)
        #expect(try await store.centre("C07") == mall)
        #expect(try await store.entities().map(\.id) == ["E01", "E02", "E03"])  // the serving entities are registered
        #expect(try await store.centreHistory("C07").last?.centre == mall)
        // Run privately, it needs its entities; a remote centre is never one.
        await #expect(throws: AssessmentError("Centre C08 was not saved: C08 is run by civil-society: it needs the government entities serving there (--serves E01,E02), each assessed on its own.")) {
            try await store.saveCentre(Centre(id: "C08", kind: .headquarters, operator: .civilSociety), at: opened)
        }
        await #expect(throws: AssessmentError.self) {
            try await store.saveCentre(Centre(id: "R01", entity: "E01", kind: .remote, operator: .privateSector, servingEntities: ["E01"]), at: opened)
        }
        // A serving entity is an entity, not a centre.
        await #expect(throws: AssessmentError.self) {
            try await store.saveCentre(Centre(id: "C09", kind: .headquarters, operator: .privateSector, servingEntities: ["C07"]), at: opened)
        }
        #expect(try await store.centre("C08") == nil)
    }

    @Test(arguments: StoreKind.all) func anExcludedCentreIsNotAssessedAndTheGuideSaysWhy(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "H01", entity: "E05", kind: .headquarters, channels: ["counter"], exclusion: .health), at: opened)
        try await store.saveCentre(Centre(id: "T01", entity: "E05", kind: .headquarters, channels: ["counter"], exclusion: .temporary), at: opened)
        try await store.saveCentre(Centre(id: "R05", entity: "E06", kind: .remote, channels: ["website"], exclusion: .financial), at: opened)
        do {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "H01", cycle: 2026, openedAt: opened, openedBy: "A"))
            Issue.record("an excluded centre was opened")
        } catch let error as AssessmentError {
            #expect(error.description.hasPrefix("The assessment H01-2026 was not opened: the registry records H01 as a health-sector centre"))
            #expect(error.description.contains("مراكز خدمة العملاء الحكومية التابعة للقطاع الصحي، المالي والمصرفي، والتعليمي"))
        }
        do {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "T01", cycle: 2026, openedAt: opened, openedBy: "A"))
            Issue.record("a temporary centre was opened")
        } catch let error as AssessmentError {
            #expect(error.description.contains("a temporary centre"))
            #expect(error.description.contains("المراكز التي يتم تشكيلها لتقديم خدمات حكومية مؤقتة"))
        }
        // Framework 2 through an excluded remote centre: refused too.
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .remote, unit: "E06", cycle: 2026, openedAt: opened, openedBy: "A"))
        }
        #expect(try await store.assessments().isEmpty)
        // Cleared (the registry was wrong), it opens.
        try await store.saveCentre(Centre(id: "T01", entity: "E05", kind: .headquarters, channels: ["counter"]), at: opened)
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "T01", cycle: 2026, openedAt: opened, openedBy: "A"))
        #expect(try await store.assessments().map(\.id) == ["T01-2026"])
    }

    /// A mall centre run by the private sector, where E02 and E03 serve: each is assessed on its own responses only.
    @Test(arguments: StoreKind.all) func aPrivatelyRunCentreIsAssessedEntityByEntityOnItsOwnResponses(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: opened)
        try await store.saveCentre(Centre(id: "C07", entity: "E01", kind: .headquarters, channels: ["counter", "kiosk"],
                                          operator: .privateSector, servingEntities: ["E02", "E03"]), at: opened)
        var responses: [SurveyResponse] = []
        // E02, 2026-Q1 at the counter: 9 responses rating 5 on all four questions, 1 rating 2: ratings of 4 or more
        // 9·4 = 36 of 10·4 = 40, 90%: 5·36 = 180 ≥ 4·40 = 160, met (2.3.2 and 2.3.3).
        for i in 0..<10 {
            let r = i < 9 ? 5 : 2
            responses.append(response("e2-\(i)", centre: "C07", channel: "counter", at: "2026-02-10T10:00:00+03:00", [r, r, r, r], entity: "E02"))
        }
        // E03, 2026-Q2 at the kiosk: 7 rating 4, 3 rating 2: 28 of 40 ratings are 4 or more (and 3 or more), 70%:
        // 5·28 = 140 < 160, not met (2.3.2 and 2.3.3).
        for i in 0..<10 {
            let r = i < 7 ? 4 : 2
            responses.append(response("e3-\(i)", centre: "C07", channel: "kiosk", at: "2026-05-10T10:00:00+03:00", [r, r, r, r], entity: "E03"))
        }
        // Five responses at C07 naming no entity, all 1: neither entity's assessment reads them.
        for i in 0..<5 {
            responses.append(response("none-\(i)", centre: "C07", channel: "counter", at: "2026-02-10T10:00:00+03:00", [1, 1, 1, 1]))
        }
        _ = try await store.save(responses, receivedAt: opened)

        // The centre as a whole is not a unit; an entity not serving there is refused; a government-run centre has no entities.
        do {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C07", cycle: 2026, openedAt: opened, openedBy: "A"))
            Issue.record("a privately run centre was opened as a whole")
        } catch let error as AssessmentError {
            #expect(error.description.contains("give --entity, one of E02, E03"))
            #expect(error.description.contains("تقيّم على حدة"))
        }
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C07", cycle: 2026, openedAt: opened, openedBy: "A", entity: "E04"))
        }
        await #expect(throws: AssessmentError.self) {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: opened, openedBy: "A", entity: "E01"))
        }
        for entity in ["E02", "E03"] {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C07", cycle: 2026, openedAt: opened, openedBy: "A", entity: entity))
        }
        let listed = try await store.assessments()
        #expect(listed.map(\.id) == ["C07@E02-2026", "C07@E03-2026"])
        #expect(listed.map(\.entity) == ["E02", "E03"])
        #expect(listed.map(\.centre) == ["C07", "C07"])

        let now = instant("2027-01-10T10:00:00+03:00")
        let e2 = try await store.assessmentSheet("C07@E02-2026", policy: ThresholdPolicy(), now: now)
        #expect(e2.line("2.3.2")?.computed?.outcome == .met)
        #expect(e2.line("2.3.3")?.computed?.outcome == .met)
        #expect(e2.line("2.3.3")?.computed?.checks.first?.figures?.responses == 10)  // E02's ten, not the five without an entity
        #expect(e2.line("2.3.3")?.computed?.checks.first?.figures?.ratings == 40)
        #expect(e2.line("2.3.3")?.computed?.checks.first?.detail.contains("36 of 40") == true)
        let e3 = try await store.assessmentSheet("C07@E03-2026", policy: ThresholdPolicy(), now: now)
        #expect(e3.line("2.3.2")?.computed?.outcome == .notMet)
        #expect(e3.line("2.3.3")?.computed?.outcome == .notMet)
        #expect(e3.line("2.3.3")?.computed?.checks.first?.figures?.responses == 10)
        #expect(e3.line("2.3.3")?.computed?.checks.first?.detail.contains("28 of 40") == true)
        // The kiosk's Q2 is E03's, the counter's Q1 E02's: the diagnosis per channel and quarter follows the entity.
        #expect(e3.line("2.3.3")?.computed?.checks.first { $0.label == "counter 2026-Q1" }?.outcome == .missingData)

        // Once assessed, who runs it stays and an entity serving there stays.
        await #expect(throws: AssessmentError.self) {
            try await store.saveCentre(Centre(id: "C07", entity: "E01", kind: .headquarters, channels: ["counter", "kiosk"],
                                              operator: .privateSector, servingEntities: ["E02"]), at: opened)
        }
    }
}
