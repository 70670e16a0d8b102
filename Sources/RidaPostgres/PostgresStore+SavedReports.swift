import Foundation
import Logging
import PostgresNIO
import RidaAssessment
import RidaStore
import RidaSurvey

/// Saved reports, their actions with their status history, and decline reasons, as `SQLiteStore+SavedReports.swift`
/// keeps them: the same checks in the same order, the same sentences, the frozen content and page stored as sent with
/// their SHA-256 (the triggers of migration 2 refuse any later change). SQLite has one writer; here a change to a report
/// first locks its row (`FOR UPDATE`), so two instances changing one report at once take turns, and the second sees
/// what the first did.
extension PostgresStore: SavedReportStore {
    public func saveReport(
        scope: String, quarter: Quarter, by who: String, at time: Instant, content: ReportContent?, replaces: Int64?
    ) async throws -> SavedReport {
        try await transaction { connection in
            if let replaces {
                guard let replaced = try await Self.report(replaces, on: connection, logger: self.logger, locking: true) else {
                    throw AssessmentError.noReport(replaces)
                }
                try replaced.refuseCorrection(scope: scope, quarter: quarter)
            }
            let inserted = try await connection.query("""
                INSERT INTO savedReport (scope, quarter, status, savedAt, savedBy, content, contentSha256, engineVersion, replaces)
                VALUES (\(scope), \(quarter.description), 'draft', \(time.iso8601), \(who), \(content?.json), \(content?.sha256),
                        \(content?.engineVersion), \(replaces))
                RETURNING id
                """, logger: self.logger)
            let id = try await inserted.decode(Int64.self).first { _ in true } ?? 0
            // A correction carries over the decisions and actions of the report it corrects, each with its whole history.
            if let replaces {
                let originals = try await connection.query(
                    "SELECT id, who, what, due, status, recordedAt FROM reportAction WHERE reportId = \(replaces) ORDER BY id",
                    logger: self.logger)
                var rows: [(Int64, String, String, String?, String, String)] = []
                for try await row in originals.decode((Int64, String, String, String?, String, String).self) { rows.append(row) }
                for (original, who, what, due, status, recordedAt) in rows {
                    let copy = try await connection.query("""
                        INSERT INTO reportAction (reportId, who, what, due, status, recordedAt, copiedFrom)
                        VALUES (\(id), \(who), \(what), \(due), \(status), \(recordedAt), \(original)) RETURNING id
                        """, logger: self.logger)
                    let copyID = try await copy.decode(Int64.self).first { _ in true } ?? 0
                    try await connection.query("""
                        INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt)
                        SELECT \(copyID), status, note, who, recordedAt FROM reportActionStatus WHERE actionId = \(original) ORDER BY id
                        """, logger: self.logger)
                }
            }
            return try await Self.report(id, on: connection, logger: self.logger)!
        }
    }

    /// Replaces a draft's content with a new snapshot (responses imported since it was saved). Only drafts change.
    public func refreshReport(_ id: Int64, content: ReportContent) async throws -> SavedReport {
        try await transaction { connection in
            let report = try await Self.existingReport(id, on: connection, logger: self.logger, locking: true)
            guard report.status == .draft else {
                throw AssessmentError("Report #\(id) is \(report.status.rawValue): only a draft's content is taken again.")
            }
            try await connection.query("""
                UPDATE savedReport SET content = \(content.json), contentSha256 = \(content.sha256), engineVersion = \(content.engineVersion)
                WHERE id = \(id)
                """, logger: self.logger)
            return try await Self.report(id, on: connection, logger: self.logger)!
        }
    }

    public func setReportStatus(_ id: Int64, to status: ReportStatus, at time: Instant) async throws -> SavedReport {
        try await transaction { connection in
            let report = try await Self.existingReport(id, on: connection, logger: self.logger, locking: true)
            let order: [ReportStatus] = [.draft, .submitted, .published]
            guard order.firstIndex(of: status)! > order.firstIndex(of: report.status)! else {
                throw AssessmentError("Report #\(id) is already \(report.status.rawValue): it cannot become \(status.rawValue).")
            }
            guard status != .published else {
                throw AssessmentError("Report #\(id) is published with its frozen content and page.", next: .publishReport(id))
            }
            try await connection.query(
                "UPDATE savedReport SET status = \(status.rawValue), submittedAt = \(time.iso8601) WHERE id = \(id)", logger: self.logger)
            return try await Self.report(id, on: connection, logger: self.logger)!
        }
    }

    public func publishReport(_ id: Int64, content: ReportContent, page: PublishedPage, actions: [Int64], at time: Instant) async throws -> SavedReport {
        try await transaction { connection in
            let report = try await Self.existingReport(id, on: connection, logger: self.logger, locking: true)
            guard report.status != .published else {
                throw AssessmentError("Report #\(id) is already published: it is frozen.", next: .correctReport(id))
            }
            guard report.actions.map(\.id) == actions else {
                throw AssessmentError("Actions were recorded on report #\(id) while it was being published: publish it again.")
            }
            try await connection.query("""
                UPDATE savedReport SET status = 'published', publishedAt = \(time.iso8601), submittedAt = coalesce(submittedAt, \(time.iso8601)),
                       content = \(content.json), contentSha256 = \(content.sha256), engineVersion = \(content.engineVersion),
                       page = \(page.html), pageSha256 = \(page.sha256)
                WHERE id = \(id)
                """, logger: self.logger)
            return try await Self.report(id, on: connection, logger: self.logger)!
        }
    }

    public func savedReportContent(_ id: Int64) async throws -> (content: ReportContent?, page: PublishedPage?) {
        let (content, page) = try await snapshot { connection -> (ReportContent?, PublishedPage?) in
            _ = try await Self.existingReport(id, on: connection, logger: self.logger)
            let rows = try await connection.query(
                "SELECT content, contentSha256, engineVersion, page, pageSha256 FROM savedReport WHERE id = \(id)", logger: self.logger)
            var content: ReportContent?
            var page: PublishedPage?
            for try await (json, sha, engine, html, pageSha) in rows.decode((String?, String?, String?, String?, String?).self) {
                if let json, let sha, let engine { content = ReportContent(json: json, sha256: sha, engineVersion: engine) }
                if let html, let pageSha { page = PublishedPage(html: html, sha256: pageSha) }
            }
            return (content, page)
        }
        return (content, page)
    }

    public func addReportAction(_ action: ReportAction) async throws -> ReportAction {
        try Self.checkAction(action)
        return try await transaction { connection in
            guard try await Self.report(action.report, on: connection, logger: self.logger, locking: true) != nil else {
                throw AssessmentError.noReport(action.report)
            }
            return try await Self.insertAction(action, on: connection, logger: self.logger)
        }
    }

    public func setActionStatus(report: Int64, action id: Int64, to status: ReportAction.Status, note: String?, by who: String,
                                at time: Instant) async throws -> ReportAction {
        if status == .dropped, (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AssessmentError("Dropping an action needs a note saying why.")
        }
        return try await transaction { connection in
            _ = try await Self.existingReport(report, on: connection, logger: self.logger, locking: true)
            guard let action = try await Self.action(id, on: connection, logger: self.logger), action.report == report else {
                throw AssessmentError("Report #\(report) has no action #\(id).", notFound: true, next: .listActions)
            }
            let copies = try await connection.query(
                "SELECT id, reportId FROM reportAction WHERE copiedFrom = \(id) ORDER BY id DESC LIMIT 1", logger: self.logger)
            if let (copyID, copyReport) = try await copies.decode((Int64, Int64).self).first(where: { _ in true }) {
                throw AssessmentError("Report #\(report) is corrected by #\(copyReport), which carries this action over as #\(copyID): record its status there.", next: .recordAction(report: copyReport, action: copyID))
            }
            guard action.status != status else {
                throw AssessmentError("Action #\(id) is already \(status.rawValue).")
            }
            try await connection.query("""
                INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt)
                VALUES (\(id), \(status.rawValue), \(note), \(who), \(time.iso8601))
                """, logger: self.logger)
            return try await Self.action(id, on: connection, logger: self.logger)!
        }
    }

    public func actionHistory(_ id: Int64) async throws -> [(status: ReportAction.Status, note: String?, who: String, at: Instant)] {
        let entries = try await snapshot { connection -> [ActionHistoryEntry] in
            let first = try await connection.query("SELECT status, who, recordedAt FROM reportAction WHERE id = \(id)", logger: self.logger)
            guard let (status, who, at) = try await first.decode((String, String, String).self).first(where: { _ in true }) else {
                throw AssessmentError("There is no action #\(id).", notFound: true)
            }
            var history = [ActionHistoryEntry(status: ReportAction.Status(rawValue: status) ?? .open, note: nil, who: who, at: Self.decodeInstant(at))]
            let changes = try await connection.query(
                "SELECT status, note, who, recordedAt FROM reportActionStatus WHERE actionId = \(id) ORDER BY id", logger: self.logger)
            for try await (status, note, who, at) in changes.decode((String, String?, String, String).self) {
                history.append(ActionHistoryEntry(status: ReportAction.Status(rawValue: status) ?? .open, note: note, who: who,
                                                  at: Self.decodeInstant(at)))
            }
            return history
        }
        return entries.map { ($0.status, $0.note, $0.who, $0.at) }
    }

    public func savedReports(scope: String?, quarter: Quarter?) async throws -> [SavedReport] {
        try await snapshot { connection in
            var reports = try await Self.reports(scopes: scope.map { [$0] }, on: connection, logger: self.logger)
            if let quarter { reports = reports.filter { $0.quarter == quarter } }
            return reports
        }
    }

    public func existingSavedReport(_ id: Int64) async throws -> SavedReport {
        try await snapshot { connection in try await Self.existingReport(id, on: connection, logger: self.logger) }
    }

    public func savedReport(_ id: Int64) async throws -> SavedReport? {
        try await snapshot { connection in try await Self.report(id, on: connection, logger: self.logger) }
    }

    // MARK: Decline reasons (framework 2, 3.2.3)

    public func recordDecline(_ decline: DeclineReason) async throws -> DeclineReason {
        guard !decline.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AssessmentError("A decline needs its reason.")
        }
        return try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO declineReason (scope, channel, quarter, reason, who, recordedAt)
                VALUES (\(decline.scope), \(decline.channel), \(decline.quarter.description), \(decline.reason), \(decline.who), \(decline.at.iso8601))
                RETURNING id
                """, logger: self.logger)
            var stored = decline
            stored.id = try await rows.decode(Int64.self).first { _ in true } ?? 0
            return stored
        }
    }

    public func declines(scope: String?) async throws -> [DeclineReason] {
        try await read { connection in try await Self.declines(scopes: scope.map { [$0] }, on: connection, logger: self.logger) }
    }

    // MARK: On a connection

    static func declines(scopes: [String]?, on connection: PostgresConnection, logger: Logger) async throws -> [DeclineReason] {
        let rows = if let scopes {
            try await connection.query("""
                SELECT id, scope, channel, quarter, reason, who, recordedAt FROM declineReason WHERE scope = ANY(\(scopes)) ORDER BY id
                """, logger: logger)
        } else {
            try await connection.query(
                "SELECT id, scope, channel, quarter, reason, who, recordedAt FROM declineReason ORDER BY id", logger: logger)
        }
        var declines: [DeclineReason] = []
        for try await (id, scope, channel, quarter, reason, who, at)
            in rows.decode((Int64, String, String?, String, String, String, String).self) {
            declines.append(DeclineReason(id: id, scope: scope, channel: channel, quarter: Quarter(quarter) ?? Quarter(year: 1970, number: 1),
                                          reason: reason, who: who, at: decodeInstant(at)))
        }
        return declines
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
    static func insertAction(_ action: ReportAction, on connection: PostgresConnection, logger: Logger) async throws -> ReportAction {
        let initial: ReportAction.Status = action.status == .done ? .done : .open
        let rows = try await connection.query("""
            INSERT INTO reportAction (reportId, who, what, due, status, recordedAt, copiedFrom)
            VALUES (\(action.report), \(action.who), \(action.what), \(action.due), \(initial.rawValue), \(action.recordedAt.iso8601), \(action.copiedFrom))
            RETURNING id
            """, logger: logger)
        let id = try await rows.decode(Int64.self).first { _ in true } ?? 0
        if action.status != initial {
            try await connection.query("""
                INSERT INTO reportActionStatus (actionId, status, note, who, recordedAt)
                VALUES (\(id), \(action.status.rawValue), \(action.statusNote), \(action.who), \(action.recordedAt.iso8601))
                """, logger: logger)
        }
        return try await Self.action(id, on: connection, logger: logger)!
    }

    static func existingReport(_ id: Int64, on connection: PostgresConnection, logger: Logger, locking: Bool = false) async throws -> SavedReport {
        guard let report = try await report(id, on: connection, logger: logger, locking: locking) else {
            throw AssessmentError.noReport(id)
        }
        return report
    }

    static let reportColumns = """
        id, scope, quarter, status, savedAt, savedBy, contentSha256, engineVersion, pageSha256, publishedAt, replaces,
        (SELECT c.id FROM savedReport c WHERE c.replaces = savedReport.id AND c.status = 'published') AS replacedBy
        """

    /// The report #`id` with its actions; `locking` first locks its row until the transaction ends.
    static func report(_ id: Int64, on connection: PostgresConnection, logger: Logger, locking: Bool = false) async throws -> SavedReport? {
        if locking {
            try await connection.query("SELECT id FROM savedReport WHERE id = \(id) FOR UPDATE", logger: logger)
        }
        var binds = PostgresBindings()
        binds.append(id)
        let found = try await reports(PostgresQuery(unsafeSQL: "SELECT \(reportColumns) FROM savedReport WHERE id = $1", binds: binds),
                                      on: connection, logger: logger)
        return found.first
    }

    static func reports(scopes: [String]?, on connection: PostgresConnection, logger: Logger) async throws -> [SavedReport] {
        var binds = PostgresBindings()
        var sql = "SELECT \(reportColumns) FROM savedReport"
        if let scopes {
            binds.append(scopes)
            sql += " WHERE scope = ANY($1)"
        }
        return try await reports(PostgresQuery(unsafeSQL: sql + " ORDER BY id", binds: binds), on: connection, logger: logger)
    }

    static func reports(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [SavedReport] {
        var reports: [SavedReport] = []
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let (id, scope, quarter, status, savedAt, savedBy, contentSha, engine, pageSha, publishedAt, replaces, replacedBy) =
                try row.decode((Int64, String, String, String, String, String, String?, String?, String?, String?, Int64?, Int64?).self)
            reports.append(SavedReport(
                id: id, scope: scope, quarter: Quarter(quarter) ?? Quarter(year: 1970, number: 1),
                status: ReportStatus(rawValue: status) ?? .draft, savedAt: decodeInstant(savedAt), savedBy: savedBy,
                contentSha256: contentSha, engineVersion: engine, pageSha256: pageSha, publishedAt: publishedAt.map(decodeInstant),
                replaces: replaces, replacedBy: replacedBy))
        }
        let actions = try await self.actions(of: reports.map(\.id), on: connection, logger: logger)
        for i in reports.indices { reports[i].actions = actions[reports[i].id] ?? [] }
        return reports
    }

    /// The actions with their current status: the latest change recorded, or the status they were recorded with.
    static let actionSelect = """
        SELECT a.id, a.reportId, a.who, a.what, a.due, coalesce(s.status, a.status), a.recordedAt, s.recordedAt, s.who, s.note, a.copiedFrom
        FROM reportAction a
        LEFT JOIN reportActionStatus s ON s.id = (SELECT max(id) FROM reportActionStatus WHERE actionId = a.id)
        """

    static func actions(of reports: [Int64], on connection: PostgresConnection, logger: Logger) async throws -> [Int64: [ReportAction]] {
        guard !reports.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(reports)
        var result: [Int64: [ReportAction]] = [:]
        for action in try await actions(PostgresQuery(unsafeSQL: "\(actionSelect) WHERE a.reportId = ANY($1) ORDER BY a.id", binds: binds),
                                        on: connection, logger: logger) {
            result[action.report, default: []].append(action)
        }
        return result
    }

    static func action(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws -> ReportAction? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await actions(PostgresQuery(unsafeSQL: "\(actionSelect) WHERE a.id = $1", binds: binds), on: connection, logger: logger).first
    }

    static func actions(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [ReportAction] {
        var actions: [ReportAction] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, report, who, what, due, status, recordedAt, changedAt, changedBy, note, copiedFrom)
            in rows.decode((Int64, Int64, String, String, String?, String, String, String?, String?, String?, Int64?).self) {
            actions.append(ReportAction(
                id: id, report: report, who: who, what: what, due: due, status: ReportAction.Status(rawValue: status) ?? .open,
                recordedAt: decodeInstant(recordedAt), statusChangedAt: changedAt.map(decodeInstant), statusChangedBy: changedBy,
                statusNote: note, copiedFrom: copiedFrom))
        }
        return actions
    }

    /// An instant stored as ISO 8601 text; the epoch for a text that is not one (as SQLite's store reads it).
    static func decodeInstant(_ text: String) -> Instant {
        instant(text) ?? Instant(millisecondsSince1970: 0)
    }
}

/// One status of an action's history (a tuple is not `Sendable` out of a transaction's closure).
struct ActionHistoryEntry: Sendable {
    var status: ReportAction.Status
    var note: String?
    var who: String
    var at: Instant
}
