import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Guide-notes decision 15: who runs a centre, the entities serving there, and the centres the guide leaves out.
@Suite struct UnitsStoreTests {
    let opened = instant("2026-12-01T09:00:00+03:00")

    @Test func theRegistryKeepsWhoRunsACentreAndWhoServesThere() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
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
        try store.close()
    }

    @Test func anExcludedCentreIsNotAssessedAndTheGuideSaysWhy() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
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
        try store.close()
    }
}
