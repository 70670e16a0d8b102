import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// Issue 15 point 3 over HTTP on a real socket and SQLite file: the widget's script and styles are served to any page;
/// its form and its answers only to pages of its listed origins (CORS: the allowed origin said back, the rest refused
/// without it); answers are stored with the widget's centre, the page's channel, once per id; the iframe's page may be
/// framed by the listed origins only; what a page sends is escaped where it is shown; a client address is limited.
@Suite struct WidgetsRouterTests {
    static let listed = "https://www.moi.gov.bh"

    static func widget(_ h: Harness) async throws -> Widget {
        try await Widgets(store: h.store, validator: h.settings.validator, now: { h.now })
            .create(label: "MOI website", centre: "C01", channels: ["website", "mobile_app"], origins: [listed, "http://127.0.0.1:8000"])
    }

    static func headers(origin: String?, json: Bool = true) -> HTTPFields {
        var headers: HTTPFields = [:]
        if json { headers[.contentType] = "application/json" }
        if let origin { headers[.origin] = origin }
        return headers
    }

    @Test func theScriptIsForAnyPageAndTheFormOnlyForListedOrigins() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let widget = try await Self.widget(h)
        try await h.test(.live) { client in
            let script = try await client.execute(uri: "/embed.js", method: .get, headers: Self.headers(origin: "https://anyone.example"), body: nil)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] == "cross-origin")
            #expect(script.text.contains("attachShadow") && !script.text.contains("innerHTML"))
            let css = try await client.execute(uri: "/embed.css", method: .get, headers: [:], body: nil)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")

            let form = try await client.execute(uri: "/w/\(widget.key)/form?lang=en", method: .get, headers: Self.headers(origin: Self.listed), body: nil)
            #expect(form.status == .ok && form.headers[.accessControlAllowOrigin] == Self.listed && form.headers[.vary] == "Origin")
            let json = try form.json()
            #expect(json["lang"] as? String == "en" && json["dir"] as? String == "ltr")
            #expect((json["questions"] as? [[String: Any]])?.map { $0["id"] as? String } == ["q1", "q2", "q3", "q4"])
            let arabic = try await client.execute(uri: "/w/\(widget.key)/form", method: .get, headers: Self.headers(origin: Self.listed), body: nil)
            #expect(try arabic.json()["dir"] as? String == "rtl")

            for origin in ["https://evil.example", "http://www.moi.gov.bh", "null"] as [String?] + [nil] {
                let refused = try await client.execute(uri: "/w/\(widget.key)/form", method: .get, headers: Self.headers(origin: origin), body: nil)
                #expect(refused.status == .forbidden && refused.headers[.accessControlAllowOrigin] == nil, "\(origin ?? "no origin")")
                let preflight = try await client.execute(uri: "/w/\(widget.key)/responses", method: .options, headers: Self.headers(origin: origin), body: nil)
                #expect(preflight.status == .forbidden && preflight.headers[.accessControlAllowOrigin] == nil)
            }
            let preflight = try await client.execute(uri: "/w/\(widget.key)/responses", method: .options,
                                                     headers: [.origin: Self.listed, .accessControlRequestMethod: "POST"], body: nil)
            #expect(preflight.status == .noContent && preflight.headers[.accessControlAllowOrigin] == Self.listed)
            #expect(preflight.headers[.accessControlAllowMethods] == "POST" && preflight.headers[.accessControlAllowHeaders] == "Content-Type")

            let unknown = try await client.execute(uri: "/w/pk_\(InvitationToken.generate().text)/form", method: .get, headers: Self.headers(origin: Self.listed), body: nil)
            #expect(try unknown.status == .notFound && unknown.errorCode() == "unknown_widget")
        }
    }

    @Test func answersAreStoredOnceWithTheWidgetsCentreAndRefusalsAreReadable() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let widget = try await Self.widget(h)
        try await h.test(.live) { client in
            let uri = "/w/\(widget.key)/responses"
            let body = #"{"id":"9f1c","channel":"mobile_app","stage":"during","q1":5,"q2":"4","comment":"التطبيق سريع <script>alert(1)</script>"}"#
            let created = try await client.execute(uri: uri, method: .post, headers: Self.headers(origin: Self.listed), body: ByteBuffer(string: body))
            #expect(created.status == .created && created.headers[.accessControlAllowOrigin] == Self.listed)
            #expect(try created.json()["id"] as? String == "web-\(widget.id)-9f1c")
            let retry = try await client.execute(uri: uri, method: .post, headers: Self.headers(origin: Self.listed), body: ByteBuffer(string: body))
            #expect(try retry.status == .ok && retry.json()["status"] as? String == "duplicate")
            let stored = try #require(try await h.store.response(id: "web-\(widget.id)-9f1c"))
            #expect(stored.centre == "C01" && stored.channel == "mobile_app" && stored.stage == .during && stored.ratings[0] == 5 && stored.ratings[1] == 4)
            #expect(stored.comment == "التطبيق سريع <script>alert(1)</script>" && stored.source == "widget:\(widget.id)")

            // Refused, with the header so the page's script can read why; nothing stored.
            func refused(_ body: String, origin: String = Self.listed, contentType: String = "application/json") async throws -> TestResponse {
                var headers = Self.headers(origin: origin, json: false)
                headers[.contentType] = contentType
                return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            let centre = try await refused(#"{"q1":5,"centre":"C02","submitted_at":"2020-01-01T00:00:00Z"}"#)
            #expect(centre.status == .unprocessableContent && centre.headers[.accessControlAllowOrigin] == Self.listed)
            #expect(try centre.json()["error"].flatMap { ($0 as? [String: Any])?["problems"] as? [[String: Any]] }?.compactMap { $0["field"] as? String } == ["centre", "submitted_at"])
            #expect(try await refused(#"{"q1":5,"channel":"kiosk"}"#).status == .unprocessableContent)
            #expect(try await refused(#"{"comment":"no rating"}"#).status == .unprocessableContent)
            #expect(try await refused("{").status == .badRequest)
            #expect(try await refused("q1=5", contentType: "application/x-www-form-urlencoded").status == .unsupportedMediaType)
            #expect(try await refused(#"{"q1":5,"comment":""# + String(repeating: "x", count: 20_000) + #""}"#).status == .contentTooLarge)
            let other = try await refused(#"{"q1":5}"#, origin: "https://evil.example")
            #expect(other.status == .forbidden && other.headers[.accessControlAllowOrigin] == nil)
            #expect(try await h.store.responseCount() == 1)

            // A revoked widget's pages get nothing.
            try await Widgets(store: h.store, validator: h.settings.validator, now: { h.now }).revoke(widget.id)
            // The service trusts what it read for no time here: the use case reads the store each time.
            #expect(try await refused(#"{"q1":5}"#).status == .notFound)
            #expect(try await h.store.responseCount() == 1)
        }
        // Comment text never reaches a log line.
        #expect(!h.logs.all.contains { $0.contains("التطبيق") || $0.contains("alert") })
        #expect(h.logs.all.contains { $0.contains("answered through a widget") })
    }

    @Test func aClientAddressIsLimitedPerWidget() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let widget = try await Self.widget(h)
        try await h.test(.live) { client in
            let uri = "/w/\(widget.key)/responses"
            var statuses: [Int] = []
            for i in 0...WidgetsControllerLimits.answersPerAddressPerHour {
                let answer = try await client.execute(uri: uri, method: .post, headers: Self.headers(origin: Self.listed),
                                                      body: ByteBuffer(string: #"{"q1":\#(i % 5 + 1)}"#))
                statuses.append(Int(answer.status.code))
            }
            #expect(statuses.dropLast().allSatisfy { $0 == 201 } && statuses.last == 429)
            #expect(try await h.store.responseCount() == WidgetsControllerLimits.answersPerAddressPerHour)
        }
    }

    @Test func theIframePageIsFramedOnlyByListedOriginsAndEscapesWhatThePageSends() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let widget = try await Self.widget(h)
        try await h.test(.live) { client in
            let service = "\"><script>alert(1)</script>".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let path = "/w/\(widget.key)?channel=mobile_app&service=\(service)&lang=en"
            let page = try await client.execute(uri: path, method: .get, headers: [:], body: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.hasSuffix("frame-ancestors https://www.moi.gov.bh http://127.0.0.1:8000") == true)
            #expect(!page.text.contains("<script>") && page.text.contains("&lt;script&gt;") && page.text.contains("dir=\"ltr\""))
            let answer = try await client.execute(uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "q1=4&q3=2&comment=%D8%B4%D9%83%D8%B1%D8%A7"))
            #expect(answer.status == .ok && answer.text.contains("Thank you"))
            #expect(try await h.store.responseCount() == 1)
            let unknown = try await client.execute(uri: "/w/pk_\(InvitationToken.generate().text)", method: .get, headers: [:], body: nil)
            #expect(unknown.status == .notFound)
            let wrong = try await client.execute(uri: "/w/\(widget.key)?channel=kiosk", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "q1=4"))
            // The page names a channel the widget is not for: its first channel is shown, and the answer is refused.
            #expect(wrong.status == .unprocessableContent)
        }
    }
}
