import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RidaStore
import RidaSurvey
import RidaUseCases

/// The survey widget for websites and apps (issue 15 point 3).
///
/// - `GET /embed.js` and `GET /embed.css`: the script an entity's page loads (`<script src=".../embed.js"
///   data-key="pk_…" data-channel data-service data-stage data-lang>`) and its styles, both from Rida. The script draws
///   the four questions in a shadow root beside itself, in the page's language.
/// - `GET /w/{key}/form?lang=`: the questions and the widget's words for the script, to a listed origin only (CORS).
/// - `OPTIONS` and `POST /w/{key}/responses`: a visitor's answers, as JSON, from a page of a listed origin only.
/// - `GET` and `POST /w/{key}`: the same questions as a page for an `<iframe>`, which only the listed origins may
///   frame (`frame-ancestors`); no script.
///
/// The key is publishable: anyone can read it in the page. A browser keeps pages of other origins from using it (they
/// get no `Access-Control-Allow-Origin`, and cannot frame the page); a program that forges `Origin` can send answers,
/// which is why a widget submits only for its centre and channels, each client address at most
/// `answersPerAddressPerHour` times an hour per widget (per instance), and the misuse rules read the widget as a device
/// when its channel is watched.
struct WidgetsController: Sendable {
    let widgets: Widgets
    let auth: Authenticator
    let feed: LiveFeed
    let channels: ChannelCatalog
    let perAddress = RateLimiter<String>(limit: RateLimit(requestsPerSecond: Double(Self.answersPerAddressPerHour) / 3_600,
                                                          burst: Double(Self.answersPerAddressPerHour)))

    static let answersPerAddressPerHour = WidgetsControllerLimits.answersPerAddressPerHour
    static let maxBodyBytes = 16 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.get("/embed.js") { _, _ in Self.asset(PackageResources.embed_js, "text/javascript; charset=utf-8") }
        router.get("/embed.css") { _, _ in Self.asset(PackageResources.embed_css, "text/css; charset=utf-8") }
        router.get("/w/:key/form", use: form)
        router.on("/w/:key/responses", method: .options, use: preflight)
        router.post("/w/:key/responses", use: submit)
        router.get("/w/:key", use: page)
        router.post("/w/:key", use: answerPage)
    }

    /// The script and its styles, for any page to load (`Cross-Origin-Resource-Policy: cross-origin`).
    static func asset(_ bytes: [UInt8], _ type: String) -> Response {
        var response = PagesController.asset(bytes, type)
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "cross-origin"
        return response
    }

    // MARK: The script's requests (CORS)

    /// The live widget of the path's key, and the request's origin when the widget lists it. An unknown key is slowed
    /// as an unknown API key is; a page of another origin is refused (403) without the header that would let its
    /// script read the answer.
    func allowed(_ request: Request, _ context: RidaRequestContext) async throws -> (Widget, origin: String) {
        let key = try context.pathParameter("key")
        guard let widget = try await widgets.widget(key: key) else {
            if let limiter = auth.unknownLimiter, let wait = limiter.take(key: context.clientAddress, at: auth.now()) {
                throw APIError.rateLimited(retryAfter: wait, unknownKey: true)
            }
            throw APIError(.notFound, "unknown_widget", "There is no widget with this key, or it was revoked: check data-key against rida widgets list.")
        }
        guard let origin = request.headers[.origin], widget.allows(origin: origin) else {
            throw APIError.forbidden("This widget is shown only on the pages of the origins its administrator listed (rida widgets origins); this page's origin is not one of them.")
        }
        return (widget, origin)
    }

    static func cors(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        response.headers[.cacheControl] = "no-store"
    }

    /// The questions and the widget's words in the page's language.
    @Sendable func form(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let (widget, origin) = try await allowed(request, context)
        var response = JSONBody.response(WidgetForm(widget: widget, language: InvitationsController.language(request), channels: channels))
        Self.cors(&response, origin: origin)
        return response
    }

    @Sendable func preflight(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let (_, origin) = try await allowed(request, context)
        var response = Response(status: .noContent)
        Self.cors(&response, origin: origin)
        response.headers[.accessControlAllowMethods] = "POST"
        response.headers[.accessControlAllowHeaders] = "Content-Type"
        response.headers[.accessControlMaxAge] = "600"
        return response
    }

    /// Fields a page may send; the rest (centre, counter, entity, time) are the widget's or the server's.
    static let pageFields: Set<String> = ["id", "channel", "service", "stage", "q1", "q2", "q3", "q4", "comment",
                                          "contact_consent", "contact_phone", "contact_email"]

    @Sendable func submit(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let (widget, origin) = try await allowed(request, context)
        do {
            var response = try await store(&request, widget: widget, context: context)
            Self.cors(&response, origin: origin)
            return response
        } catch {
            // Refusals carry the header too, so the page's script can read why.
            var response = try ServiceMiddleware.apiError(for: error, context: context).response(from: request, context: context)
            Self.cors(&response, origin: origin)
            return response
        }
    }

    func store(_ request: inout Request, widget: Widget, context: RidaRequestContext) async throws -> Response {
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        let value: JSONValue
        do { value = try JSONReader.read(Array(body.readableBytesView)) } catch { throw APIError.malformedJSON() }
        var problems: [Problem] = []
        if case .object(let members) = value {
            for name in members.map(\.0) where !Self.pageFields.contains(name) {
                problems.append(Problem(field: name, reason: "is not sent by a widget's page: the widget gives the centre, the server the time"))
            }
        }
        let decoded = DraftDecoding(value)
        if decoded.serverClock { problems.append(Problem(field: "clock", reason: "is not sent by a widget's page")) }
        if !(problems + decoded.problems).isEmpty { throw APIError.invalid(problems + decoded.problems) }
        if perAddress.take(key: "\(widget.id)/\(context.clientAddress)", at: auth.now()) != nil {
            throw APIError(.tooManyRequests, "too_many_answers",
                           "This address has sent \(Self.answersPerAddressPerHour) answers through this widget in the last hour; thank you, later answers are welcome.")
        }
        switch try await widgets.answer(widget, answers: decoded.draft) {
        case .invalid(let problems): throw APIError.invalid(problems)
        case .conflict(let id): throw APIError.idTaken(id: id)
        case .stored(let id, let duplicate, _):
            if !duplicate {
                feed.changed(centres: [widget.centre])
                context.logger.info("answered through a widget", metadata: ["widget": "\(widget.id)", "centre": "\(widget.centre)"])
            }
            return JSONBody.response(Stored(id: id, status: duplicate ? "duplicate" : "created"), status: duplicate ? .ok : .created)
        }
    }

    struct Stored: Encodable {
        var id: String
        var status: String
    }

    // MARK: The iframe's page

    /// `Content-Security-Policy` of the iframe's page: as the invitation page's, framed by the widget's origins only.
    static func framedPolicy(_ widget: Widget) -> String {
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors " + widget.origins.joined(separator: " ")
    }

    /// The page's query, kept through the form and the language link: `channel`, `service`, `stage`, `lang`.
    static func query(_ request: Request, language: Language) -> String {
        let query = Query(request)
        var parts: [String] = []
        for name in ["channel", "service", "stage"] {
            if let value = query[name], let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                parts.append(name + "=" + encoded)
            }
        }
        parts.append("lang=" + language.rawValue)
        return "?" + parts.joined(separator: "&")
    }

    func framed(_ html: String, _ widget: Widget, status: HTTPResponse.Status = .ok) -> Response {
        var response = InvitationsController.Pages(auth: auth).page(html, status: status)
        response.headers[.contentSecurityPolicy] = Self.framedPolicy(widget)
        return response
    }

    func shown(_ widget: Widget, _ request: Request) -> Invitation {
        let query = Query(request)
        let channel = query["channel"].flatMap { widget.channels.contains($0) ? $0 : nil } ?? widget.channels[0]
        return Invitation(id: widget.id, centre: widget.centre, channel: channel, service: query["service"], createdAt: widget.createdAt,
                          expiresAt: widget.createdAt)
    }

    @Sendable func page(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let language = InvitationsController.language(request)
        let view = InvitationPage(language: language)
        guard let widget = try await widgets.widget(key: try context.pathParameter("key")) else {
            return try InvitationsController.Pages(auth: auth).unknown(view, context)
        }
        let key = widget.key
        return framed(view.form(shown(widget, request), channels: channels, action: "/w/\(key)" + Self.query(request, language: language),
                                other: Self.query(request, language: language == .ar ? .en : .ar)), widget)
    }

    @Sendable func answerPage(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let language = InvitationsController.language(request)
        let view = InvitationPage(language: language)
        var answers = try await InvitationsController.postedAnswers(&request)
        guard let widget = try await widgets.widget(key: try context.pathParameter("key")) else {
            return try InvitationsController.Pages(auth: auth).unknown(view, context)
        }
        if perAddress.take(key: "\(widget.id)/\(context.clientAddress)", at: auth.now()) != nil {
            return framed(view.message(title: view.t("شكراً لك", "Thank you"),
                                       view.t("وصلتنا تقييمات كثيرة من هذا العنوان في الساعة الأخيرة. شكراً لك، ونرحب بتقييمك لاحقاً.",
                                              "Many answers have reached us from this address in the last hour. Thank you; your answers are welcome later."),
                                       other: nil), widget, status: .tooManyRequests)
        }
        let query = Query(request)
        answers.channel = query["channel"]
        answers.service = query["service"]
        answers.stage = query["stage"]
        switch try await widgets.answer(widget, answers: answers) {
        case .invalid(let problems):
            return framed(view.form(shown(widget, request), channels: channels, action: "/w/\(widget.key)" + Self.query(request, language: language),
                                    other: Self.query(request, language: language == .ar ? .en : .ar), values: answers, problems: problems),
                          widget, status: .unprocessableContent)
        case .conflict, .stored(_, true, _):
            return framed(view.answered(), widget)
        case .stored(_, false, let followUp):
            feed.changed(centres: [widget.centre])
            context.logger.info("answered through a widget's page", metadata: ["widget": "\(widget.id)", "centre": "\(widget.centre)"])
            return framed(view.thanks(followUp: followUp), widget)
        }
    }
}

/// The widget's limits, for tests and help texts.
public enum WidgetsControllerLimits {
    /// Answers one client address may send through one widget in an hour (per instance).
    public static let answersPerAddressPerHour = 20
}

/// What `embed.js` needs to draw a widget: its words in one language, the questions and their scale.
struct WidgetForm: Encodable {
    struct Option: Encodable {
        var value: Int
        var label: String
    }

    struct Question: Encodable {
        var id: String
        var text: String
        var options: [Option]
    }

    var lang: String
    var dir: String
    var title: String
    var intro: String
    var channels: [String]
    var questions: [Question]
    var commentLegend: String
    var commentLabel: String
    var send: String
    var sending: String
    var thanks: String
    var chooseOne: String
    var failed: String
    var offline: String
    var followLegend: String
    var consent: String
    var contactNote: String
    var phone: String
    var email: String
    var contactProblem: String
    var followUp: String

    init(widget: Widget, language: Language, channels: ChannelCatalog) {
        let view = InvitationPage(language: language)
        let questionnaire = Questionnaire.appendix3
        lang = language.rawValue
        dir = language == .ar ? "rtl" : "ltr"
        title = questionnaire.title[language]
        intro = view.t("نرجو تقييم خدمتنا. لا نطلب اسمك، والتقييم يستغرق دقيقة.", "Please rate our service. We do not ask your name; it takes a minute.")
        self.channels = widget.channels
        questions = questionnaire.ratedQuestions.map { question in
            Question(id: question.id, text: question.text[language], options: (questionnaire.scale.min...questionnaire.scale.max).map {
                Option(value: $0, label: questionnaire.scale.label($0)?[language] ?? "\($0)")
            })
        }
        commentLegend = view.t("ملحوظات", "Comments")
        commentLabel = questionnaire.questions.first { $0.field == "comment" }?.text[language] ?? view.t("ملحوظاتكم", "Your comments")
        send = view.t("إرسال التقييم", "Send my answers")
        sending = view.t("جارٍ الإرسال…", "Sending…")
        thanks = view.t("وصل تقييمك. شكراً لمساعدتنا على تحسين خدماتنا.", "Your answers have arrived. Thank you for helping us improve our services.")
        chooseOne = view.t("قيّم سؤالاً واحداً على الأقل.", "Rate at least one question.")
        failed = view.t("لم يُرسل التقييم. حاول مرة أخرى بعد قليل.", "The answers were not sent. Please try again in a moment.")
        offline = view.t("لا يصل الاتصال الآن؛ سنحاول الإرسال مرة أخرى.", "There is no connection now; we will try sending again.")
        // The contact box, in the invitation page's words (issue 16): optional, never needed to rate.
        followLegend = view.t("المتابعة (اختياري)", "Follow-up (optional)")
        consent = view.t("يمكنكم التواصل معي بخصوص تقييمي", "You may contact me about my answer")
        contactNote = view.t("لا يلزم لتقييمك. نستخدم رقمك أو بريدك فقط لمتابعة هذا التقييم، ثم نحذفه.",
                             "Not needed to rate. Your number or e-mail is used only to follow up this answer, then erased.")
        phone = view.t("رقم الهاتف", "Phone number")
        email = view.t("البريد الإلكتروني", "E-mail")
        contactProblem = view.t("لنتواصل معك، اختر «يمكنكم التواصل معي» واكتب رقم هاتف صحيحاً (7 إلى 15 رقماً) أو بريداً إلكترونياً صحيحاً.",
                                "To be contacted, tick “You may contact me” and give a valid phone number (7 to 15 digits) or e-mail.")
        followUp = view.t("سنتواصل معك إن احتاج الأمر متابعة.", "We will contact you if it needs a follow-up.")
    }
}
