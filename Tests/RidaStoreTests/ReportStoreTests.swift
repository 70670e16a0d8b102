import Foundation
import GRDB
import RidaAggregation
import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaStore

@Suite struct ReportStoreTests {
    let received = instant("2026-05-01T09:00:00Z")
    let q1 = Quarter(year: 2026, number: 1)

    /// 12 responses naming service A (ratings 5, 4, 3, 5 … by hand below), 3 naming B, 2 naming none; counters 1 and 2.
    func responses() -> [SurveyResponse] {
        var list: [SurveyResponse] = []
        for i in 0..<12 {
            list.append(response("a\(i)", [5, 4, i < 6 ? 3 : 5, nil], service: "A", counter: i < 10 ? "1" : "2",
                                 comment: i == 0 ? "ممتاز" : nil))
        }
        for i in 0..<3 { list.append(response("b\(i)", channel: "kiosk", [1, 2, 2, 1], service: "B", comment: "سيئ \(i)")) }
        for i in 0..<2 { list.append(response("n\(i)", [4, 4, 4, 4])) }
        return list
    }

    @Test func keepsServiceAndCounterRollupsAndCommentsInTheSaveTransaction() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        defer { try? store.close() }
        var batch = responses()
        batch.append(batch[0])  // a duplicate in the same batch is not counted again
        // Two batches: the second adds to the rows the first created.
        _ = try await store.save(Array(batch.prefix(7)), receivedAt: received)
        _ = try await store.save(Array(batch.dropFirst(7)), receivedAt: received)
        _ = try await store.save([batch[1]], receivedAt: received)  // nor a resend later

        let scope = ReportScope(quarter: q1, centre: "C01")
        let services = try await store.read { db in try SQLiteStore.detailCounts(.service, scope: scope, in: db) }
        let a = try #require(services["C01"]?["A"])
        #expect(a.responses == 12)
        #expect(a.scores[0] == [0, 0, 0, 0, 12])
        #expect(a.scores[2] == [0, 0, 6, 0, 6])
        #expect(a.scores[3] == [0, 0, 0, 0, 0])
        #expect(services["C01"]?["B"]?.responses == 3)
        #expect(services["C01"]?.count == 2)
        let counters = try await store.read { db in try SQLiteStore.detailCounts(.counter, scope: scope, in: db) }
        #expect(counters["C01"]?["1"]?.responses == 10 && counters["C01"]?["2"]?.responses == 2)
        // Narrowed to the kiosk: only B's three.
        let kiosk = try await store.read { db in try SQLiteStore.detailCounts(.service, scope: ReportScope(quarter: q1, centre: "C01", channel: "kiosk"), in: db) }
        #expect(kiosk["C01"]?.keys.sorted() == ["B"])

        let digest = try await store.read { db in
            try SQLiteStore.commentDigest(scope: scope, channels: .standard, zone: .bahrain, limit: 10, in: db)
        }
        #expect(digest.counts == [ChannelCommentCount(channel: "counter", comments: 1, lowRated: 0), ChannelCommentCount(channel: "kiosk", comments: 3, lowRated: 3)])
        // Low-rated first (B's: 6 / 4 = 1.5), then the 5, 4, 3: 12 / 3 = 4.
        #expect(digest.entries.map(\.text).prefix(3).allSatisfy { $0.hasPrefix("سيئ") })
        #expect(digest.entries.last?.text == "ممتاز")
        #expect(digest.entries.last?.day == "2026-02-01")
        let limited = try await store.read { db in try SQLiteStore.commentDigest(scope: scope, channels: .standard, zone: .bahrain, limit: 2, in: db) }
        #expect(limited.entries.count == 2 && limited.total == 4)
    }

    @Test(arguments: StoreKind.all) func aSnapshotHoldsTheReportTrendsBreakdownsAndComments(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let more = (0..<10).map { response("c\($0)", [4, 4, 4, 4], service: "C", counter: "3") }
        _ = try await store.save(responses() + more + [response("old", at: "2025-08-01T10:00:00+03:00", [2, 2, 2, 2])], receivedAt: received)
        let subject = try await store.reportSubject(centre: "C01")
        let snapshot = try await store.reportSnapshot(subject: subject, quarter: q1, policy: ThresholdPolicy(), channels: .standard, at: received)
        let report = try await store.quarterlyReport(ReportScope(quarter: q1, centre: "C01"), policy: ThresholdPolicy(), channels: .standard)
        #expect(snapshot.report == report)
        // Services: A (12) shown; B (3) suppressed, and with it the smallest other, C (10).
        let services = try #require(snapshot.services.first)
        #expect(services.rows.map(\.value) == ["A", "B", "C"])
        #expect(services.rows[0].figures?.responses == 12 && services.rows[1].suppressed && services.rows[2].suppressed)
        // Every figure of a cell is the same code's: Figures from the cell's counts.
        let sum: Double = 12 * 5 + 12 * 4 + 6 * 3 + 6 * 5
        #expect(services.rows[0].figures?.mean == sum / 36)
        // Counters 1 and 3 have 10 each, 2 has 2: 2 is hidden, and 1 with it (the smaller id of the two smallest).
        #expect(snapshot.counters.first?.rows.map(\.value) == ["3", "1", "2"])
        #expect(snapshot.counters.first?.rows.map(\.suppressed) == [false, true, true])
        // Eight quarters, oldest first; 2025-Q3 has the old response.
        let all = try #require(snapshot.trend.last)
        #expect(all.channel == nil)
        #expect(all.points.map(\.quarter) == q1.trailing(8))
        #expect(all.points.first { $0.quarter == Quarter(year: 2025, number: 3) }?.responses == 1)
        #expect(all.points.last?.responses == 27)
        #expect(snapshot.trend.map(\.channel) == ["counter", "kiosk", nil])
        #expect(snapshot.comments.total == 4)
    }

    @Test(arguments: StoreKind.all) func anEntitysReportCoversItsCentres(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", nameAr: "مركز المحرق", kind: .headquarters, channels: ["counter"]), at: received)
        try await store.saveCentre(Centre(id: "C02", entity: "E01", kind: .headquarters, channels: ["counter"]), at: received)
        _ = try await store.save([response("x1", centre: "C01"), response("x2", centre: "C02"), response("x3", centre: "C03")], receivedAt: received)
        let subject = try await store.reportSubject(entity: "E01")
        #expect(subject.kind == .entity && subject.centres.map(\.id) == ["C01", "C02"])
        let snapshot = try await store.reportSnapshot(subject: subject, quarter: q1, policy: ThresholdPolicy(), channels: .standard, at: received)
        #expect(snapshot.report.centres.map(\.centre) == ["C01", "C02"])
        #expect(snapshot.report.entity == "E01")
        #expect(try await store.reportSubject(scope: "E01") == subject)
        await #expect(throws: AssessmentError.self) { try await store.reportSubject(entity: "E99") }
    }

    @Test func theMigrationFillsTheNewTablesFromStoredResponses() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        // A file as the version before reports-v1 left it: its responses stored, no service rollups yet.
        let queue = try DatabaseQueue(path: temp.path)
        try Migrations.migrator(zone: .bahrain).migrate(queue, upTo: "assessment-v1")
        let earlier = try TemporaryDatabase()
        defer { earlier.remove() }
        let reference = try earlier.open()
        _ = try await reference.save(responses(), receivedAt: received)
        try reference.close()
        try queue.inDatabase { db in
            try db.execute(sql: "ATTACH DATABASE ? AS earlier", arguments: [earlier.path])
            // The columns the response table had then (later migrations add some, such as `entity`).
            let columns = "id, centre, channel, submittedAt, quarter, stage, q1, q2, q3, q4, service, counter, comment, surveyId, surveyVersion, importId, receivedAt"
            try db.execute(sql: "INSERT INTO survey SELECT * FROM earlier.survey; INSERT INTO response SELECT \(columns) FROM earlier.response")
            try db.execute(sql: "DETACH DATABASE earlier")
        }
        try queue.close()
        let migrated = try temp.open()
        defer { try? migrated.close() }
        let saved = try earlier.open()
        defer { try? saved.close() }
        for table in ["serviceRollup", "counterRollup", "comment"] {
            let a = try await migrated.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4").map(\.description) }
            let b = try await saved.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4").map(\.description) }
            #expect(a == b, "\(table) after the migration is what saving the responses keeps")
            #expect(!a.isEmpty)
        }
    }

    // MARK: A report's life

    func content(_ text: String) -> ReportContent {
        ReportContent(json: "{\"x\":\"\(text)\"}", sha256: String(repeating: "a", count: 64), engineVersion: "test")
    }

    @Test func aPublishedReportIsFrozen() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let report = try await store.saveReport(scope: "C01", quarter: q1, by: "Q", at: received, content: content("draft"))
        #expect(report.contentSha256 == String(repeating: "a", count: 64) && report.engineVersion == "test")
        _ = try await store.refreshReport(report.id, content: content("draft, again"))
        _ = try await store.setReportStatus(report.id, to: .submitted, at: received)
        await #expect(throws: AssessmentError.self) { try await store.refreshReport(report.id, content: content("late")) }
        // Published only with its content and page: never by a bare change of status.
        await #expect(throws: AssessmentError.self) { try await store.setReportStatus(report.id, to: .published, at: received) }
        let action = try await store.addReportAction(ReportAction(report: report.id, who: "Head", what: "Act", recordedAt: received))
        await #expect(throws: AssessmentError.self) {
            try await store.publishReport(report.id, content: self.content("final"), page: PublishedPage(html: "<p>", sha256: "b"), actions: [], at: received)
        }
        let published = try await store.publishReport(report.id, content: content("final"), page: PublishedPage(html: "<p>page</p>", sha256: "b"),
                                                       actions: [action.id], at: received)
        #expect(published.status == .published && published.pageSha256 == "b" && published.publishedAt == received)
        let stored = try await store.savedReportContent(report.id)
        #expect(stored.content?.json == "{\"x\":\"final\"}" && stored.page?.html == "<p>page</p>")
        await #expect(throws: AssessmentError.self) {
            try await store.publishReport(report.id, content: self.content("again"), page: PublishedPage(html: "", sha256: ""), actions: [action.id], at: received)
        }
        try store.close()

        // Any other program is refused too: the triggers hold in the file.
        let queue = try DatabaseQueue(path: temp.path)
        defer { try? queue.close() }
        for sql in ["UPDATE savedReport SET content = '{}' WHERE id = 1", "UPDATE savedReport SET status = 'draft' WHERE id = 1",
                    "UPDATE savedReport SET pageSha256 = 'c' WHERE id = 1", "DELETE FROM savedReport WHERE id = 1"] {
            #expect(throws: DatabaseError.self) { try queue.inDatabase { db in try db.execute(sql: sql) } }
        }
        do {
            try queue.inDatabase { db in try db.execute(sql: "UPDATE savedReport SET content = '{}' WHERE id = 1") }
        } catch let error as DatabaseError {
            #expect(error.message?.contains("a published report is frozen") == true)
        }
        // Nor can a report be marked published without its content and page.
        try queue.inDatabase { db in
            try db.execute(sql: "INSERT INTO savedReport (scope, quarter, status, savedAt, savedBy) VALUES ('C02', '2026-Q1', 'draft', 'x', 'y')")
        }
        #expect(throws: DatabaseError.self) { try queue.inDatabase { db in try db.execute(sql: "UPDATE savedReport SET status = 'published' WHERE id = 2") } }
    }

    @Test(arguments: StoreKind.all) func aCorrectionIsANewVersionPointingToTheOneItReplaces(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let first = try await store.saveReport(scope: "E01", quarter: q1, by: "Q", at: received, content: content("v1"))
        // Only a published report is corrected.
        await #expect(throws: AssessmentError.self) { try await store.saveReport(scope: "E01", quarter: q1, by: "Q", at: received, replaces: first.id) }
        _ = try await store.publishReport(first.id, content: content("v1"), page: PublishedPage(html: "v1", sha256: "1"), actions: [], at: received)
        // A correction covers the same scope and quarter.
        await #expect(throws: AssessmentError.self) { try await store.saveReport(scope: "E02", quarter: q1, by: "Q", at: received, replaces: first.id) }
        let correction = try await store.saveReport(scope: "E01", quarter: q1, by: "Q", at: received, content: content("v2"), replaces: first.id)
        #expect(correction.replaces == first.id && correction.status == .draft)
        #expect(try await store.savedReport(first.id)?.replacedBy == nil)
        _ = try await store.publishReport(correction.id, content: content("v2"), page: PublishedPage(html: "v2", sha256: "2"), actions: [], at: received)
        #expect(try await store.savedReport(first.id)?.replacedBy == correction.id)
        // The first stays as it was published.
        #expect(try await store.savedReportContent(first.id).page?.html == "v1")
        // Once corrected, a second correction of the same version is refused: correct the correction.
        await #expect(throws: AssessmentError.self) { try await store.saveReport(scope: "E01", quarter: q1, by: "Q", at: received, replaces: first.id) }
        let list = try await store.savedReports(scope: "E01")
        #expect(list.map(\.id) == [first.id, correction.id])
    }
}
