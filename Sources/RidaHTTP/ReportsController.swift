import Foundation
import HTTPTypes
import Hummingbird
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey

/// `/v1/reports`: what `rida report` gives, for the quality, evaluator and admin roles.
///
/// - `GET /v1/reports/quarterly`: the quarter's report as JSON or CSV (`SQLiteStore.quarterlyReport`, the same
///   renderings as the command line), or the full report as an HTML page or a workbook, rendered from
///   `SQLiteStore.reportSnapshot` by `HTMLReport` and `WorkbookReport`.
/// - `GET /v1/reports/saved` and `GET /v1/reports/saved/{id}`: the saved reports (`rida report list`) and one
///   report's stored content, or its published page, byte for byte with the SHA-256 stored beside it
///   (`rida report render`).
struct ReportsController: Sendable {
    let settings: ServiceSettings
    let store: SQLiteStore
    let auth: Authenticator
    let now: @Sendable () -> Instant

    static let denial = "This key submits responses; reports are read with a quality, evaluator or admin key."

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/reports/quarterly", use: quarterly)
        router.get("/v1/reports/saved", use: savedList)
        router.get("/v1/reports/saved/{id}", use: saved)
    }

    func authorize(_ request: Request, _ context: RidaRequestContext) async throws {
        _ = try await auth.require(request, context, denial: Self.denial) { $0.role.readsReports }
    }

    // MARK: The quarterly report

    @Sendable func quarterly(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorize(request, context)
        let query = Query(request)
        let format = try query.choice("format", ["json", "csv", "html", "xlsx"], default: "json")
        let language = try query.language()
        let publicVersion = try query.flag("public")
        if publicVersion, format != "html", format != "xlsx" {
            throw APIError.invalidParameter("public", "applies to format=html and format=xlsx (the JSON and CSV reports hold figures only)")
        }
        let centre = query["centre"]
        let entity = query["entity"]
        if centre != nil, entity != nil {
            throw APIError.invalidParameter("entity", "cannot be given with centre: give centre or entity, not both")
        }
        let channel = query["channel"]
        if let channel, settings.channels.channel(channel) == nil {
            let known = settings.channels.channels.map(\.id).joined(separator: ", ")
            throw APIError.invalidParameter("channel", "\"\(channel)\" is not a channel of this deployment (known: \(known))")
        }
        let quarter: Quarter
        if let asked = try query.quarter() {
            quarter = asked
        } else if let latest = try await store.quartersWithResponses().last {
            quarter = latest
        } else {
            throw APIError.notFound("The database holds no responses yet, so there is no latest quarter: give quarter=YEAR-Qn.")
        }
        if let centre, try await store.centre(centre) == nil {
            throw APIError.notFound("There is no centre \(centre): neither the registry nor any stored response names it (rida centres list shows them).")
        }
        // An unknown entity, or one without centres, is the store's sentence (404 and 409).
        let subject = try await store.reportSubject(centre: centre, entity: entity)
        var name = "rida-report-\(quarter)-\(subject.scope)" + (channel.map { "-\($0)" } ?? "")

        switch format {
        case "html", "xlsx":
            let snapshot = try await store.reportSnapshot(subject: subject, quarter: quarter, channel: channel, policy: settings.policy,
                                                          channels: settings.channels, at: now())
            let audience: ReportAudience = publicVersion ? .public : .quality
            name += (publicVersion ? "-public" : "") + (language == .ar ? "" : "-\(language.rawValue)")
            if format == "html" {
                let page = HTMLReport.render(snapshot, language: language, audience: audience)
                return Document.response(Data(page.utf8), contentType: Document.html, filename: name + ".html", inline: true)
            }
            let workbook = try WorkbookReport.render(snapshot, language: language, audience: audience)
            return Document.response(workbook, contentType: Document.xlsx, filename: name + ".xlsx")
        default:
            let scope = ReportScope(quarter: quarter, centre: centre, channel: channel, entity: entity,
                                    centres: entity == nil ? nil : subject.centres.map(\.id))
            let report = try await store.quarterlyReport(scope, policy: settings.policy, channels: settings.channels)
            if format == "csv" {
                // CSVRendering starts with a UTF-8 byte order mark, as `rida report --format csv` does.
                return Document.response(Data(CSVRendering.render(report).utf8), contentType: Document.csv, filename: name + ".csv")
            }
            return JSONBody.text(try JSONRendering.render(report), contentType: Document.json)
        }
    }

    // MARK: Saved reports

    struct SavedList: Encodable {
        var reports: [SavedReport]
    }

    @Sendable func savedList(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorize(request, context)
        let query = Query(request)
        let reports = try await store.savedReports(scope: query["scope"], quarter: try query.quarter())
        return JSONBody.response(SavedList(reports: reports))
    }

    @Sendable func saved(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorize(request, context)
        let text = try context.pathParameter("id")
        guard let id = Int64(text), id > 0 else {
            throw APIError.notFound("There is no saved report \"\(text)\": saved reports are numbered (GET /v1/reports/saved lists them).")
        }
        let query = Query(request)
        let format = try query.choice("format", ["json", "html", "xlsx"], default: "json")
        let language = try query.language()
        var askedAudience: ReportAudience?
        if query["audience"] != nil {
            askedAudience = ReportAudience(rawValue: try query.choice("audience", ReportAudience.allCases.map(\.rawValue), default: "quality"))
        }
        let report = try await store.existingSavedReport(id)
        let (content, page) = try await store.savedReportContent(id)
        guard let content else {
            throw APIError.notFound("Report #\(id) was saved before reports kept their content: there is nothing to serve (rida report refresh \(id) takes it, drafts only).")
        }
        let audience = askedAudience ?? (report.status == .published ? .public : .quality)
        let name = "rida-report-\(id)-\(report.scope)-\(report.quarter)"
        switch format {
        case "json":
            // The stored content, byte for byte, with the SHA-256 stored beside it.
            return Self.frozen(Data(content.json.utf8), sha256: content.sha256, engine: content.engineVersion,
                               contentType: Document.json, filename: name + ".json")
        case "html":
            if let page, audience == .public, language == ReportFreezing.publishedLanguage {
                // The page as published, byte for byte.
                return Self.frozen(Data(page.html.utf8), sha256: page.sha256, engine: content.engineVersion,
                                   contentType: Document.html, filename: name + ".html")
            }
            let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
            let html = HTMLReport.render(snapshot, language: language, audience: audience)
            return Document.response(Data(html.utf8), contentType: Document.html,
                                     filename: name + "-\(audience.rawValue)-\(language.rawValue).html", inline: true)
        default:
            let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
            let workbook = try WorkbookReport.render(snapshot, language: language, audience: audience)
            return Document.response(workbook, contentType: Document.xlsx, filename: name + "-\(audience.rawValue)-\(language.rawValue).xlsx")
        }
    }

    /// Stored bytes with their stored SHA-256 (`X-Content-SHA256`, and as the entity tag) and the engine that made them.
    static func frozen(_ data: Data, sha256: String, engine: String, contentType: String, filename: String) -> Response {
        var response = Document.response(data, contentType: contentType, filename: filename, inline: true)
        response.headers[Document.sha256Header] = sha256
        response.headers[.eTag] = "\"\(sha256)\""
        response.headers[Document.engineHeader] = engine
        return response
    }
}
