import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaAggregation
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// Issue 15 point 2 over HTTP on a real socket and SQLite file: the quality team prints a centre's counter signs; a
/// customer scans one and rates on their phone (stored with the sign's centre, channel and counter); a phone answers
/// through a sign three times a day at most; answers through one sign faster than people come are set aside by the
/// misuse rules, whatever cookies the hand clears.
@Suite struct SignsRouterTests {
    static func link(in html: String) -> [String] {
        html.components(separatedBy: "<p class=\"link\" lang=\"en\" dir=\"ltr\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }

    @Test func aCounterSignIsPrintedScannedAndAnsweredWithinLimits() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test(.live) { client in
            #expect(try await client.get("/v1/centres/C01/signs?counter=7,8", key: h.submitter).status == .forbidden)
            let sheet = try await client.get("/v1/centres/C01/signs?counter=7,8", key: h.quality)
            #expect(sheet.status == .ok && sheet.headers[.contentType]?.hasPrefix("text/html") == true)
            let html = sheet.text
            #expect(html.components(separatedBy: "<section>").count == 3 && html.contains("size:A6"))
            #expect(html.contains("رأيك يهمنا") && html.contains("Your opinion matters") && html.contains("<svg"))
            let links = Self.link(in: html)
            #expect(links.count == 2 && links.allSatisfy { $0.contains("/q/") })
            // Printed again: the same signs.
            #expect(Self.link(in: try await client.get("/v1/centres/C01/signs?counter=8,7", key: h.quality).text) == links)
            #expect(try await client.get("/v1/centres/C01/signs?channel=fax", key: h.quality).status.code == 422)

            // Counter 7's sign: the page gives the phone a cookie of its own.
            let path = "/q/" + String(links[0].split(separator: "/").last!)
            let page = try await client.get(path, key: nil)
            #expect(page.status == .ok && page.text.contains("<bdi>7</bdi>") && page.text.contains("dir=\"rtl\""))
            let cookie = try #require(Self.cookie(page))
            #expect(cookie.hasPrefix("rida_device=") && page.headers[.setCookie]?.contains("HttpOnly") == true)

            func answer(_ form: String, cookie: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let cookie { headers[.cookie] = cookie }
                return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form))
            }
            // Three answers a day from one phone, the fourth thanked and not stored.
            for _ in 0..<3 {
                #expect(try await answer("q1=4&q2=4", cookie: cookie).status == .ok)
            }
            let fourth = try await answer("q1=5&q2=5", cookie: cookie)
            #expect(fourth.status == .tooManyRequests && fourth.text.contains("وصلتنا تقييماتك من هذا الهاتف اليوم"))
            #expect(try await h.store.responseCount() == 3)
            let report = try JSONDecoder().decode(QuarterlyReport.self, from: Data(buffer: try await client.get(
                "/v1/reports/quarterly?quarter=2026-Q1&centre=C01", key: h.quality).body))
            let counter = try #require(report.groups.first { $0.channel == "counter" })
            // The server's clock stands still in this test, so the three came at one instant through one sign: faster
            // than a person reads the questions. One counts (q1 4, q2 4: 2 ratings, mean 4), the other two are
            // set aside as too fast, as three answers in one second at a counter's sign would be.
            #expect(counter.responses == 1 && counter.ratings == 2 && counter.mean == 4.0)
            #expect(report.setAside == [SetAsideCount(centre: "C01", channel: "counter", rule: .tooFast, responses: 2)])

            // Someone clearing the cookie each time at counter 8's sign: twelve answers in the same minute (the server's
            // clock stands still here) are a burst of the sign, and none is counted.
            let other = "/q/" + String(links[1].split(separator: "/").last!)
            for i in 0..<12 {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                headers[.cookie] = "rida_device=" + InvitationToken.generate().text
                _ = try await client.execute(uri: other, method: .post, headers: headers, body: ByteBuffer(string: "q1=5&q2=5&comment=\(i)"))
            }
            let after = try JSONDecoder().decode(QuarterlyReport.self, from: Data(buffer: try await client.get(
                "/v1/reports/quarterly?quarter=2026-Q1&centre=C01", key: h.quality).body))
            #expect(after.groups.first { $0.channel == "counter" }?.responses == 1)
            #expect(after.setAside == [SetAsideCount(centre: "C01", channel: "counter", rule: .burst, responses: 12),
                                       SetAsideCount(centre: "C01", channel: "counter", rule: .tooFast, responses: 2)])
            #expect(try await client.get("/q/" + InvitationToken.generate().text, key: nil).status == .notFound)
        }
    }
}
