import Foundation
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey

/// The life of a saved quarterly report: saved as a draft with a snapshot of its figures, taken again while a draft,
/// submitted, published and frozen, corrected by a new report; its decisions and actions; the reasons for declines.
/// `rida report save|refresh|submit|publish|correct|render|verify|list|decide|action|decline|declines` and
/// `GET /v1/reports/saved[/{id}]` each call one of its functions.
public struct SavedReports: Sendable {
    /// The saved reports, and the responses' rollups their snapshots are taken from: any store, SQLite's or another.
    public let store: any ResponseStore & SavedReportStore
    public let policy: ThresholdPolicy
    public let channels: ChannelCatalog
    public let now: @Sendable () -> Instant
    /// The comment themes a snapshot takes with its figures; nil with a store that does not read comments (the
    /// snapshot then has none).
    public let themes: CommentThemes?

    public init(store: any ResponseStore & SavedReportStore, policy: ThresholdPolicy, channels: ChannelCatalog, now: @escaping @Sendable () -> Instant,
                themes: CommentThemes? = nil) {
        self.store = store
        self.policy = policy
        self.channels = channels
        self.now = now
        self.themes = themes
    }

    /// A report with the content stored for it.
    public struct Stored: Sendable {
        public var report: SavedReport
        public var content: ReportContent
    }

    /// A published report: its final content and page, each with its SHA-256.
    public struct Published: Sendable {
        public var report: SavedReport
        public var content: ReportContent
        public var page: PublishedPage
    }

    /// Saves a report of `scope` (a centre, an entity, or `all`) in `quarter` as a draft, with a snapshot taken now.
    public func save(scope: String, quarter: Quarter, by who: String) async throws -> Stored {
        let content = try await takeContent(scope: scope, quarter: quarter)
        let report = try await store.saveReport(scope: scope, quarter: quarter, by: who, at: now(), content: content)
        return Stored(report: report, content: content)
    }

    /// Takes a draft's snapshot again (responses imported since it was saved).
    public func refresh(_ id: Int64) async throws -> Stored {
        let report = try await store.existingSavedReport(id)
        let content = try await takeContent(scope: report.scope, quarter: report.quarter)
        return Stored(report: try await store.refreshReport(id, content: content), content: content)
    }

    /// Marks a draft as submitted.
    public func submit(_ id: Int64) async throws -> SavedReport {
        try await store.setReportStatus(id, to: .submitted, at: now())
    }

    /// Publishes a report and freezes it: the content taken when it was saved (or now, for a report saved before
    /// contents were stored), with the decisions and actions recorded so far, and the public page in Arabic.
    public func publish(_ id: Int64) async throws -> Published {
        let report = try await store.existingSavedReport(id)
        guard report.status != .published else {
            throw UseCaseError(.conflict, code: "already_published", "Report #\(id) is already published: it is frozen; a correction is a new report.",
                               next: .correctReport(id))
        }
        let content: ReportContent
        if let stored = try await store.savedReportContent(id).content {
            content = stored
        } else {
            content = try await takeContent(scope: report.scope, quarter: report.quarter)
        }
        let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
        let time = now()
        let frozen = try ReportFreezing.publication(of: snapshot, report: report, at: time)
        let published = try await store.publishReport(id, content: frozen.content, page: frozen.page, actions: report.actions.map(\.id), at: time)
        return Published(report: published, content: frozen.content, page: frozen.page)
    }

    /// Starts a correction of a published report: a new draft of the same scope and quarter, taken now, carrying over
    /// its decisions and actions.
    public func correct(_ id: Int64, by who: String) async throws -> Stored {
        let original = try await store.existingSavedReport(id)
        let content = try await takeContent(scope: original.scope, quarter: original.quarter)
        let report = try await store.saveReport(scope: original.scope, quarter: original.quarter, by: who, at: now(),
                                                content: content, replaces: id)
        return Stored(report: report, content: content)
    }

    /// The saved reports, with their decisions and actions; only those of `scope` and `quarter` when given.
    public func list(scope: String? = nil, quarter: Quarter? = nil) async throws -> [SavedReport] {
        try await store.savedReports(scope: scope, quarter: quarter)
    }

    /// A saved report rendered from its stored content.
    public struct Rendering: Sendable {
        public var report: SavedReport
        public var document: RenderedReport
        /// The stored bytes' SHA-256 and the engine that made them, when the document is stored bytes (the content as
        /// JSON, or the published page); nil for a new rendering.
        public var frozen: (sha256: String, engineVersion: String)?
        public var audience: ReportAudience
    }

    /// The formats a saved report renders to.
    public enum RenderFormat: String, Sendable, CaseIterable { case html, xlsx, json }

    /// Renders saved report `id`: its stored content as JSON byte for byte; the published page byte for byte when the
    /// public version in Arabic is asked of a published report; else a new rendering of the stored content.
    /// `audience` defaults to public for a published report, quality otherwise.
    public func render(_ id: Int64, format: RenderFormat, language: Language = .ar, audience asked: ReportAudience? = nil) async throws -> Rendering {
        let report = try await store.existingSavedReport(id)
        let (content, page) = try await store.savedReportContent(id)
        guard let content else {
            throw UseCaseError(.notFound, code: "no_content",
                               "Report #\(id) was saved before reports kept their content: there is nothing to render (taking it again, drafts only, stores it).")
        }
        let audience = asked ?? (report.status == .published ? .public : .quality)
        let name = "rida-report-\(id)-\(report.scope)-\(report.quarter)"
        let types = RenderedReport.contentTypes
        switch format {
        case .json:
            return Rendering(report: report, document: RenderedReport(bytes: Data(content.json.utf8), contentType: types[.json]!, fileName: name + ".json"),
                             frozen: (content.sha256, content.engineVersion), audience: audience)
        case .html:
            if let page, audience == .public, language == ReportFreezing.publishedLanguage {
                return Rendering(report: report, document: RenderedReport(bytes: Data(page.html.utf8), contentType: types[.html]!, fileName: name + ".html"),
                                 frozen: (page.sha256, content.engineVersion), audience: audience)
            }
            let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
            let html = HTMLReport.render(snapshot, language: language, audience: audience)
            return Rendering(report: report, document: RenderedReport(bytes: Data(html.utf8), contentType: types[.html]!,
                                                                      fileName: name + "-\(audience.rawValue)-\(language.rawValue).html"),
                             frozen: nil, audience: audience)
        case .xlsx:
            let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
            let workbook = try WorkbookReport.render(snapshot, language: language, audience: audience)
            return Rendering(report: report, document: RenderedReport(bytes: workbook, contentType: types[.xlsx]!,
                                                                      fileName: name + "-\(audience.rawValue)-\(language.rawValue).xlsx"),
                             frozen: nil, audience: audience)
        }
    }

    /// Checks saved report `id`: its content's SHA-256 recomputed and its published page re-rendered byte for byte.
    public func verify(_ id: Int64) async throws -> (check: ReportFreezing.Verification, content: ReportContent, page: PublishedPage?) {
        let (content, page) = try await store.savedReportContent(id)
        guard let content else {
            throw UseCaseError(.notFound, code: "no_content", "Report #\(id) has no stored content to check.")
        }
        return (try ReportFreezing.verify(content: content, page: page), content, page)
    }

    /// Records a decision or action taken after a report.
    public func decide(_ action: ReportAction) async throws -> ReportAction {
        try await store.addReportAction(action)
    }

    /// Records where action `action` of report `report` stands; earlier statuses are kept.
    public func setActionStatus(report: Int64, action: Int64, to status: ReportAction.Status, note: String?, by who: String) async throws -> ReportAction {
        try await store.setActionStatus(report: report, action: action, to: status, note: note, by: who, at: now())
    }

    /// Every status action `action` has had, oldest first.
    public func actionHistory(_ action: Int64) async throws -> [(status: ReportAction.Status, note: String?, who: String, at: Instant)] {
        try await store.actionHistory(action)
    }

    /// Records why satisfaction declined in a quarter (framework 2, 3.2.3).
    public func recordDecline(_ decline: DeclineReason) async throws -> DeclineReason {
        try await store.recordDecline(decline)
    }

    /// The reasons recorded for declines; only `scope`'s when given.
    public func declines(scope: String?) async throws -> [DeclineReason] {
        try await store.declines(scope: scope)
    }

    /// A fresh snapshot of `scope` in `quarter`, as stored content.
    func takeContent(scope: String, quarter: Quarter) async throws -> ReportContent {
        let subject = try await store.reportSubject(scope: scope)
        var snapshot = try await store.reportSnapshot(subject: subject, quarter: quarter, policy: policy, channels: channels, at: now())
        let scope = ReportScope(
            quarter: quarter, centre: subject.kind == .centre ? subject.id : nil, entity: subject.kind == .entity ? subject.id : nil,
            centres: subject.kind == .entity ? subject.centres.map(\.id) : nil)
        // The snapshot carries what the misuse rules set aside, read with its figures: frozen with them.
        snapshot.themes = try await themes?.digest(scope)
        return try ReportFreezing.content(snapshot)
    }
}
