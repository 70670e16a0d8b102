import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// What the assessment and the reports rest on is kept: nothing is deleted, replaced or rewritten behind their back.
@Suite struct KeepingTests {
    let at = instant("2026-12-01T09:00:00+03:00")
    let q2 = Quarter(year: 2026, number: 2)
    static let hasShell = FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")

    @Test(.enabled(if: hasShell, "needs the sqlite3 shell (.ci/run installs it)"))
    func declinesReportsAndActionsCannotBeRewritten() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        _ = try await store.recordDecline(DeclineReason(scope: "E01", channel: nil, quarter: q2, reason: "Outage", who: "A", at: at))
        let report = try await store.saveReport(scope: "E01", quarter: q2, by: "A", at: at)
        _ = try await store.addReportAction(ReportAction(report: report.id, who: "Head", what: "Shorten the form", recordedAt: at))
        _ = try await store.setReportStatus(report.id, to: .submitted, at: at)

        let attempts: [(sql: String, message: String)] = [
            ("UPDATE declineReason SET reason = 'none';", "never changed"),
            ("DELETE FROM declineReason;", "never deleted"),
            ("INSERT OR REPLACE INTO declineReason (id, scope, quarter, reason, who, recordedAt) SELECT id, scope, quarter, 'x', who, recordedAt FROM declineReason;", "never replaced"),
            ("DELETE FROM savedReport;", "never deleted"),
            ("UPDATE savedReport SET status = 'draft';", "only moves forward"),
            ("UPDATE savedReport SET scope = 'E02';", "never change"),
            ("UPDATE savedReport SET content = 'x';", "changes only when it is published"),
            ("UPDATE savedReport SET contentSha256 = 'forged', pageSha256 = 'forged';", "changes only when it is published"),
            ("INSERT OR REPLACE INTO savedReport (id, scope, quarter, status, savedAt, savedBy) SELECT id, scope, quarter, 'draft', savedAt, 'M' FROM savedReport;", "never replaced"),
            ("UPDATE reportAction SET status = 'done';", "record their status"),
            ("DELETE FROM reportAction;", "never deleted"),
            ("INSERT OR REPLACE INTO reportAction (id, reportId, who, what, status, recordedAt) SELECT id, reportId, who, 'x', status, recordedAt FROM reportAction;", "never replaced"),
        ]
        for attempt in attempts {
            let result = try sqlite3(temp.path, attempt.sql)
            #expect(result.status != 0, "\(attempt.sql)")
            #expect(result.stderr.contains(attempt.message), "\(attempt.sql): \(result.stderr)")
        }
        #expect(try await store.declines(scope: "E01").map(\.reason) == ["Outage"])
        let kept = try #require(try await store.savedReport(report.id))
        #expect(kept.status == .submitted && kept.scope == "E01" && kept.actions.map(\.what) == ["Shorten the form"])
        try store.close()
    }

    @Test(.enabled(if: hasShell, "needs the sqlite3 shell (.ci/run installs it)"))
    func anActionsStatusIsAHistoryAndACorrectionCarriesTheActionsOver() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let report = try await store.saveReport(scope: "C01", quarter: q2, by: "A", at: at)
        let first = try await store.addReportAction(ReportAction(report: report.id, who: "Head", what: "Open a second counter", due: "2026-09-30", recordedAt: at))
        let second = try await store.addReportAction(ReportAction(report: report.id, who: "IT", what: "Fix the kiosk", status: .inProgress, recordedAt: at))
        #expect(first.status == .open && second.status == .inProgress)
        #expect(second.statusChangedBy == "IT")

        let later = instant("2026-12-05T09:00:00+03:00")
        let done = try await store.setActionStatus(report: report.id, action: first.id, to: .done, note: "Opened on 1 December", by: "Quality", at: later)
        #expect(done.status == .done && done.statusNote == "Opened on 1 December" && done.statusChangedBy == "Quality" && done.statusChangedAt == later)
        await #expect(throws: AssessmentError.self) {
            try await store.setActionStatus(report: report.id, action: first.id, to: .done, note: nil, by: "Quality", at: later)
        }
        await #expect(throws: AssessmentError.self) {  // dropping needs a reason
            try await store.setActionStatus(report: report.id, action: second.id, to: .dropped, note: " ", by: "Quality", at: later)
        }
        await #expect(throws: AssessmentError.self) {  // the action belongs to another report
            try await store.setActionStatus(report: report.id + 1, action: first.id, to: .open, note: nil, by: "Quality", at: later)
        }
        let history = try await store.actionHistory(first.id)
        #expect(history.map(\.status) == [.open, .done])
        #expect(history.map(\.who) == ["Head", "Quality"])
        let shell = try sqlite3(temp.path, "DELETE FROM reportActionStatus;")
        #expect(shell.status != 0 && shell.stderr.contains("append-only"))

        _ = try await store.publishReport(report.id, content: ReportContent(json: "{}", sha256: "x", engineVersion: "test"),
                                          page: PublishedPage(html: "<p>", sha256: "y"), actions: [first.id, second.id], at: later)
        let correction = try await store.saveReport(scope: "C01", quarter: q2, by: "B", at: later, replaces: report.id)
        #expect(correction.actions.map(\.what) == ["Open a second counter", "Fix the kiosk"])
        #expect(correction.actions.map(\.status) == [.done, .inProgress])
        #expect(correction.actions.map(\.copiedFrom) == [first.id, second.id])
        #expect(correction.actions.map(\.due) == ["2026-09-30", nil])
        #expect(correction.actions[0].statusNote == "Opened on 1 December")
        // A copy carries the original's whole history, as it happened.
        let copied = try await store.actionHistory(correction.actions[0].id)
        #expect(copied.map(\.status) == history.map(\.status))
        #expect(copied.map(\.who) == history.map(\.who))
        #expect(copied.map(\.at) == history.map(\.at))
        // The published original keeps its own actions; their status is recorded on the correction from now on.
        #expect(try await store.savedReport(report.id)?.actions.map(\.id) == [first.id, second.id])
        let copy = correction.actions[1]
        await #expect(throws: AssessmentError("Report #\(report.id) is corrected by #\(correction.id), which carries this action over as #\(copy.id): record its status there.", next: .recordAction(report: correction.id, action: copy.id))) {
            try await store.setActionStatus(report: report.id, action: second.id, to: .done, note: nil, by: "Quality", at: later)
        }
        #expect(try await store.setActionStatus(report: correction.id, action: copy.id, to: .done, note: nil, by: "Quality", at: later).status == .done)
        await #expect(throws: AssessmentError.self) {  // dropped from the start needs its note too
            try await store.addReportAction(ReportAction(report: correction.id, who: "IT", what: "Replace the kiosk", status: .dropped, recordedAt: later))
        }
        try store.close()
    }

    @Test(.enabled(if: hasShell, "needs the sqlite3 shell (.ci/run installs it)"))
    func aPublishedCorrectionCannotBeReplacedThroughItsUniqueIndex() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let store = try temp.open()
        let content = ReportContent(json: "{}", sha256: "x", engineVersion: "test")
        let page = PublishedPage(html: "<p>", sha256: "y")
        // Published straight from a draft, and a draft refreshed before it is published: both still work.
        let original = try await store.saveReport(scope: "C01", quarter: q2, by: "A", at: at)
        _ = try await store.publishReport(original.id, content: content, page: page, actions: [], at: at)
        let correction = try await store.saveReport(scope: "C01", quarter: q2, by: "A", at: at, content: content, replaces: original.id)
        _ = try await store.refreshReport(correction.id, content: ReportContent(json: "{\"a\":1}", sha256: "z", engineVersion: "test"))
        _ = try await store.publishReport(correction.id, content: content, page: page, actions: [], at: at)
        let attempts: [(sql: String, message: String)] = [
            ("""
             INSERT OR REPLACE INTO savedReport (scope, quarter, status, savedAt, savedBy, content, contentSha256, engineVersion, page, pageSha256, replaces)
             VALUES ('C01', '2026-Q2', 'published', 'x', 'Mallory', '{}', 'f', 'e', '<p>', 'f', \(original.id));
             """, "never replaced"),
            ("""
             INSERT INTO savedReport (scope, quarter, status, savedAt, savedBy, replaces) VALUES ('C01', '2026-Q2', 'draft', 'x', 'Mallory', \(original.id));
             UPDATE OR REPLACE savedReport SET status = 'published', content = '{}', contentSha256 = 'f', engineVersion = 'e', page = '<p>', pageSha256 = 'f'
             WHERE savedBy = 'Mallory';
             """, "one published correction"),
        ]
        for attempt in attempts {
            let result = try sqlite3(temp.path, attempt.sql)
            #expect(result.status != 0, "\(attempt.sql)")
            #expect(result.stderr.contains(attempt.message), "\(attempt.sql): \(result.stderr)")
        }
        let kept = try #require(try await store.savedReport(correction.id))
        #expect(kept.status == .published && kept.savedBy == "A" && kept.replaces == original.id)
        #expect(try await store.savedReport(original.id)?.replacedBy == correction.id)
        try store.close()
    }

    @Test(arguments: StoreKind.all) func anAssessedCentreKeepsItsKindAndEntityAndEveryChangeIsLogged(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: at)
        try await store.saveCentre(Centre(id: "R01", entity: "E01", kind: .remote, channels: ["website"]), at: at)
        let later = instant("2026-12-02T09:00:00+03:00")
        try await store.saveCentre(Centre(id: "C01", entity: "E01", nameEn: "Main centre", kind: .headquarters, channels: ["counter", "kiosk"]), at: later)
        try await store.saveCentre(Centre(id: "C01", entity: "E01", nameEn: "Main centre", kind: .headquarters, channels: ["counter", "kiosk"]), at: later)
        let log = try await store.centreHistory("C01")
        #expect(log.map(\.centre.channels) == [["counter"], ["counter", "kiosk"]])  // saving it unchanged logs nothing
        #expect(log.map(\.at) == [at, later])

        try await store.openAssessment(Assessment(framework: .headquarters, unit: "C01", cycle: 2026, openedAt: at, openedBy: "A"))
        try await store.openAssessment(Assessment(framework: .remote, unit: "E01", cycle: 2026, openedAt: at, openedBy: "A"))
        await #expect(throws: AssessmentError("C01 is assessed as a headquarters centre (C01-2026): its kind and entity cannot change while that assessment rests on it.")) {
            try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .remote, channels: ["website"]), at: later)
        }
        await #expect(throws: AssessmentError("C01 is assessed as a headquarters centre (C01-2026): its kind and entity cannot change while that assessment rests on it.")) {
            try await store.saveCentre(Centre(id: "C01", entity: "E02", kind: .headquarters, channels: ["counter", "kiosk"]), at: later)
        }
        await #expect(throws: AssessmentError("C01 is assessed as a headquarters centre (C01-2026): its channels can be added to but not removed (kiosk would leave the verdicts).")) {
            try await store.saveCentre(Centre(id: "C01", entity: "E01", kind: .headquarters, channels: ["counter"]), at: later)
        }
        await #expect(throws: AssessmentError("R01 is the remote centre of E01, assessed in E01-2026: its kind and entity cannot change while that assessment rests on it.")) {
            try await store.saveCentre(Centre(id: "R01", entity: "E02", kind: .remote, channels: ["website"]), at: later)
        }
        // Renaming or adding a channel stays possible.
        try await store.saveCentre(Centre(id: "R01", entity: "E01", nameAr: "الخدمات الإلكترونية", kind: .remote, channels: ["website", "chat"]), at: later)
        #expect(try await store.centre("R01")?.nameAr == "الخدمات الإلكترونية")
        #expect(try await store.centreHistory("R01").count == 2)
    }

    @Test(arguments: StoreKind.all) func frameworkOneAssessesOnlyACentreKnownToBeAHeadquarters(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        try await store.saveCentre(Centre(id: "C09", entity: "E01"), at: at)
        await #expect(throws: AssessmentError("The registry does not say whether C09 is a headquarters or a remote centre: framework 1 assesses a headquarters centre.", next: .registerHeadquarters("C09"))) {
            try await store.openAssessment(Assessment(framework: .headquarters, unit: "C09", cycle: 2026, openedAt: at, openedBy: "A"))
        }
        #expect(try await store.assessments().isEmpty)
    }

    @Test(arguments: StoreKind.all) func aTawasulComplaintStaysWithItsEntity(kind: StoreKind) async throws {
        let fresh = try await kind.open()
        defer { fresh.remove() }
        let store = fresh.store
        let received = instant("2026-03-01T10:00:00+03:00")
        let t1 = TawasulComplaint(id: "T1", entity: "E01", channel: "website", topic: "login", receivedAt: received, slaDays: 5)
        #expect(try await store.save([t1], importID: nil) == [.created])
        var moved = t1
        moved.entity = "E02"
        let t2 = TawasulComplaint(id: "T2", entity: "E02", channel: "website", topic: "login", receivedAt: received, slaDays: 5)
        await #expect(throws: AssessmentError.self) { try await store.save([t2, moved], importID: nil) }
        #expect(try await store.complaints(entity: "E01") == [t1])
        #expect(try await store.complaints(entity: "E02").isEmpty)  // the whole batch was refused
    }
}

@Suite struct CentreChannelTests {
    @Test func aCentreServesChannelsOfItsOwnKind() {
        let catalog = ChannelCatalog.standard
        #expect(Centre(id: "C01", kind: .headquarters, channels: ["counter", "kiosk"]).channelProblems(in: catalog).isEmpty)
        #expect(Centre(id: "R01", kind: .remote, channels: ["website", "call_centre"]).channelProblems(in: catalog).isEmpty)
        #expect(Centre(id: "C01", kind: .headquarters, channels: ["counter", "website", "fax"]).channelProblems(in: catalog).map(\.reason) == [
            "fax is not a channel of this deployment (known: counter, kiosk, call_centre, website, mobile_app, chat, email, social)",
            "C01 is a headquarters centre but website is a channel of the other kind (headquarters channels: counter, kiosk)",
        ])
        // Until its kind is known, only unknown channels are a problem.
        #expect(Centre(id: "C02", channels: ["counter", "website"]).channelProblems(in: catalog).isEmpty)
    }
}
