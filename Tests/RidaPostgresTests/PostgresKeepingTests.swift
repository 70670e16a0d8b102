import Foundation
import PostgresNIO
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaPostgres

/// What migration 2's triggers keep on PostgreSQL, against any program writing the database (as `KeepingTests` and
/// `ReportStoreTests.aPublishedReportIsFrozen` prove of SQLite's): a published report is frozen, a report is published
/// only whole, and the kept histories refuse `UPDATE`, `DELETE` and `TRUNCATE`. Needs a server: RIDA_TEST_POSTGRES.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
struct PostgresKeepingTests: Sendable {
    let received = instant("2026-02-01T12:00:00+03:00")
    let q1 = Quarter(year: 2026, number: 1)

    /// The server's sentence when `sql` is refused, nil when it is not.
    func refusal(_ sql: String, on store: PostgresStore) async -> String? {
        do {
            try await store.transaction { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: store.logger)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aPublishedReportIsFrozenAndPublishedOnlyWhole() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let store = database.store
        let content = ReportContent(json: "{\"x\":\"final\"}", sha256: String(repeating: "a", count: 64), engineVersion: "test")
        let report = try await store.saveReport(scope: "C01", quarter: q1, by: "Q", at: received, content: content)
        _ = try await store.publishReport(report.id, content: content, page: PublishedPage(html: "<p>page</p>", sha256: "b"), actions: [], at: received)
        for sql in ["UPDATE savedReport SET content = '{}' WHERE id = 1", "UPDATE savedReport SET status = 'draft' WHERE id = 1",
                    "UPDATE savedReport SET pageSha256 = 'c' WHERE id = 1"] {
            #expect(await refusal(sql, on: store)?.contains("a published report is frozen: publish a correction instead") == true, "\(sql)")
        }
        #expect(await refusal("DELETE FROM savedReport WHERE id = 1", on: store)?.contains("saved reports are never deleted") == true)
        #expect(await refusal("TRUNCATE savedReport CASCADE", on: store)?.contains("saved reports are never deleted") == true)
        #expect(try await store.savedReportContent(report.id).content == content)

        let draft = try await store.saveReport(scope: "C02", quarter: q1, by: "Q", at: received)
        #expect(await refusal("UPDATE savedReport SET status = 'published' WHERE id = \(draft.id)", on: store)?
            .contains("a report is published with its content, engine version, page and their SHA-256") == true)
        _ = try await store.setReportStatus(draft.id, to: .submitted, at: received)
        #expect(await refusal("UPDATE savedReport SET status = 'draft' WHERE id = \(draft.id)", on: store)?
            .contains("a report's status only moves forward") == true)
        #expect(await refusal("UPDATE savedReport SET scope = 'C03' WHERE id = \(draft.id)", on: store)?
            .contains("a saved report's scope, quarter, author and what it replaces never change") == true)
    }

    @Test func theKeptHistoriesRefuseChangesDeletionsAndTruncation() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let store = database.store
        try await store.saveCentre(Centre(id: "C01", entity: nil, kind: .headquarters, channels: ["counter"]), at: received)
        let assessment = Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: received, openedBy: "A")
        try await store.openAssessment(assessment)
        let entry = HistoryEntry(assessment: assessment.id, criterion: "1.1.1", verdict: .met, evaluator: "A", at: received,
                                 note: "seen on the visit")
        _ = try await store.record([entry])
        let report = try await store.saveReport(scope: "C01", quarter: q1, by: "Q", at: received)
        _ = try await store.addReportAction(ReportAction(report: report.id, who: "Head", what: "Act", recordedAt: received))
        _ = try await store.recordDecline(DeclineReason(scope: "C01", channel: nil, quarter: q1, reason: "works", who: "Q", at: received))
        // Each table's sentences: on UPDATE, on DELETE and TRUNCATE.
        let kept: [(String, String, String)] = [
            ("assessmentEntry", "the assessment history is append-only: record a new entry instead", "the assessment history is append-only: entries are never deleted"),
            ("assessment", "an assessment is never changed once opened", "assessments are never deleted"),
            ("reportAction", "actions are never changed: record their status instead", "actions are never deleted: record their status instead"),
            ("declineReason", "decline reasons are never changed: record another reason", "decline reasons are never deleted: record another reason"),
        ]
        for (table, changed, deleted) in kept {
            #expect(await refusal("UPDATE \(table) SET id = id", on: store)?.contains(changed) == true, "\(table)")
            for sql in ["DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
                #expect(await refusal(sql, on: store)?.contains(deleted) == true, "\(sql)")
            }
        }
        #expect(try await store.history(of: assessment.id).map(\.note) == ["seen on the visit"])
        #expect(try await store.check(.full) == [])
    }

    func attempt<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Two instances publishing one report at the same moment: one publishes it, the other is told it is published
    /// already (its row is locked first, so the second reads what the first committed), never a database error.
    @Test func oneReportPublishedThroughTwoInstancesAtOnceIsPublishedOnce() async throws {
        let database = try await PostgresTestDatabase.create()
        defer { database.remove() }
        let other = try await database.openAgain()
        let content = ReportContent(json: "{}", sha256: String(repeating: "a", count: 64), engineVersion: "test")
        for round in 0..<5 {
            let report = try await database.store.saveReport(scope: "C0\(round)", quarter: q1, by: "Q", at: received, content: content)
            let page = PublishedPage(html: "<p></p>", sha256: "b")
            async let a = attempt { try await database.store.publishReport(report.id, content: content, page: page, actions: [], at: received) }
            async let b = attempt { try await other.publishReport(report.id, content: content, page: page, actions: [], at: received) }
            let results = await [a, b]
            #expect(results.filter { (try? $0.get()) != nil }.count == 1)
            let refused = results.compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(refused.count == 1 && refused.allSatisfy { ($0 as? AssessmentError)?.description == "Report #\(report.id) is already published: it is frozen." },
                    "\(refused)")
        }
        await other.close()
    }
}
