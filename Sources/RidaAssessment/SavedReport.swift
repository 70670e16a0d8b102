import RidaSurvey

// Saved quarterly reports: their states, their frozen content and published page, the actions taken after them and
// the reasons recorded for a decline. The store keeps them (`SavedReportStore`).

/// The states of a saved quarterly report.
public enum ReportStatus: String, Codable, Sendable, CaseIterable {
    case draft
    case submitted
    case published
}

/// A quarterly report saved for a scope (a centre, an entity, or `all`), with the decisions and actions taken after it.
///
/// Its content (a `ReportSnapshot` as JSON) is taken when it is saved and frozen when it is published, with the
/// engine version, the published page and the SHA-256 of each. A correction is a new report that `replaces` a published one.
public struct SavedReport: Codable, Sendable, Hashable {
    public var id: Int64
    public var scope: String
    public var quarter: Quarter
    public var status: ReportStatus
    public var savedAt: Instant
    public var savedBy: String
    public var actions: [ReportAction]
    /// The SHA-256 of the stored content; nil for a report saved before contents were stored.
    public var contentSha256: String?
    public var engineVersion: String?
    /// The SHA-256 of the published page.
    public var pageSha256: String?
    public var publishedAt: Instant?
    /// The published report this one corrects.
    public var replaces: Int64?
    /// The published correction of this report, if any.
    public var replacedBy: Int64?

    public init(id: Int64, scope: String, quarter: Quarter, status: ReportStatus, savedAt: Instant, savedBy: String, actions: [ReportAction] = [],
                contentSha256: String? = nil, engineVersion: String? = nil, pageSha256: String? = nil, publishedAt: Instant? = nil,
                replaces: Int64? = nil, replacedBy: Int64? = nil) {
        self.id = id
        self.scope = scope
        self.quarter = quarter
        self.status = status
        self.savedAt = savedAt
        self.savedBy = savedBy
        self.actions = actions
        self.contentSha256 = contentSha256
        self.engineVersion = engineVersion
        self.pageSha256 = pageSha256
        self.publishedAt = publishedAt
        self.replaces = replaces
        self.replacedBy = replacedBy
    }
}

/// A report's content as stored: a snapshot's JSON, its SHA-256 and the engine version that took it.
public struct ReportContent: Sendable, Hashable {
    public var json: String
    public var sha256: String
    public var engineVersion: String

    public init(json: String, sha256: String, engineVersion: String) {
        self.json = json
        self.sha256 = sha256
        self.engineVersion = engineVersion
    }
}

/// The page a report was published as, and its SHA-256.
public struct PublishedPage: Sendable, Hashable {
    public var html: String
    public var sha256: String

    public init(html: String, sha256: String) {
        self.html = html
        self.sha256 = sha256
    }
}

/// A decision or improvement action taken after a report: who does what, by when.
public struct ReportAction: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case open
        case inProgress
        case done
        /// Decided against, with a note saying why.
        case dropped

        /// Reads `open`, `in-progress`, `inProgress`, `done`, `dropped`.
        public init?(text: String) {
            guard let found = Status.loosely(text) else { return nil }
            self = found
        }
    }

    public var id: Int64
    public var report: Int64
    public var who: String
    public var what: String
    /// `YYYY-MM-DD`.
    public var due: String?
    /// The current status: the latest one recorded, or the one the action was recorded with.
    public var status: Status
    public var recordedAt: Instant
    /// When the status last changed after the action was recorded, by whom, and the note given.
    public var statusChangedAt: Instant?
    public var statusChangedBy: String?
    public var statusNote: String?
    /// The action of the corrected report this one was carried over from.
    public var copiedFrom: Int64?

    public init(id: Int64 = 0, report: Int64, who: String, what: String, due: String? = nil, status: Status = .open, recordedAt: Instant,
                statusChangedAt: Instant? = nil, statusChangedBy: String? = nil, statusNote: String? = nil, copiedFrom: Int64? = nil) {
        self.id = id
        self.report = report
        self.who = who
        self.what = what
        self.due = due
        self.status = status
        self.recordedAt = recordedAt
        self.statusChangedAt = statusChangedAt
        self.statusChangedBy = statusChangedBy
        self.statusNote = statusNote
        self.copiedFrom = copiedFrom
    }
}

/// The reason recorded for a decline of satisfaction in a quarter (framework 2, 3.2.3).
public struct DeclineReason: Codable, Sendable, Hashable {
    public var id: Int64
    /// The entity (or centre) whose satisfaction declined.
    public var scope: String
    /// Nil when the reason covers every channel of the scope.
    public var channel: String?
    /// The quarter in which the decline was seen (the later of the two).
    public var quarter: Quarter
    public var reason: String
    public var who: String
    public var at: Instant

    public init(id: Int64 = 0, scope: String, channel: String?, quarter: Quarter, reason: String, who: String, at: Instant) {
        self.id = id
        self.scope = scope
        self.channel = channel
        self.quarter = quarter
        self.reason = reason
        self.who = who
        self.at = at
    }
}
