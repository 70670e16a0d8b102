import GRDB
import RidaAssessment
import RidaSurvey

extension SQLiteStore {
    /// Saves a quarterly report for `scope` (a centre, an entity, or `all`) as a draft; returns it.
    public func saveReport(scope: String, quarter: Quarter, by who: String, at time: Instant) async throws -> SavedReport {
        try await write { db in
            try db.execute(sql: "INSERT INTO savedReport (scope, quarter, status, savedAt, savedBy) VALUES (?, ?, 'draft', ?, ?)",
                           arguments: [scope, quarter.description, time.iso8601, who])
            return SavedReport(id: db.lastInsertedRowID, scope: scope, quarter: quarter, status: .draft, savedAt: time, savedBy: who)
        }
    }

    /// Moves a report forward: draft → submitted → published (a draft may be published at once). Never back.
    public func setReportStatus(_ id: Int64, to status: ReportStatus, at time: Instant) async throws -> SavedReport {
        try await write { db in
            guard let report = try Self.report(id, in: db) else {
                throw AssessmentError("There is no saved report #\(id): rida report list shows them.", notFound: true)
            }
            let order: [ReportStatus] = [.draft, .submitted, .published]
            guard order.firstIndex(of: status)! > order.firstIndex(of: report.status)! else {
                throw AssessmentError("Report #\(id) is already \(report.status.rawValue): it cannot become \(status.rawValue).")
            }
            let column = status == .published ? "publishedAt" : "submittedAt"
            try db.execute(sql: "UPDATE savedReport SET status = ?, \(column) = ? WHERE id = ?", arguments: [status.rawValue, time.iso8601, id])
            var updated = report
            updated.status = status
            return updated
        }
    }

    /// Records a decision or action taken after a report; returns it with its id.
    public func addReportAction(_ action: ReportAction) async throws -> ReportAction {
        try await write { db in
            guard try Self.report(action.report, in: db) != nil else {
                throw AssessmentError("There is no saved report #\(action.report): rida report list shows them.", notFound: true)
            }
            try db.execute(sql: "INSERT INTO reportAction (reportId, who, what, due, status, recordedAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [action.report, action.who, action.what, action.due, action.status.rawValue, action.recordedAt.iso8601])
            var stored = action
            stored.id = db.lastInsertedRowID
            return stored
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

    public func savedReport(_ id: Int64) async throws -> SavedReport? {
        try await read { db in try Self.report(id, in: db) }
    }

    static func report(_ id: Int64, in db: Database) throws -> SavedReport? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM savedReport WHERE id = ?", arguments: [id]) else { return nil }
        var report = decodeReport(row)
        report.actions = try actions(of: [id], in: db)[id] ?? []
        return report
    }

    static func reports(scopes: [String]?, in db: Database) throws -> [SavedReport] {
        let rows: [Row]
        if let scopes {
            let marks = Array(repeating: "?", count: scopes.count).joined(separator: ", ")
            rows = try Row.fetchAll(db, sql: "SELECT * FROM savedReport WHERE scope IN (\(marks)) ORDER BY id", arguments: StatementArguments(scopes))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM savedReport ORDER BY id")
        }
        var reports = rows.map(decodeReport)
        let actions = try actions(of: reports.map(\.id), in: db)
        for i in reports.indices { reports[i].actions = actions[reports[i].id] ?? [] }
        return reports
    }

    static func actions(of reports: [Int64], in db: Database) throws -> [Int64: [ReportAction]] {
        guard !reports.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: reports.count).joined(separator: ", ")
        var result: [Int64: [ReportAction]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM reportAction WHERE reportId IN (\(marks)) ORDER BY id", arguments: StatementArguments(reports)) {
            let action = ReportAction(id: row["id"], report: row["reportId"], who: row["who"], what: row["what"], due: row["due"],
                                      status: ReportAction.Status(rawValue: row["status"]) ?? .open, recordedAt: decodeInstant(row["recordedAt"]))
            result[action.report, default: []].append(action)
        }
        return result
    }

    static func decodeReport(_ row: Row) -> SavedReport {
        SavedReport(id: row["id"], scope: row["scope"], quarter: Quarter(row["quarter"] as String) ?? Quarter(year: 1970, number: 1),
                    status: ReportStatus(rawValue: row["status"]) ?? .draft, savedAt: decodeInstant(row["savedAt"]), savedBy: row["savedBy"])
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
