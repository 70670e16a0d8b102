import Foundation
import HTTPTypes
import Hummingbird
import RidaStore
import RidaSurvey
import RidaUseCases

/// QR signs (issue 15 point 2): `GET /v1/centres/{id}/signs`, the printable A6 signs of a centre's counters or channels
/// (quality and admin keys; `rida signs` does the same), and the page behind each, `GET`/`POST /q/{token}`, where any
/// customer rates on their own phone. A phone is known by a cookie of its own (`rida_device`, random, nothing else in
/// it): it answers through one sign at most `answersPerDevicePerDay` times a day (per instance). The misuse rules read
/// every answer through a sign with the sign as its device, so one hand pressing forty times is set aside whatever
/// cookies it clears.
struct SignsController: Sendable {
    let signs: Signs
    let auth: Authenticator
    let feed: LiveFeed
    let channels: ChannelCatalog
    let baseURL: String?
    let perDevice = RateLimiter<String>(limit: RateLimit(requestsPerSecond: Double(Self.answersPerDevicePerDay) / 86_400,
                                                         burst: Double(Self.answersPerDevicePerDay)))

    static let answersPerDevicePerDay = 3
    static let denial = "Signs are printed by the quality team: use a quality or admin key."
    static let cookie = "rida_device"

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/v1/centres/:id/signs", use: sheet)
        router.get("/q/:token", use: show)
        router.post("/q/:token", use: answer)
    }

    /// `?channel=&counter=1,2,3&lang=`: the signs as one printable page.
    @Sendable func sheet(_ request: Request, context: RidaRequestContext) async throws -> Response {
        _ = try await auth.require(request, context, denial: Self.denial) { $0.role == .quality || $0.role == .admin }
        let centre = try context.pathParameter("id")
        let query = Query(request)
        let counters = (query["counter"] ?? "").split(separator: ",").map { String($0) }
        let html = try await signs.sheet(centre: centre, channel: query["channel"], counters: counters,
                                         baseURL: baseURL ?? InvitationsController.base(of: request))
        var response = JSONBody.bytes(Data(html.utf8), contentType: "text/html; charset=utf-8")
        response.headers[.contentSecurityPolicy] = Document.contentSecurityPolicy
        return response
    }

    /// The page; a phone without its cookie gets one.
    @Sendable func show(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let token = try context.pathParameter("token")
        let language = InvitationsController.language(request)
        let view = InvitationPage(language: language)
        guard let sign = try await signs.sign(token: token) else { return try pages.unknown(view, context) }
        var response = pages.page(view.form(Self.shown(sign), channels: channels, action: "/q/\(token)?lang=\(language.rawValue)",
                                            other: "?lang=\(language == .ar ? "en" : "ar")"))
        if Self.device(request) == nil { response.headers[.setCookie] = Self.newCookie() }
        return response
    }

    @Sendable func answer(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let token = try context.pathParameter("token")
        let language = InvitationsController.language(request)
        let view = InvitationPage(language: language)
        let answers = try await InvitationsController.postedAnswers(&request)
        guard let sign = try await signs.sign(token: token) else { return try pages.unknown(view, context) }
        // A phone without the cookie (refused, or cleared) is known by its address for the day's limit.
        let device = Self.device(request) ?? "address:" + context.clientAddress
        if perDevice.take(key: "\(sign.id)/\(device)", at: auth.now()) != nil {
            return pages.page(view.message(title: view.t("شكراً لك", "Thank you"),
                                           view.t("وصلتنا تقييماتك من هذا الهاتف اليوم. شكراً لك، ونرحب بتقييمك في زيارة قادمة.",
                                                  "Your answers from this phone have reached us today. Thank you; we welcome your answers on another visit."),
                                           other: nil), status: .tooManyRequests)
        }
        switch try await signs.answer(token: token, answers: answers) {
        case .unknown: return try pages.unknown(view, context)
        case .invalid(let sign, let problems):
            return pages.page(view.form(Self.shown(sign), channels: channels, action: "/q/\(token)?lang=\(language.rawValue)",
                                        other: "?lang=\(language == .ar ? "en" : "ar")", values: answers, problems: problems),
                              status: .unprocessableContent)
        case .stored(let sign, let followUp):
            feed.changed(centres: [sign.centre])
            context.logger.info("answered through a sign", metadata: ["sign": "\(sign.id)", "centre": "\(sign.centre)"])
            return pages.page(view.thanks(followUp: followUp))
        }
    }

    var pages: InvitationsController.Pages { InvitationsController.Pages(auth: auth) }

    /// A sign shown as the page shows an invitation: its centre, channel and counter.
    static func shown(_ sign: Sign) -> Invitation {
        Invitation(id: sign.id, centre: sign.centre, channel: sign.channel, counter: sign.counter, createdAt: sign.createdAt,
                   expiresAt: sign.createdAt)
    }

    /// The phone's own id from its cookie, when it has a well-formed one.
    static func device(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for part in field.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == cookie, InvitationToken(String(pair[1])) != nil { return String(pair[1]) }
            }
        }
        return nil
    }

    static func newCookie() -> String {
        "\(cookie)=\(InvitationToken.generate().text); Path=/q; Max-Age=31536000; HttpOnly; SameSite=Lax"
    }
}
