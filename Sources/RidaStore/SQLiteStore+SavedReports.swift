import GRDB
import RidaAssessment
import RidaSurvey

extension SQLiteStore {
    /// Saves a quarterly report for `scope` (a centre, an entity, or `all`) as a draft, with its content when given;
    /// `replaces` names the published report it corrects (same scope and quarter). Returns it.
    public func saveReport(
        scope: String, quarter: Quarter, by who: String, at time: Instant, content: ReportContent? = nil, replaces: Int64? = nil
    ) async throws -> SavedReport {
        try await write { db in
            if let replaces {
                guard let replaced = try Self.report(replaces, in: db) else {
                    throw AssessmentError.noReport(replaces)
                }
                try replaced.refuseCorrection(scope: scope, quarter: quarter)
            }
            try db.execute(sql: """
                INSERT INTO savedReport (scope, quarter, status, savedAt, savedBy, content, contentSha256, engineVersion, replaces)
                VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)
                """, arguments: [scope, quarter.description, time.iso8601, who, content?.json, content?.sha256, content?.engineVersion, replaces])
            let id = db.lastInsertedRowID
            // A correction carries over the decisions and actions of the report it corrects, each with its whole history.
            if let replaces {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM reportAction WHERE reportId = ? ORDER BY id", arguments: [replaces]) {
                    let original: Int64 = row["id"]
                    try db.execute(sql: """
                        INSERT INTO reportAction (reportId, who, what, due, status, recordedAt, copiedFrom) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [id, row["who"], row["what"], row["due"], row["status"], row["recordedAt"], original])
                    try db.execute(sql: """
                        INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt)
                        SELECT ?, status, note, who, recordedAt FROM reportActionStatus WHERE actionId = ? ORDER BY id
                        """, arguments: [db.lastInsertedRowID, original])
                }
            }
            return try Self.report(id, in: db)!
        }
    }

    /// Replaces a draft's content with a new snapshot (responses imported since it was saved). Only drafts change.
    public func refreshReport(_ id: Int64, content: ReportContent) async throws -> SavedReport {
        try await write { db in
            let report = try Self.existingReport(id, in: db)
            guard report.status == .draft else {
                throw AssessmentError("Report #\(id) is \(report.status.rawValue): only a draft's content is taken again.")
            }
            try db.execute(sql: "UPDATE savedReport SET content = ?, contentSha256 = ?, engineVersion = ? WHERE id = ?",
                           arguments: [content.json, content.sha256, content.engineVersion, id])
            return try Self.report(id, in: db)!
        }
    }

    /// Marks a draft as submitted. Publishing freezes the content: see `publishReport(_:content:page:actions:at:)`.
    public func setReportStatus(_ id: Int64, to status: ReportStatus, at time: Instant) async throws -> SavedReport {
        try await write { db in
            let report = try Self.existingReport(id, in: db)
            let order: [ReportStatus] = [.draft, .submitted, .published]
            guard order.firstIndex(of: status)! > order.firstIndex(of: report.status)! else {
                throw AssessmentError("Report #\(id) is already \(report.status.rawValue): it cannot become \(status.rawValue).")
            }
            guard status != .published else {
                throw AssessmentError("Report #\(id) is published with its frozen content and page.", next: .publishReport(id))
            }
            try db.execute(sql: "UPDATE savedReport SET status = ?, submittedAt = ? WHERE id = ?", arguments: [status.rawValue, time.iso8601, id])
            return try Self.report(id, in: db)!
        }
    }

    /// Publishes a report and freezes it: its final content (the snapshot with the actions recorded and the publication),
    /// the engine version, the published page and their SHA-256 are stored, and triggers refuse any later change.
    /// `actions` are the ids of the actions the content holds: if others were recorded meanwhile, nothing is stored.
    public func publishReport(_ id: Int64, content: ReportContent, page: PublishedPage, actions: [Int64], at time: Instant) async throws -> SavedReport {
        try await write { db in
            let report = try Self.existingReport(id, in: db)
            guard report.status != .published else {
                throw AssessmentError("Report #\(id) is already published: it is frozen.", next: .correctReport(id))
            }
            guard report.actions.map(\.id) == actions else {
                throw AssessmentError("Actions were recorded on report #\(id) while it was being published: publish it again.")
            }
            try db.execute(sql: """
                UPDATE savedReport SET status = 'published', publishedAt = ?, submittedAt = coalesce(submittedAt, ?),
                       content = ?, contentSha256 = ?, engineVersion = ?, page = ?, pageSha256 = ?
                WHERE id = ?
                """, arguments: [time.iso8601, time.iso8601, content.json, content.sha256, content.engineVersion, page.html, page.sha256, id])
            return try Self.report(id, in: db)!
        }
    }

    /// The stored content of a saved report (nil when saved before contents were stored) and its published page.
    public func savedReportContent(_ id: Int64) async throws -> (content: ReportContent?, page: PublishedPage?) {
        try await read { db in
            _ = try Self.existingReport(id, in: db)
            let row = try Row.fetchOne(db, sql: "SELECT content, contentSha256, engineVersion, page, pageSha256 FROM savedReport WHERE id = ?", arguments: [id])!
            var content: ReportContent?
            if let json = row["content"] as String?, let sha = row["contentSha256"] as String?, let engine = row["engineVersion"] as String? {
                content = ReportContent(json: json, sha256: sha, engineVersion: engine)
            }
            var page: PublishedPage?
            if let html = row["page"] as String?, let sha = row["pageSha256"] as String? {
                page = PublishedPage(html: html, sha256: sha)
            }
            return (content, page)
        }
    }

    static func existingReport(_ id: Int64, in db: Database) throws -> SavedReport {
        guard let report = try report(id, in: db) else {
            throw AssessmentError.noReport(id)
        }
        return report
    }

    /// Records a decision or action taken after a report; returns it with its id.
    public func addReportAction(_ action: ReportAction) async throws -> ReportAction {
        try Self.checkAction(action)
        return try await write { db in
            guard try Self.report(action.report, in: db) != nil else {
                throw AssessmentError.noReport(action.report)
            }
            return try Self.insertAction(action, in: db)
        }
    }

    static func checkAction(_ action: ReportAction) throws {
        if action.who.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || action.what.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AssessmentError("An action needs who is responsible and what is to be done.")
        }
        if action.status == .dropped, (action.statusNote ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AssessmentError("Dropping an action needs a note saying why.", next: .dropActionWithNote)
        }
    }

    /// Inserts an action; a status other than open or done is recorded as a first status change, by its author, at once.
    static func insertAction(_ action: ReportAction, in db: Database) throws -> ReportAction {
        let initial: ReportAction.Status = action.status == .done ? .done : .open
        try db.execute(sql: "INSERT INTO reportAction (reportId, who, what, due, status, recordedAt, copiedFrom) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [action.report, action.who, action.what, action.due, initial.rawValue, action.recordedAt.iso8601, action.copiedFrom])
        let id = db.lastInsertedRowID
        if action.status != initial {
            try db.execute(sql: "INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, action.status.rawValue, action.statusNote, action.who, action.recordedAt.iso8601])
        }
        return try Self.action(id, in: db)!
    }

    /// Records a new status of an action (the earlier ones are kept); returns the action as it now stands.
    public func setActionStatus(report: Int64, action id: Int64, to status: ReportAction.Status, note: String?, by who: String, at time: Instant) async throws -> ReportAction {
        if status == .dropped, (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AssessmentError("Dropping an action needs a note saying why.")
        }
        return try await write { db in
            _ = try Self.existingReport(report, in: db)
            guard let action = try Self.action(id, in: db), action.report == report else {
                throw AssessmentError("Report #\(report) has no action #\(id).", notFound: true, next: .listActions)
            }
            if let copy = try Row.fetchOne(db, sql: "SELECT id, reportId FROM reportAction WHERE copiedFrom = ? ORDER BY id DESC LIMIT 1", arguments: [id]) {
                let copyID: Int64 = copy["id"], copyReport: Int64 = copy["reportId"]
                throw AssessmentError("Report #\(report) is corrected by #\(copyReport), which carries this action over as #\(copyID): record its status there.", next: .recordAction(report: copyReport, action: copyID))
            }
            guard action.status != status else {
                throw AssessmentError("Action #\(id) is already \(status.rawValue).")
            }
            try db.execute(sql: "INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, status.rawValue, note, who, time.iso8601])
            return try Self.action(id, in: db)!
        }
    }

    /// Every status an action has had, oldest first: the one it was recorded with, then each change.
    public func actionHistory(_ id: Int64) async throws -> [(status: ReportAction.Status, note: String?, who: String, at: Instant)] {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM reportAction WHERE id = ?", arguments: [id]) else {
                throw AssessmentError("There is no action #\(id).", notFound: true)
            }
            var history: [(status: ReportAction.Status, note: String?, who: String, at: Instant)] = [
                (ReportAction.Status(rawValue: row["status"]) ?? .open, nil, row["who"], Self.decodeInstant(row["recordedAt"])),
            ]
            for change in try Row.fetchAll(db, sql: "SELECT * FROM reportActionStatus WHERE actionId = ? ORDER BY id", arguments: [id]) {
                history.append((ReportAction.Status(rawValue: change["status"]) ?? .open, change["note"], change["who"], Self.decodeInstant(change["recordedAt"])))
            }
            return history
        }
    }

    /// Saved reports with their actions, optionally only of one scope or quarter, oldest first.
    public func savedReports(scope: String? = nil, quarter: Quarter? = nil) async throws -> [SavedReport] {
        try await read { db in
            var reports = try Self.reports(scopes: scope.map { [$0] }, in: db)
            if let quarter { reports = reports.filter { $0.quarter == quarter } }
            return reports
        }
    }

    /// The saved report #`id`, or an error saying there is none.
    public func existingSavedReport(_ id: Int64) async throws -> SavedReport {
        try await read { db in try Self.existingReport(id, in: db) }
    }

    public func savedReport(_ id: Int64) async throws -> SavedReport? {
        try await read { db in try Self.report(id, in: db) }
    }

    static let reportColumns = """
        id, scope, quarter, status, savedAt, savedBy, contentSha256, engineVersion, pageSha256, publishedAt, replaces,
        (SELECT c.id FROM savedReport c WHERE c.replaces = savedReport.id AND c.status = 'published') AS replacedBy
        """

    static func report(_ id: Int64, in db: Database) throws -> SavedReport? {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(reportColumns) FROM savedReport WHERE id = ?", arguments: [id]) else { return nil }
        var report = decodeReport(row)
        report.actions = try actions(of: [id], in: db)[id] ?? []
        return report
    }

    static func reports(scopes: [String]?, in db: Database) throws -> [SavedReport] {
        let rows: [Row]
        if let scopes {
            let marks = Array(repeating: "?", count: scopes.count).joined(separator: ", ")
            rows = try Row.fetchAll(db, sql: "SELECT \(reportColumns) FROM savedReport WHERE scope IN (\(marks)) ORDER BY id", arguments: StatementArguments(scopes))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT \(reportColumns) FROM savedReport ORDER BY id")
        }
        var reports = rows.map(decodeReport)
        let actions = try actions(of: reports.map(\.id), in: db)
        for i in reports.indices { reports[i].actions = actions[reports[i].id] ?? [] }
        return reports
    }

    /// The actions with their current status: the latest change recorded, or the status they were recorded with.
    static let actionColumns = """
        a.*, s.status AS changedStatus, s.note AS statusNote, s.who AS statusChangedBy, s.recordedAt AS statusChangedAt
        FROM reportAction a
        LEFT JOIN reportActionStatus s ON s.id = (SELECT max(id) FROM reportActionStatus WHERE actionId = a.id)
        """

    static func actions(of reports: [Int64], in db: Database) throws -> [Int64: [ReportAction]] {
        guard !reports.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: reports.count).joined(separator: ", ")
        var result: [Int64: [ReportAction]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT \(actionColumns) WHERE a.reportId IN (\(marks)) ORDER BY a.id", arguments: StatementArguments(reports)) {
            let action = decodeAction(row)
            result[action.report, default: []].append(action)
        }
        return result
    }

    static func action(_ id: Int64, in db: Database) throws -> ReportAction? {
        try Row.fetchOne(db, sql: "SELECT \(actionColumns) WHERE a.id = ?", arguments: [id]).map(decodeAction)
    }

    static func decodeAction(_ row: Row) -> ReportAction {
        let status = (row["changedStatus"] as String?) ?? row["status"]
        return ReportAction(id: row["id"], report: row["reportId"], who: row["who"], what: row["what"], due: row["due"],
                            status: ReportAction.Status(rawValue: status) ?? .open, recordedAt: decodeInstant(row["recordedAt"]),
                            statusChangedAt: (row["statusChangedAt"] as String?).map(decodeInstant), statusChangedBy: row["statusChangedBy"],
                            statusNote: row["statusNote"], copiedFrom: row["copiedFrom"])
    }

    static func decodeReport(_ row: Row) -> SavedReport {
        SavedReport(id: row["id"], scope: row["scope"], quarter: Quarter(row["quarter"] as String) ?? Quarter(year: 1970, number: 1),
                    status: ReportStatus(rawValue: row["status"]) ?? .draft, savedAt: decodeInstant(row["savedAt"]), savedBy: row["savedBy"],
                    contentSha256: row["contentSha256"], engineVersion: row["engineVersion"], pageSha256: row["pageSha256"],
                    publishedAt: (row["publishedAt"] as String?).map(decodeInstant), replaces: row["replaces"], replacedBy: row["replacedBy"])
    }

    // MARK: Decline reasons (framework 2, 3.2.3)

    /// Records why satisfaction declined in a quarter; returns it with its id.
    public func recordDecline(_ decline: DeclineReason) async throws -> DeclineReason {
        guard !decline.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AssessmentError("A decline needs its reason.")
        }
        return try await write { db in
            try db.execute(sql: "INSERT INTO declineReason (scope, channel, quarter, reason, who, recordedAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [decline.scope, decline.channel, decline.quarter.description, decline.reason, decline.who, decline.at.iso8601])
            var stored = decline
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// The decline reasons recorded for `scope`, or for every scope when nil.
    public func declines(scope: String?) async throws -> [DeclineReason] {
        try await read { db in try Self.declines(scopes: scope.map { [$0] }, in: db) }
    }

    static func declines(scopes: [String]?, in db: Database) throws -> [DeclineReason] {
        let rows: [Row]
        if let scopes {
            let marks = Array(repeating: "?", count: scopes.count).joined(separator: ", ")
            rows = try Row.fetchAll(db, sql: "SELECT * FROM declineReason WHERE scope IN (\(marks)) ORDER BY id", arguments: StatementArguments(scopes))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM declineReason ORDER BY id")
        }
        return rows.map { row in
            DeclineReason(id: row["id"], scope: row["scope"], channel: row["channel"],
                          quarter: Quarter(row["quarter"] as String) ?? Quarter(year: 1970, number: 1),
                          reason: row["reason"], who: row["who"], at: decodeInstant(row["recordedAt"]))
        }
    }
}
