import Foundation
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey

/// A question about one quarter's report, as a person or a client asks it: the shells fill it from arguments or a
/// query, and `ShowReport` answers it.
public struct ReportRequest: Sendable, Equatable {
    /// The report's formats: text for a terminal, JSON (docs/report-format.md), CSV, an HTML page or a workbook.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, csv, html, xlsx

        /// Whether this format renders the full snapshot (trends, breakdowns, comments), which has a public version.
        public var isDocument: Bool { self == .html || self == .xlsx }
    }

    /// The quarter as written (`YEAR-Qn`); nil for the latest quarter with responses.
    public var quarter: String?
    /// Only this centre.
    public var centre: String?
    /// Only this entity's centres (from the registry). Giving both a centre and an entity is a problem.
    public var entity: String?
    /// Only this channel of the deployment.
    public var channel: String?
    public var format: Format
    /// The language of the HTML page and the workbook.
    public var language: Language
    /// `.public` leaves out comments and counter-level detail; only for the HTML page and the workbook.
    public var audience: ReportAudience
    /// The comment themes instead of the figures; only for text, JSON and CSV (the HTML page and the workbook have
    /// a themes section).
    public var themes: Bool

    public init(quarter: String? = nil, centre: String? = nil, entity: String? = nil, channel: String? = nil,
                format: Format = .json, language: Language = .ar, audience: ReportAudience = .quality, themes: Bool = false) {
        self.quarter = quarter
        self.centre = centre
        self.entity = entity
        self.channel = channel
        self.format = format
        self.language = language
        self.audience = audience
        self.themes = themes
    }

    /// Everything wrong with the request that needs no database, each naming its field (the API's parameter names).
    ///
    /// ```swift
    /// ReportRequest(quarter: "2026-Q5").problems(channels: .standard)
    /// // [quarter: "2026-Q5" is not a quarter; write it as YEAR-Qn, for example 2026-Q1]
    /// ```
    public func problems(channels: ChannelCatalog) -> [Problem] {
        var problems: [Problem] = []
        if let quarter, Quarter(quarter) == nil {
            problems.append(Problem(field: "quarter", reason: Quarter.spellingProblem(quarter)))
        }
        if centre != nil, entity != nil {
            problems.append(Problem(field: "entity", reason: "cannot be given with centre: give centre or entity, not both"))
        }
        if let channel, channels.channel(channel) == nil {
            let known = channels.channels.map(\.id).joined(separator: ", ")
            problems.append(Problem(field: "channel", reason: "\"\(channel)\" is not a channel of this deployment (known: \(known))"))
        }
        if audience == .public, !format.isDocument {
            problems.append(Problem(field: "public", reason: "applies to the html and xlsx formats only (the text, JSON and CSV reports hold figures only)"))
        }
        if themes, format.isDocument {
            problems.append(Problem(field: "themes", reason: "applies to the text, json and csv formats only (the HTML page and the workbook have a themes section)"))
        }
        return problems
    }

    /// Throws every problem at once (`UseCaseError.invalid`), or returns when there is none.
    public func check(channels: ChannelCatalog) throws {
        let problems = problems(channels: channels)
        if !problems.isEmpty { throw UseCaseError.invalid(problems) }
    }
}

/// A rendered document: its bytes, what they are, and the name to save them under.
public struct RenderedReport: Sendable, Equatable {
    public var bytes: Data
    /// A media type with its charset, for example `text/csv; charset=utf-8`.
    public var contentType: String
    /// `rida-report-2026-Q1-C01.csv`: the quarter, the scope, the channel, the audience and language when not the
    /// defaults. Ids come from requests and the registry: a shell that puts it in a header makes it safe first.
    public var fileName: String

    public init(bytes: Data, contentType: String, fileName: String) {
        self.bytes = bytes
        self.contentType = contentType
        self.fileName = fileName
    }

    public static let contentTypes: [ReportRequest.Format: String] = [
        .text: "text/plain; charset=utf-8", .json: "application/json; charset=utf-8", .csv: "text/csv; charset=utf-8",
        .html: "text/html; charset=utf-8", .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
}

/// Shows a quarter's report: `rida report` and `GET /v1/reports/quarterly`.
///
/// An unknown centre or entity is an error (`unknown_centre`, not found), never an empty report; an entity without
/// centres is a conflict. A known scope in a quarter without responses is a report of zero responses: an honest answer
/// to the question asked.
///
/// ```swift
/// let report = try await ShowReport(store: store, policy: policy, channels: channels, now: { Instant(Date()) })
///     .run(ReportRequest(quarter: "2026-Q1", centre: "C01", format: .csv))
/// ```
public struct ShowReport: Sendable {
    /// The responses' rollups and the registry: any store, SQLite's or another.
    public let store: any ResponseStore & RegistryStore & MisuseStore & FollowUpStore & ServedStore & InvitationStore
    public let policy: ThresholdPolicy
    public let channels: ChannelCatalog
    public let now: @Sendable () -> Instant
    /// The comment themes, for `ReportRequest.themes` and the documents' themes section; nil with a store that does
    /// not read comments (the documents then have no themes section, and asking for themes is refused).
    public let themes: CommentThemes?

    public init(store: any ResponseStore & RegistryStore & MisuseStore & FollowUpStore & ServedStore & InvitationStore, policy: ThresholdPolicy, channels: ChannelCatalog, now: @escaping @Sendable () -> Instant,
                themes: CommentThemes? = nil) {
        self.store = store
        self.policy = policy
        self.channels = channels
        self.now = now
        self.themes = themes
    }

    public func run(_ request: ReportRequest) async throws -> RenderedReport {
        try request.check(channels: channels)
        let quarter: Quarter
        if let asked = request.quarter.flatMap(Quarter.init) {
            quarter = asked
        } else if let latest = try await store.quartersWithResponses().last {
            quarter = latest
        } else {
            throw UseCaseError.noResponses
        }
        if let centre = request.centre, try await store.centre(centre) == nil {
            throw UseCaseError.unknownCentre(centre)
        }
        // An unknown entity, or one without centres, is the store's sentence (not found, and a conflict).
        let subject = try await store.reportSubject(centre: request.centre, entity: request.entity)
        var name = "rida-report-\(quarter)-\(subject.scope)" + (request.channel.map { "-\($0)" } ?? "")
        let format = request.format
        let scope = ReportScope(quarter: quarter, centre: request.centre, channel: request.channel, entity: request.entity,
                                centres: request.entity == nil ? nil : subject.centres.map(\.id))
        let bytes: Data
        if request.themes {
            guard let themes else {
                throw UseCaseError(.unavailable, code: "themes_unavailable", "This store does not read comments, so it has no comment themes.")
            }
            let digest = try await themes.digest(scope)
            switch format {
            case .json: bytes = Data(try ThemeRendering.json(digest).utf8)
            case .csv: bytes = Data(ThemeRendering.csv(digest).utf8)
            default: bytes = Data(ThemeRendering.text(digest, scope: subject.kind == .all ? "all centres" : "\(subject.kind.rawValue) \(subject.scope)",
                                                      channels: channels).utf8)
            }
            name += "-themes"
            return RenderedReport(bytes: bytes, contentType: RenderedReport.contentTypes[format]!, fileName: name + "." + (format == .text ? "txt" : format.rawValue))
        }
        switch format {
        case .html, .xlsx:
            var snapshot = try await store.reportSnapshot(subject: subject, quarter: quarter, channel: request.channel, policy: policy,
                                                          channels: channels, at: now())
            snapshot.themes = try await themes?.digest(scope)
            name += (request.audience == .public ? "-public" : "") + (request.language == .ar ? "" : "-\(request.language.rawValue)")
            if format == .html {
                bytes = Data(HTMLReport.render(snapshot, language: request.language, audience: request.audience).utf8)
            } else {
                bytes = try WorkbookReport.render(snapshot, language: request.language, audience: request.audience)
            }
        case .text, .json, .csv:
            var report = try await store.quarterlyReport(scope, policy: policy, channels: channels)
            report.noteSetAside(try await store.setAsideCounts(quarter: quarter, centre: request.centre), scope: scope)
            let asOf = now()
            report.noteCases(try await store.caseCounts(quarter: quarter, centre: request.centre, asOf: asOf), scope: scope, asOf: asOf)
            report.noteReach(served: try await store.servedCounts(quarter: quarter, centre: request.centre),
                             invitations: try await store.invitationCounts(quarter: quarter, centre: request.centre), scope: scope)
            switch format {
            case .json: bytes = Data(try JSONRendering.render(report).utf8)
            // CSVRendering starts with a UTF-8 byte order mark.
            case .csv: bytes = Data(CSVRendering.render(report).utf8)
            default: bytes = Data(TextRendering.render(report, channels: channels).utf8)
            }
        }
        return RenderedReport(bytes: bytes, contentType: RenderedReport.contentTypes[format]!, fileName: name + "." + (format == .text ? "txt" : format.rawValue))
    }
}
