import Foundation
import HTTPTypes
import Hummingbird
import RidaAggregation
import RidaAssessment
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

/// `/v1/reports`: what `rida report` gives, for the quality, evaluator and admin roles.
///
/// - `GET /v1/reports/quarterly`: the quarter's report (JSON, CSV, an HTML page or a workbook) through `ShowReport`,
///   the use case `rida report` calls.
/// - `GET /v1/reports/saved` and `GET /v1/reports/saved/{id}`: the saved reports (`rida report list`) and one
///   report's stored content, or its published page, byte for byte with the SHA-256 stored beside it
///   (`rida report render`).
struct ReportsController: Sendable {
    let settings: ServiceSettings
    /// Where reports are read: the read database (a standby) when the service has one, else the primary. Nothing here
    /// writes.
    let store: any RidaStorage
    let auth: Authenticator
    let now: @Sendable () -> Instant

    static let denial = "This key submits responses; reports are read with a quality, evaluator or admin key."

    var savedReports: SavedReports {
        SavedReports(store: store, policy: settings.policy, channels: settings.channels, now: now,
                     themes: CommentThemes(store: store, lexicon: settings.lexicon, channels: settings.channels))
    }

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/reports/quarterly", use: quarterly)
        router.get("/v1/reports/saved", use: savedList)
        router.get("/v1/reports/saved/{id}", use: saved)
    }

    func authorize(_ request: Request, _ context: RidaRequestContext) async throws {
        _ = try await auth.require(request, context, denial: Self.denial) { $0.role.readsReports }
    }

    // MARK: The quarterly report

    /// Translates the query into a `ReportRequest` and the `RenderedReport` into an answer: JSON in the body, CSV and
    /// the workbook as downloads, the HTML page shown in place.
    @Sendable func quarterly(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorize(request, context)
        let query = Query(request)
        let format = ReportRequest.Format(rawValue: try query.choice("format", ["json", "csv", "html", "xlsx"], default: "json"))!
        let language = try query.language()
        let publicVersion = try query.flag("public")
        let asked = ReportRequest(quarter: query["quarter"], centre: query["centre"], entity: query["entity"], channel: query["channel"],
                                  format: format, language: language, audience: publicVersion ? .public : .quality,
                                  themes: try query.flag("themes"))
        let themes = CommentThemes(store: store, lexicon: settings.lexicon, channels: settings.channels)
        let report = try await ShowReport(store: store, policy: settings.policy, channels: settings.channels, now: now, themes: themes).run(asked)
        switch format {
        case .json: return JSONBody.bytes(report.bytes, contentType: report.contentType)
        case .html: return Document.response(report.bytes, contentType: report.contentType, filename: report.fileName, inline: true)
        default: return Document.response(report.bytes, contentType: report.contentType, filename: report.fileName)
        }
    }

    // MARK: Saved reports

    struct SavedList: Encodable {
        var reports: [SavedReport]
    }

    @Sendable func savedList(_ request: Request, context: RidaRequestContext) async throws -> Response {
        try await authorize(request, context)
        let query = Query(request)
        let reports = try await savedReports.list(scope: query["scope"], quarter: try query.quarter())
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
        let rendering = try await savedReports.render(id, format: SavedReports.RenderFormat(rawValue: format)!, language: language,
                                                      audience: askedAudience)
        let document = rendering.document
        if let frozen = rendering.frozen {
            // Stored bytes (the content, or the page as published), with the SHA-256 stored beside them.
            return Self.frozen(document.bytes, sha256: frozen.sha256, engine: frozen.engineVersion,
                               contentType: document.contentType, filename: document.fileName)
        }
        return Document.response(document.bytes, contentType: document.contentType, filename: document.fileName, inline: format == "html")
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
