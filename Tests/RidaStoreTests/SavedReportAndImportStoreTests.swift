import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// The saved reports' life and the imports' bookkeeping, through the store protocols, on every `StoreKind`.
@Suite struct SavedReportAndImportStoreTests {
    let at = instant("2026-04-05T09:00:00+03:00")
    let q1 = Quarter(year: 2026, number: 1)

    func content(_ text: String) -> ReportContent {
        ReportContent(json: #"{"v":"\#(text)"}"#, sha256: text, engineVersion: "test")
    }

    /// Draft, refreshed, submitted, an action recorded and moved on, published and then frozen.
    @Test(arguments: StoreKind.all) func aSavedReportGoesFromDraftToPublishedAndStaysSo(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store: any SavedReportStore = fresh.store
        let draft = try await store.saveReport(scope: "C01", quarter: q1, by: "Quality", at: at, content: content("v1"))
        #expect(draft.status == .draft && draft.scope == "C01" && draft.quarter == q1 && draft.savedBy == "Quality")
        #expect(try await store.refreshReport(draft.id, content: content("v2")).contentSha256 == "v2")
        #expect(try await store.setReportStatus(draft.id, to: .submitted, at: at).status == .submitted)
        // Only a draft's content is taken again, and a status only moves forward.
        await #expect(throws: AssessmentError.self) { try await store.refreshReport(draft.id, content: content("v3")) }
        await #expect(throws: AssessmentError.self) { try await store.setReportStatus(draft.id, to: .draft, at: at) }
        let action = try await store.addReportAction(ReportAction(report: draft.id, who: "Head of centre", what: "Open a second counter",
                                                                  due: "2026-06-30", recordedAt: at))
        #expect(action.id > 0 && action.status == .open)
        let moved = try await store.setActionStatus(report: draft.id, action: action.id, to: .inProgress, note: "Approved", by: "Head", at: at)
        #expect(moved.status == .inProgress && moved.statusNote == "Approved")
        #expect(try await store.actionHistory(action.id).map(\.status) == [.open, .inProgress])
        // Publishing names the actions the content holds: a list that differs stores nothing.
        await #expect(throws: AssessmentError.self) {
            try await store.publishReport(draft.id, content: content("final"), page: PublishedPage(html: "<p>", sha256: "p"), actions: [], at: at)
        }
        let published = try await store.publishReport(draft.id, content: content("final"), page: PublishedPage(html: "<p>", sha256: "p"),
                                                      actions: [action.id], at: at)
        #expect(published.status == .published && published.publishedAt == at && published.pageSha256 == "p")
        let stored = try await store.savedReportContent(draft.id)
        #expect(stored.content == content("final") && stored.page == PublishedPage(html: "<p>", sha256: "p"))
        await #expect(throws: AssessmentError.self) {
            try await store.publishReport(draft.id, content: content("again"), page: PublishedPage(html: "x", sha256: "x"), actions: [action.id], at: at)
        }
        #expect(try await store.savedReports(scope: "C01", quarter: q1).map(\.id) == [draft.id])
        #expect(try await store.savedReports(scope: "C02", quarter: nil).isEmpty)
        #expect(try await store.existingSavedReport(draft.id).actions.map(\.id) == [action.id])
        #expect(try await store.savedReport(9_999) == nil)
        let missing = await #expect(throws: AssessmentError.self) { try await store.existingSavedReport(9_999) }
        #expect(missing?.kind == .notFound)
    }

    /// An import's record: begun (running), its counts grown with each batch saved under it, finished; and a file
    /// refused whole, recorded as failed with its reason.
    @Test(arguments: StoreKind.all) func anImportsRecordCountsWhatItsBatchesStored(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let id = try await store.beginImport(kind: "responses", source: "march.csv", sha256: "abc", byteCount: 120, mapping: nil, at: at)
        #expect(try await store.imports().map(\.status) == ["running"])
        // Batch 1: a and b new, 1 row rejected before the store; batch 2: a again (duplicate), b with other ratings (conflict), c new.
        _ = try await store.save([response("a"), response("b")], receivedAt: at, importID: id, rejected: 1)
        _ = try await store.save([response("a"), response("b", [1, 1, 1, 1]), response("c")], receivedAt: at, importID: id, rejected: 0)
        try await store.finishImport(id, at: at)
        let refused = try await store.recordRefusedImport(kind: "responses", source: "april.csv", sha256: "def", byteCount: 9,
                                                          mapping: "m.json", reason: "The file has no header row.", at: at)
        let records = try await store.imports()
        #expect(records.map(\.id) == [id, refused])
        #expect(records[0].status == "finished" && records[0].source == "march.csv" && records[0].byteCount == 120)
        // accepted a, b, c = 3; duplicates a = 1; conflicts b = 1; rejected 1.
        #expect(records[0].tally == SaveTally(accepted: 3, duplicates: 1, conflicts: 1, rejected: 1))
        #expect(records[1].status == "failed" && records[1].reason == "The file has no header row." && records[1].mapping == "m.json")
        #expect(records[1].tally == SaveTally())
        #expect(try await store.responseCount() == 3)
    }
}
