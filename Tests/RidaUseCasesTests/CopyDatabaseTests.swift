import Foundation
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// `CopyDatabase`: a store holding every kind of data copied into an empty one and back, verified; a destination that
/// holds data refused untouched; the copier's table list against both stores' schemas.
@Suite struct CopyDatabaseTests {
    /// Both stores' schemas name exactly the copier's tables: a table a migration adds fails here until the copier
    /// knows it (where it goes in the order, and that its rows are carried).
    @Test(arguments: StoreKind.all) func theCopierKnowsEveryTableOfTheStore(_ kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = try #require(fresh.store as? any StoreCopying)
        let stored = try await store.storedTables().map { $0.lowercased() }.sorted()
        #expect(stored == CopyDatabase.tables.map { $0.lowercased() }.sorted())
        #expect(Set(CopyDatabase.tables).count == 32)
    }

    /// SQLite to SQLite, always; SQLite to PostgreSQL and back to a new SQLite file when a server is there.
    @Test func everythingIsCopiedToSQLiteAndReadsTheSame() async throws {
        let f = try await Fixture(.sqliteFile)
        defer { f.remove() }
        let published = try await Self.fill(f)
        let target = try TemporaryDatabase(name: "copy.sqlite")
        defer { target.remove() }
        let copy = try target.open()
        defer { try? copy.close() }
        // Batches of 2 rows: every table of more is read in several (by rowid, or by a composite primary key).
        let summary = try await CopyDatabase(from: try f.sqlite, to: copy, batchSize: 2).run()
        try await Self.expectCopied(summary, published: published)
        Self.expectSame(try await Self.portrait(copy), try await Self.portrait(f.store))
        try await Self.expectNextIdsFollow(copy)
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "RIDA_TEST_POSTGRES is not set"))
    func everythingIsCopiedToPostgreSQLAndBack() async throws {
        let f = try await Fixture(.sqliteFile)
        defer { f.remove() }
        let published = try await Self.fill(f)
        let original = try await Self.portrait(f.store)
        let postgres = try await PostgresTestDatabase.create()
        defer { postgres.remove() }
        let there = try await CopyDatabase(from: try f.sqlite, to: postgres.store).run()
        try await Self.expectCopied(there, published: published)
        Self.expectSame(try await Self.portrait(postgres.store), original)

        let target = try TemporaryDatabase(name: "back.sqlite")
        defer { target.remove() }
        let back = try target.open()
        defer { try? back.close() }
        let again = try await CopyDatabase(from: postgres.store, to: back, batchSize: 3).run()
        try await Self.expectCopied(again, published: published)
        Self.expectSame(try await Self.portrait(back), original)
        // The published page renders byte for byte from each, and verifies.
        let pages = try await [f.store, postgres.store, back].asyncMap { store in
            try await SavedReports(store: store, policy: Fixture.policy, channels: Fixture.channels, now: { Fixture.now })
                .render(published, format: .html).document.bytes
        }
        #expect(pages[0] == pages[1] && pages[1] == pages[2])
        let verified = try await SavedReports(store: back, policy: Fixture.policy, channels: Fixture.channels, now: { Fixture.now })
            .verify(published)
        #expect(verified.check.holds)
        // PostgreSQL's identities were moved past the copied ids.
        try await Self.expectNextIdsFollow(postgres.store)
        try await Self.expectNextIdsFollow(back)
    }

    /// A store in memory copies out (its one connection is its snapshot), but takes no copy: the copy's transaction
    /// needs a connection of its own to a file.
    @Test func aStoreInMemoryCopiesOutButNotIn() async throws {
        let f = try await Fixture(.sqliteMemory)
        defer { f.remove() }
        let target = try TemporaryDatabase()
        defer { target.remove() }
        let file = try target.open()
        defer { try? file.close() }
        let memory = try #require(f.store as? SQLiteStore)
        let summary = try await CopyDatabase(from: memory, to: file).run()
        #expect(summary.tables.first { $0.table == "response" }?.rows == 7)
        #expect(try await file.responseCount() == 7)
        let empty = try SQLiteStore.inMemory()
        await #expect(throws: StoreError.unavailable(path: ":memory:", reason: "a copy is written into a database file, not into one in memory")) {
            try await CopyDatabase(from: file, to: empty).run()
        }
    }

    /// A destination holding anything is refused with a sentence and what to do, and is left exactly as it was.
    @Test(arguments: [StoreKind.sqliteFile] + (StoreKind.postgresURL != nil ? [StoreKind.postgres] : []))
    func aDestinationHoldingDataIsRefusedUntouched(_ kind: StoreKind) async throws {
        let f = try await Fixture(.sqliteFile)
        defer { f.remove() }
        let fresh = try await kind.open()
        defer { fresh.remove() }
        _ = try await fresh.store.save([response("held", comment: "باقية")], receivedAt: Fixture.now)
        let destination = try #require(fresh.store as? any StoreCopying)
        let refused = try await #require(throws: UseCaseError.self) {
            try await CopyDatabase(from: try f.sqlite, to: destination, destinationName: "dest").run()
        }
        #expect(refused.code == "copy_destination_not_empty")
        #expect(refused.kind == .conflict)
        #expect(refused.nextStep == .copyIntoEmptyDatabase)
        // One response made a quarterly rollup row and a comment, needs the survey it answers, and made its centre known to
        // the registry (with its log's first entry); it was received more than 35 days after it was submitted: no day rollup.
        #expect(refused.description == "The destination dest holds data already (rows: 1 in survey, 1 in response, 1 in rollup, 1 in comment, 1 in centre, 1 in centreChange), and a copy goes only into a database that holds nothing; nothing was copied.")
        #expect(try await fresh.store.responseCount() == 1)
        #expect(try await fresh.store.centres().map(\.id) == ["C01"])
        #expect(try await fresh.store.check(.full).isEmpty)
    }

    // MARK: The data

    /// Adds to the fixture (registry E01, E02, C01, C03; 7 responses) one of everything else, and returns the id of the
    /// published report. Counts by hand, per table, in `expectCopied`.
    static func fill(_ f: Fixture) async throws -> Int64 {
        let store = f.store
        let now = Fixture.now
        // A remote centre with an Arabic name, then renamed: two entries in its log.
        try await store.saveCentre(Centre(id: "R01", entity: "E01", nameAr: "الخدمات الإلكترونية", kind: .remote, channels: ["website"]), at: now)
        try await store.saveCentre(Centre(id: "R01", entity: "E01", nameAr: "الخدمات الإلكترونية للهيئة", kind: .remote, channels: ["website", "chat"]),
                                   at: instant("2026-05-02T12:00:00+03:00"))
        // An import of two responses, one with an Arabic comment, service, counter, stage and entity.
        let importID = try await store.beginImport(kind: "responses", source: "ردود.csv", sha256: String(repeating: "a", count: 64),
                                                   byteCount: 120, mapping: nil, at: now)
        _ = try await store.save([
            response("i1", centre: "C01", at: "2026-03-20T09:30:00+03:00", stage: .after, [5, nil, 4, 3], service: "إصدار جواز",
                     counter: "7", comment: "خدمة ممتازة، شكراً 🌟", entity: "E01"),
            response("i2", centre: "R01", channel: "website", at: "2026-03-21T23:30:00+03:00", [1, 2, 3, 4], comment: "Slow \"page\"; \n second line"),
        ], receivedAt: now, importID: importID, rejected: 1)
        try await store.finishImport(importID, at: now)
        try await store.recordRefusedImport(kind: "tawasul", source: "bad.csv", sha256: String(repeating: "b", count: 64), byteCount: 3,
                                            mapping: nil, reason: "الملف فارغ", at: now)
        // An assessment with its history, descriptions, and closed (frozen verdicts).
        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: now, openedBy: "Lead"))
        try await store.record([
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .met, evaluator: "مقيم", at: now, note: "زيارة ميدانية"),
            HistoryEntry(assessment: "C01-2026", criterion: "1.1.1", verdict: .notMet, evaluator: "E2", at: now, note: "الموقف تغيّر", mechanism: .fieldVisit),
        ])
        try await store.recordDescriptions([
            DescriptionEntry(assessment: "C01-2026", item: .strengths, text: "استقبال ودود", evaluator: "E", at: now),
        ])
        try await store.closeAssessment("C01-2026", by: "Lead", policy: Fixture.policy, now: now)
        // Evidence: a Tawasul complaint import, a contact, a reply score, a day the live display served.
        let tawasul = try await store.beginImport(kind: "tawasul", source: "tawasul.xlsx", sha256: String(repeating: "c", count: 64),
                                                  byteCount: 4096, mapping: "tawasul", at: now)
        _ = try await store.save([
            TawasulComplaint(id: "T1", entity: "E01", channel: "website", topic: "تأخر الرد", receivedAt: instant("2026-02-01T10:00:00+03:00"),
                             answeredAt: instant("2026-02-03T10:00:00+03:00"), slaDays: 5, status: "مغلقة"),
            TawasulComplaint(id: "T2", entity: "E01", channel: "mobile_app", receivedAt: instant("2026-02-05T10:00:00+03:00"), slaDays: 3,
                             type: .suggestion, dueAt: instant("2026-02-08T10:00:00+03:00")),
        ], importID: tawasul)
        try await store.finishImport(tawasul, at: now)
        _ = try await store.save([ContactRecord(id: "K1", entity: "E01", channel: "call_centre", contactedAt: instant("2026-02-01T08:00:00+03:00"))],
                                 importID: nil)
        try await store.saveReplyScore(ReplyScore(complaint: "T1", entity: "E01", evaluator: "E", at: now, scores: [5, 4, 4, 5], note: "رد وافٍ"))
        try await store.recordLiveDisplayServed(centre: "C01", at: now)
        // The customers C01's counter served in 2026-Q1, as an entity counts them.
        _ = try await store.saveServed([ServedCount(centre: "C01", channel: "counter", quarter: try #require(Quarter("2026-Q1")), customers: 40)],
                                       importID: nil, rejected: 0, at: now)
        // A saved report: an action, submitted, published, its action's status, then a correction; a decline reason.
        let reports = f.savedReports
        let quarter = try #require(Quarter("2026-Q1"))
        let saved = try await reports.save(scope: "E01", quarter: quarter, by: "Quality lead")
        let action = try await reports.decide(ReportAction(report: saved.report.id, who: "مدير المركز", what: "تدريب الموظفين",
                                                           due: "2026-06-30", status: .open, recordedAt: now))
        _ = try await reports.submit(saved.report.id)
        let published = try await reports.publish(saved.report.id)
        _ = try await reports.setActionStatus(report: saved.report.id, action: action.id, to: .inProgress, note: "بدأ", by: "Head")
        _ = try await reports.correct(saved.report.id, by: "Quality lead")
        _ = try await reports.recordDecline(DeclineReason(scope: "E01", channel: "website", quarter: quarter, reason: "عطل في النظام",
                                                          who: "Lead", at: now))
        // A kiosk hammered at C03: twelve answers in twelve seconds from key 9, set aside (a burst); two reinstated.
        _ = try await store.save((0..<12).map { i in
            var r = response("m\(i)", centre: "C03", channel: "kiosk", at: String(format: "2026-02-10T10:00:%02d+03:00", i), [5, 5, 5, 5],
                             comment: i == 3 ? "ممتاز ممتاز" : nil)
            r.source = "key:9"
            return r
        }, receivedAt: now)
        #expect(try await store.reinstate(.ids(["m3", "m4"]), by: "الجودة", reason: "زبونان حقيقيان", at: now) == ["m3", "m4"])
        // An unhappy customer who asked to be called: a case, assigned and noted in Arabic (three events).
        var unhappy = response("f1", centre: "C01", channel: "counter", at: "2026-02-11T10:00:00+03:00", [1, 2, 2, 1], comment: "لم يتصل بي أحد")
        unhappy.contact = FollowUpContact(phone: "+97333334444")
        _ = try await store.save([unhappy], receivedAt: now)
        let followUp = try #require(try await store.cases(CaseQuery()).first)
        _ = try await store.updateCase(followUp.id, CaseChange(owner: "فاطمة", note: "سأتصل صباحاً"), by: "الجودة", at: now)
        // An invitation not answered yet, its token kept only as a hash.
        _ = try await store.createInvitations([InvitationDraft(centre: "C01", channel: "counter", service: "تجديد", counter: "٧",
                                                               expiresAt: now.adding(milliseconds: 86_400_000))],
                                              tokenHashes: [InvitationToken.generate().hash], by: "نظام الانتظار", at: now)
        // Two keys, one revoked.
        _ = try await store.createKey(APIKeySecret.generate(), label: "كشك ١", role: .submitter, centre: "C01", channels: ["kiosk"], at: now)
        let old = try await store.createKey(APIKeySecret.generate(), label: "quality", role: .quality, centre: nil, channels: nil, at: now)
        try await store.revokeKey(old.id, at: now)
        return published.report.id
    }

    /// The rows of each table, counted by hand from the fixture and `fill`, and each verified.
    static func expectCopied(_ summary: CopyDatabase.Summary, published: Int64) async throws {
        let rows = Dictionary(uniqueKeysWithValues: summary.tables.map { ($0.table, $0.rows) })
        #expect(summary.tables.map(\.table) == CopyDatabase.tables)
        #expect(summary.tables.filter { !$0.verified }.isEmpty)
        #expect(rows["response"] == 22)                // 7 of the fixture, 2 imported, 12 from a hammered kiosk, f1
        #expect(rows["followUpCase"] == 1 && rows["followUpEvent"] == 3)
        #expect(rows["invitation"] == 1)  // f1's case: opened, assigned, a note
        #expect(rows["misuseDecision"] == 2)           // m3 and m4 reinstated
        #expect(rows["comment"] == 4)                  // i1's, i2's, the reinstated m3's and f1's
        #expect(rows["survey"] == 1)                   // all answer the standard questionnaire
        // Quarterly rollups: 2026-Q1 C01 counter, C03 kiosk, R01 website; 2026-Q2 C01 counter.
        #expect(rows["rollup"] == 4)
        #expect(rows["serviceRollup"] == 1 && rows["counterRollup"] == 1)
        #expect(rows["import"] == 3)
        #expect(rows["entity"] == 2 && rows["centre"] == 3 && rows["centreChange"] == 4)  // C01, C03, R01 twice
        #expect(rows["assessment"] == 1 && rows["assessmentEntry"] == 2 && rows["assessmentClosing"] == 1)
        #expect(rows["assessmentDescription"] == 1)
        #expect(rows["tawasulComplaint"] == 2 && rows["contact"] == 1 && rows["replyScore"] == 1 && rows["liveDisplayDay"] == 1)
        #expect(rows["savedReport"] == 2 && rows["reportAction"] == 2 && rows["reportActionStatus"] == 2)
        // the correction copies the action with its one status change
        #expect(rows["declineReason"] == 1 && rows["apiKey"] == 2)
        #expect(rows["customersServed"] == 1)          // C01's counter in 2026-Q1
        #expect(summary.publishedReports == 1)
        #expect(summary.notes.isEmpty)
        _ = published
    }

    /// Everything a store answers through the protocols, as text: two stores holding the same give the same.
    static func portrait(_ store: any RidaStorage) async throws -> [String] {
        var lines: [String] = []
        func add(_ name: String, _ value: Any) { lines.append("\(name): \(value)") }
        add("responses", try await store.responseCount())
        for id in ["a1", "a2", "a3", "a4", "k1", "k2", "b1", "i1", "i2"] { add(id, String(describing: try await store.response(id: id))) }
        add("entities", try await store.entities())
        add("centres", try await store.centres())
        for id in ["C01", "C03", "R01"] { add("log \(id)", try await store.centreHistory(id).map { "\($0.at) \($0.centre)" }) }
        add("imports", try await store.imports())
        let quarters = try await store.quartersWithResponses()
        add("quarters", quarters)
        add("counts", try await store.counts(for: quarters).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.sorted { "\($0.key)" < "\($1.key)" })" })
        add("days", try await store.dayCounts(centre: "C01", from: CivilDate(daysSince1970: 20_400), through: CivilDate(daysSince1970: 20_600))
            .sorted { $0.key < $1.key })
        add("assessments", try await store.assessments())
        add("history", try await store.history(of: "C01-2026"))
        add("descriptions", try await store.descriptions(of: "C01-2026"))
        // JSON with sorted keys: a dictionary's description has no fixed order.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sheet = try await store.assessmentSheet("C01-2026", policy: Fixture.policy, now: Fixture.now)
        add("sheet", String(decoding: try encoder.encode(sheet), as: UTF8.self))
        add("complaints", try await store.complaints(entity: "E01"))
        add("contacts", try await store.contacts(entity: "E01"))
        add("scores", try await store.replyScores(entity: nil))
        add("display", try await store.liveDisplayDays(centre: "C01"))
        add("served", try await store.servedCounts(quarter: Quarter("2026-Q1")!, centre: nil))
        for followUp in try await store.cases(CaseQuery()) {
            add("case \(followUp.id)", followUp)
            add("case \(followUp.id) events", try await store.caseEvents(followUp.id))
        }
        let saved = try await store.savedReports()
        add("saved", saved)
        for report in saved {
            let (content, page) = try await store.savedReportContent(report.id)
            add("content \(report.id)", "\(String(describing: content)) \(String(describing: page))")
            for action in report.actions { add("action \(action.id)", try await store.actionHistory(action.id).map { "\($0)" }) }
        }
        add("declines", try await store.declines(scope: nil))
        add("keys", try await store.keys())
        add("set aside", try await store.setAsideResponses(centre: nil, quarter: nil, limit: 100))
        add("set aside counts", try await store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: nil))
        for id in ["m3", "m4", "m5"] { add(id, String(describing: try await store.response(id: id))) }
        add("comments", try await store.comments(in: ReportScope(quarter: try #require(Quarter("2026-Q1")))))
        let show = ShowReport(store: store, policy: Fixture.policy, channels: Fixture.channels, now: { Fixture.now })
        for format in [ReportRequest.Format.csv, .json, .html] {
            let report = try await show.run(ReportRequest(quarter: "2026-Q1", entity: "E01", format: format))
            add("report \(format)", ReportFreezing.sha256(report.bytes))
        }
        return lines
    }

    /// The two portraits line by line, so a difference names what differs.
    static func expectSame(_ copy: [String], _ original: [String]) {
        #expect(copy.count == original.count)
        for (line, expected) in zip(copy, original) { #expect(line == expected) }
    }

    /// After a copy, what is recorded next takes the next id: no collision with a copied row.
    static func expectNextIdsFollow(_ store: any RidaStorage) async throws {
        let quarter = try #require(Quarter("2026-Q1"))
        let decline = try await store.recordDecline(DeclineReason(scope: "E01", channel: nil, quarter: quarter, reason: "r", who: "w", at: Fixture.now))
        #expect(decline.id == 2)
        let key = try await store.createKey(APIKeySecret.generate(), label: "next", role: .admin, centre: nil, channels: nil, at: Fixture.now)
        #expect(key.id == 3)
        #expect(try await store.saveReport(scope: "C01", quarter: quarter, by: "w", at: Fixture.now).id == 3)
        _ = try await store.save([response("after-copy", comment: "بعد النسخ")], receivedAt: Fixture.now)
        #expect(try await store.responseCount() == 23)
        var next = response("after-copy-2", [1, 1, 1, 1])
        next.contact = FollowUpContact(email: "x@example.bh")
        _ = try await store.save([next], receivedAt: Fixture.now)
        #expect(try await store.cases(CaseQuery()).map(\.id) == [2, 1])
        #expect(try await store.check(.full).isEmpty)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
