import Foundation
import HTTPTypes
import HummingbirdTesting
import RidaAggregation
import RidaHTTP
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Issue 15 point 1 over HTTP on a real socket and SQLite file: the centre's system registers invitations and gets
/// their links and QR codes; the customer's page shows the questionnaire with service and counter known, takes one
/// answer, and says kindly when answered already, expired or unknown.
@Suite struct InvitationRouterTests {
    struct Made: Decodable {
        var id: Int64
        var centre: String
        var channel: String
        var token: String
        var link: String
        var svg: String?
        var png: String?
    }
    struct Registered: Decodable { var invitations: [Made] }

    static func token(of link: String) -> String { String(link.split(separator: "/").last ?? "") }

    @Test func aCustomerAnswersTheirInvitationOnce() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test(.live) { client in
            // Registered by the counter system's key (C01): a batch of two, with their QR codes.
            let made = try await client.post("/v1/invitations", key: h.submitter, json: """
                {"invitations": [{"channel": "counter", "service": "<b>تجديد</b> جواز", "counter": "7", "stage": "after"},
                                 {"channel": "website", "expires_in_days": 30}], "qr": ["svg", "png"]}
                """)
            #expect(made.status == .created)
            #expect(made.headers[.cacheControl] == "no-store")
            let invitations = try JSONDecoder().decode(Registered.self, from: Data(buffer: made.body)).invitations
            #expect(invitations.count == 2 && invitations.allSatisfy { $0.centre == "C01" })
            let first = try #require(invitations.first)
            #expect(first.link.hasPrefix("http://") && first.link.hasSuffix("/s/" + first.token) && first.token.count == 22)
            #expect(first.svg?.hasPrefix("<svg") == true)
            let png = try #require(first.png.flatMap { Data(base64Encoded: $0) })
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            // One object alone is one invitation, without QR codes unless asked.
            let single = try await client.post("/v1/invitations", key: h.submitter, json: #"{"channel": "counter"}"#)
            #expect(single.status == .created && !single.text.contains("\"svg\""))

            // Refused: a reader's key; another centre; a channel the key does not send; unknown fields; a bad qr list.
            #expect(try await client.post("/v1/invitations", key: h.quality, json: #"{"channel": "counter"}"#).status == .forbidden)
            let refused = try await client.post("/v1/invitations", key: h.kioskOnly, json: """
                {"invitations": [{"centre": "C02", "channel": "kiosk"}, {"channel": "counter", "colour": "red"}], "qr": ["gif"]}
                """)
            #expect(refused.status.code == 422)
            let body = refused.text
            #expect(body.contains("centre C01's invitations only") && body.contains("on kiosk only") && body.contains("entries[1].colour") && body.contains("\"invalid_invitations\"")
                    && body.contains("The invitations have 4 problems and none was registered")
                    && body.contains("\"qr\""))
            #expect(try await client.post("/v1/invitations", key: h.submitter, json: "{}", contentType: "text/plain").status.code == 415)

            // The page: Arabic, right to left, for a phone; the service escaped; the token not sent on.
            let path = "/s/" + first.token
            let page = try await client.get(path, key: nil)
            #expect(page.status == .ok)
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let html = page.text
            #expect(html.contains("<html lang=\"ar\" dir=\"rtl\">") && html.contains("width=device-width"))
            #expect(html.contains("&lt;b&gt;تجديد&lt;/b&gt; جواز") && !html.contains("<b>تجديد"))
            #expect(html.contains("كفاءة الموظف") && html.contains("name=\"contact_consent\""))
            #expect(try await client.get(path + "?lang=en", key: nil).text.contains("<html lang=\"en\" dir=\"ltr\">"))

            // Answers with no rating come back with the form and a sentence; nothing stored.
            let empty = try await client.post(path + "?lang=en", key: nil, json: "comment=hello", contentType: "application/x-www-form-urlencoded")
            #expect(empty.status.code == 422 && empty.text.contains("Rate at least one question.") && empty.text.contains(">hello</textarea>"))
            #expect(try await client.post(path, key: nil, json: "{}").status.code == 415)

            // Answered: a 2 with leave to be called; stored with the invitation's service and counter; a case opened.
            let form = "q1=2&q2=3&q3=4&q4=3&comment=%D8%A7%D9%84%D8%A7%D9%86%D8%AA%D8%B8%D8%A7%D8%B1+%D8%B7%D9%88%D9%8A%D9%84&contact_consent=true&contact_phone=%2B973+3333+4444"
            let answered = try await client.post(path, key: nil, json: form, contentType: "application/x-www-form-urlencoded")
            #expect(answered.status == .ok && answered.text.contains("وصل تقييمك"))
            let cases = try await h.store.cases(CaseQuery())
            #expect(cases.count == 1 && cases.first?.contact == FollowUpContact(phone: "+97333334444") && cases.first?.channel == "counter")
            let responseID = try #require(cases.first?.responseID)
            let stored = try #require(try await h.store.response(id: responseID))
            #expect(stored.service == "<b>تجديد</b> جواز" && stored.counter == "7" && stored.stage == .after && stored.ratings == [2, 3, 4, 3])
            #expect(stored.comment == "الانتظار طويل" && stored.submittedAt == h.now)

            // A second visit, and a second answer, are told kindly; nothing more is stored.
            let again = try await client.get(path, key: nil)
            #expect(again.status == .ok && again.text.contains("لقد أجبت على هذا الاستبيان من قبل"))
            let twice = try await client.post(path, key: nil, json: "q1=5", contentType: "application/x-www-form-urlencoded")
            #expect(twice.status == .ok && twice.text.contains("لقد أجبت"))
            #expect(try await h.store.responseCount() == 1)

            // Unknown and malformed tokens: 404, kindly.
            let unknown = try await client.get("/s/" + InvitationToken.generate().text, key: nil)
            #expect(unknown.status == .notFound && unknown.text.contains("الرابط غير معروف"))
            #expect(try await client.get("/s/%3Cscript%3E", key: nil).status == .notFound)

            // Counted: this quarter, C01 counter sent 2, opened 1, answered 1; website sent 1.
            #expect(try await h.store.invitationCounts(quarter: Quarter("2026-Q1")!, centre: "C01") == [
                InvitationCount(centre: "C01", channel: "counter", sent: 2, opened: 1, answered: 1),
                InvitationCount(centre: "C01", channel: "website", sent: 1, opened: 0, answered: 0),
            ])
            // The report says how many were asked and answered: counter 1 of 2 invitations answered (50.0%), website 0 of 1.
            let report = try JSONDecoder().decode(QuarterlyReport.self, from: Data(buffer: try await client.get(
                "/v1/reports/quarterly?quarter=2026-Q1&centre=C01", key: h.quality).body))
            #expect(report.reach == [
                ChannelReach(centre: "C01", channel: "counter", responses: 1, invitationsSent: 2, invitationsOpened: 1, invitationsAnswered: 1),
                ChannelReach(centre: "C01", channel: "website", responses: 0, invitationsSent: 1, invitationsOpened: 0, invitationsAnswered: 0),
            ])
            let text = TextRendering.render(report)
            #expect(text.contains("C01 counter: 1 response; 2 invitations sent, 1 opened, 1 answered (50.0%)"))
            #expect(text.contains("C01 website: 0 responses; 1 invitation sent, 0 opened, 0 answered (0.0%)"))
            let reportPage = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=html&lang=en", key: h.quality).text
            #expect(reportPage.contains("<bdi>2</bdi> invitations sent, <bdi>1</bdi> opened, <bdi>1</bdi> answered (<bdi>50.0%</bdi>)"))
            // The logs carry neither the tokens nor the contact.
            let logs = h.logs.all.joined(separator: "\n")
            #expect(!logs.contains(first.token) && !logs.contains("3333") && logs.contains("invitation answered"))
        }
    }

    @Test func anExpiredLinkSaysSo() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let token = InvitationToken.generate()
        _ = try await h.store.createInvitations([InvitationDraft(centre: "C01", channel: "counter", expiresAt: h.now.adding(milliseconds: -1))],
                                                tokenHashes: [token.hash], by: nil, at: h.now.adding(milliseconds: -86_400_000))
        try await h.test(.live) { client in
            let page = try await client.get("/s/\(token.text)?lang=en", key: nil)
            #expect(page.status == .gone && page.text.contains("This link has expired"))
            let answer = try await client.post("/s/\(token.text)", key: nil, json: "q1=4", contentType: "application/x-www-form-urlencoded")
            #expect(answer.status == .gone)
            #expect(try await h.store.responseCount() == 0)
        }
    }
}
