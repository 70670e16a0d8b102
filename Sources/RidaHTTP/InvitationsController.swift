import Foundation
import HTTPTypes
import Hummingbird
import RidaReports
import RidaStore
import RidaSurvey
import RidaUseCases

/// `POST /v1/invitations` (register services just done, get one-time links and their QR codes) and the customer's page
/// behind each link, `GET`/`POST /s/{token}` (issue 15). A submitter key registers its own centre's invitations on its
/// channels; an admin key names the centre. The page needs no key: its token is the credential, 128 random bits, and a
/// client guessing tokens is slowed as one guessing keys is (`http.rateLimit.unknownKeysPerMinute`).
struct InvitationsController: Sendable {
    let invitations: Invitations
    let auth: Authenticator
    let feed: LiveFeed
    let channels: ChannelCatalog
    /// `invitations.baseURL`: where links point (the address customers reach Rida at); nil: the request's own host.
    let baseURL: String?

    static let denial = "Invitations are registered by the system that served the customer: use a submitter key bound to the centre (or an admin key)."
    static let maxBodyBytes = 1024 * 1024
    static let maxFormBytes = 32 * 1024

    func addRoutes(to router: Router<RidaRequestContext>) {
        router.post("/v1/invitations", use: create)
        router.get("/s/:token", use: show)
        router.post("/s/:token", use: answer)
    }

    // MARK: Registering

    struct Made: Encodable {
        var id: Int64
        var centre: String
        var channel: String
        var token: String
        var link: String
        var expiresAt: Instant
        var svg: String?
        var png: String?
    }

    struct Registered: Encodable {
        var invitations: [Made]
    }

    /// One invitation's object, or `{"invitations": [...], "qr": ["svg", "png"]}`. 201 with each invitation's link and
    /// token (given only here), and its QR code when `qr` asks.
    @Sendable func create(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let key = try await auth.require(request, context, denial: Self.denial) { $0.role == .submitter || $0.role == .admin }
        try ResponsesController.requireContentType(request, "application/json")
        let body = try await ResponsesController.collect(&request, limit: Self.maxBodyBytes)
        guard case .object(let members)? = try? JSONReader.read(Array(body.readableBytesView)) else { throw APIError.malformedJSON() }
        var problems: [Problem] = []
        var items: [[(String, JSONValue)]] = []
        var qr: Set<String> = []
        if let list = members.last(where: { $0.0 == "invitations" })?.1 {
            for (name, _) in members where !["invitations", "qr"].contains(name) {
                problems.append(Problem(field: name, reason: "is not a field of a batch of invitations (invitations, qr)"))
            }
            guard case .array(let entries) = list else {
                throw APIError.invalid([Problem(field: "invitations", reason: "is a list of invitations")], code: "invalid_invitations",
                                       what: "The invitations", nothing: "none was registered")
            }
            for entry in entries {
                guard case .object(let fields) = entry else {
                    throw APIError.invalid([Problem(field: "invitations", reason: "holds objects, one per invitation")], code: "invalid_invitations",
                                           what: "The invitations", nothing: "none was registered")
                }
                items.append(fields)
            }
            if let value = members.last(where: { $0.0 == "qr" })?.1 {
                // Spelled out: comparing JSONValues with == here sends the type checker round in a circle.
                var kinds: [String] = []
                if case .array(let list) = value {
                    for item in list { if case .string(let text) = item, text == "svg" || text == "png" { kinds.append(text) } }
                    if kinds.count != list.count { kinds = [] }
                }
                if kinds.isEmpty {
                    problems.append(Problem(field: "qr", reason: "is a list of \"svg\" and \"png\""))
                }
                qr = Set(kinds)
            }
        } else {
            items = [members]
        }
        var requests: [InvitationRequest] = []
        for (index, fields) in items.enumerated() {
            let batch = items.count > 1 || members.contains(where: { $0.0 == "invitations" })
            let entry: Int? = batch ? index : nil
            var asked = InvitationRequest()
            for (name, value) in fields {
                let text: String?
                switch value {
                case .string(let string): text = string
                case .number(let number): text = number
                case .null: continue
                default: text = nil
                }
                switch name {
                case "centre": asked.centre = text
                case "channel": asked.channel = text
                case "service": asked.service = text
                case "counter": asked.counter = text
                case "stage": asked.stage = text
                case "expires_in_days":
                    if case .number(let number) = value, let days = Int(number) { asked.expiresInDays = days } else {
                        problems.append(Self.problem(entry, name, "is a whole number of days"))
                    }
                    continue
                default:
                    problems.append(Self.problem(entry, name, "is not a field of an invitation (centre, channel, service, counter, stage, expires_in_days)"))
                    continue
                }
                if text == nil { problems.append(Self.problem(entry, name, "is a text")) }
            }
            if let bound = key.centre {
                let named: String?
                do { named = try Identifier.normalized(asked.centre, field: "centre") } catch { named = nil }
                if asked.centre != nil, named != bound {
                    problems.append(Self.problem(entry, "centre", "this key registers centre \(bound)'s invitations only"))
                }
                asked.centre = bound
            }
            if let allowed = key.channels, let channel = asked.channel, !allowed.contains(channel) {
                problems.append(Self.problem(entry, "channel", "this key registers invitations on \(allowed.joined(separator: ", ")) only"))
            }
            requests.append(asked)
        }
        if case .failure(let list) = invitations.check(requests) { problems += list.problems }
        guard problems.isEmpty else {
            throw APIError.invalid(problems, code: "invalid_invitations", what: "The invitations", nothing: "none was registered")
        }
        let made = try await invitations.create(requests, by: "\(key.label) (key \(key.id))")
        let base = baseURL ?? Self.base(of: request)
        var registered = Registered(invitations: [])
        for item in made {
            let link = base + "/s/" + item.token
            var shown = Made(id: item.invitation.id, centre: item.invitation.centre, channel: item.invitation.channel, token: item.token,
                             link: link, expiresAt: item.invitation.expiresAt)
            if !qr.isEmpty {
                let code = try QRCode(link)
                if qr.contains("svg") { shown.svg = code.svg(label: link) }
                if qr.contains("png") { shown.png = Data(code.png()).base64EncodedString() }
            }
            registered.invitations.append(shown)
        }
        context.logger.info("invitations registered", metadata: ["count": "\(made.count)", "key.id": "\(key.id)"])
        var response = JSONBody.response(registered, status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func problem(_ entry: Int?, _ field: String, _ reason: String) -> Problem {
        if let entry { return Problem(entry: entry, field: field, reason: reason) }
        return Problem(field: field, reason: reason)
    }

    /// `http://` and the request's host, when it is a plain host name or address with an optional port.
    static func base(of request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        let plain = !host.isEmpty && host.utf8.count <= 255 && host.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || ".-:[]".unicodeScalars.contains($0))
        }
        return "http://" + (plain ? host : "localhost")
    }

    // MARK: The customer's page

    static func language(_ request: Request) -> Language {
        Query(request)["lang"] == "en" ? .en : .ar
    }

    /// The customer's pages as answers (shared with the signs' page).
    struct Pages {
        let auth: Authenticator

        func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
            var response = JSONBody.bytes(Data(html.utf8), contentType: "text/html; charset=utf-8", status: status)
            response.headers[.cacheControl] = "no-store"
            response.headers[.contentSecurityPolicy] = InvitationPage.contentSecurityPolicy
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            return response
        }

        /// Unknown tokens are counted against the client as unknown keys are: guessing is slowed, a mistyped link is not.
        func unknown(_ view: InvitationPage, _ context: RidaRequestContext) throws -> Response {
            if let limiter = auth.unknownLimiter, let wait = limiter.take(key: context.clientAddress, at: auth.now()) {
                throw APIError.rateLimited(retryAfter: wait, unknownKey: true)
            }
            return page(view.unknown(), status: .notFound)
        }
    }

    var pages: Pages { Pages(auth: auth) }

    /// The answers a customer's page posted (`application/x-www-form-urlencoded`, at most `maxFormBytes`): the invitation
    /// page's, a sign's and a widget's frame's.
    static func postedAnswers(_ request: inout Request) async throws -> ResponseDraft {
        try ResponsesController.requireContentType(request, "application/x-www-form-urlencoded")
        let body = try await ResponsesController.collect(&request, limit: maxFormBytes)
        return answers(form(String(decoding: body.readableBytesView, as: UTF8.self)))
    }

    /// The form's fields as a draft's answers.
    static func answers(_ form: [String: String]) -> ResponseDraft {
        var answers = ResponseDraft()
        for q in 0..<4 { answers.ratings[q] = form["q\(q + 1)"] }
        answers.comment = form["comment"]
        answers.contactConsent = form["contact_consent"]
        answers.contactPhone = form["contact_phone"]
        answers.contactEmail = form["contact_email"]
        return answers
    }

    @Sendable func show(_ request: Request, context: RidaRequestContext) async throws -> Response {
        let token = try context.pathParameter("token")
        let language = Self.language(request)
        let view = InvitationPage(language: language)
        switch try await invitations.open(token: token) {
        case .unknown: return try pages.unknown(view, context)
        case .answered: return pages.page(view.answered())
        case .expired: return pages.page(view.expired(), status: .gone)
        case .open(let invitation):
            return pages.page(view.form(invitation, channels: channels, action: "/s/\(token)?lang=\(language.rawValue)",
                                  other: "?lang=\(language == .ar ? "en" : "ar")"))
        }
    }

    @Sendable func answer(_ request: Request, context: RidaRequestContext) async throws -> Response {
        var request = request
        let token = try context.pathParameter("token")
        let language = Self.language(request)
        let view = InvitationPage(language: language)
        let answers = try await Self.postedAnswers(&request)
        switch try await invitations.answer(token: token, answers: answers) {
        case .unknown: return try pages.unknown(view, context)
        case .answeredAlready: return pages.page(view.answered())
        case .expired: return pages.page(view.expired(), status: .gone)
        case .invalid(let invitation, let problems):
            return pages.page(view.form(invitation, channels: channels, action: "/s/\(token)?lang=\(language.rawValue)",
                                  other: "?lang=\(language == .ar ? "en" : "ar")", values: answers, problems: problems),
                        status: .unprocessableContent)
        case .stored(let invitation, let followUp):
            feed.changed(centres: [invitation.centre])
            context.logger.info("invitation answered", metadata: ["invitation": "\(invitation.id)", "centre": "\(invitation.centre)"])
            return pages.page(view.thanks(followUp: followUp))
        }
    }

    /// An `application/x-www-form-urlencoded` body: the last value of each name, `+` as a space, percent-decoded; a
    /// value that does not decode is left out (the validator then names its field as missing or wrong).
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true).prefix(64) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else { continue }
            fields[name] = value
        }
        return fields
    }
}
