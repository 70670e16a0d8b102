import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaAggregation
import RidaHTTP
import RidaReports
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

@Suite struct ReadingRouterTests {
    @Test func servesTheSameQuarterlyReportAsTheCommandLineInJSONAndCSV() async throws {
        let h = try await Harness()
        defer { h.remove() }
        _ = try await h.store.save([response("a", [5, 5, 4, 4]), response("b", channel: "kiosk", [2, 3, nil, 4])], receivedAt: h.now)
        let report = try await h.store.quarterlyReport(.init(quarter: Quarter(year: 2026, number: 1)), policy: .init(), channels: .standard)
        let kioskOnly = try await h.store.quarterlyReport(
            .init(quarter: Quarter(year: 2026, number: 1), centre: "C01", channel: "kiosk"), policy: .init(), channels: .standard)
        try await h.test { client in
            for key in [h.quality, h.evaluator, h.admin] {
                let json = try await client.get("/v1/reports/quarterly?quarter=2026-Q1", key: key)
                #expect(json.status == .ok)
                #expect(json.text == (try JSONRendering.render(report)))
            }
            let latest = try await client.get("/v1/reports/quarterly", key: h.quality)
            #expect(latest.text == (try JSONRendering.render(report)))
            let csv = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&channel=kiosk&format=csv", key: h.quality)
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text == CSVRendering.render(kioskOnly))
            #expect(try await client.get("/v1/reports/quarterly", key: h.submitter).status == .forbidden)
            #expect(try await client.get("/v1/reports/quarterly", key: nil).status == .unauthorized)
            let badQuarter = try await client.get("/v1/reports/quarterly?quarter=2026-Q5", key: h.quality)
            #expect(badQuarter.status == .unprocessableContent)
            #expect(try badQuarter.errorCode() == "invalid_parameter")
            #expect(try await client.get("/v1/reports/quarterly?format=xml", key: h.quality).status == .unprocessableContent)
            #expect(try await client.get("/v1/reports/quarterly?channel=fax", key: h.quality).status == .unprocessableContent)
        }
    }

    @Test func servesTheQuestionnaireToAnyKey() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let answer = try await client.get("/v1/surveys/appendix-3", key: h.submitter)
            #expect(answer.status == .ok)
            let survey = try JSONDecoder().decode(Questionnaire.self, from: Data(answer.text.utf8))
            #expect(survey == Questionnaire.appendix3)
            #expect(survey.question("q1")?.text.ar == "كفاءة الموظف وأسلوب تعامله وقدرته على الإجابة على الاستفسارات")
            let unknown = try await client.get("/v1/surveys/appendix-9", key: h.submitter)
            #expect(unknown.status == .notFound)
            #expect(try unknown.errorCode() == "not_found")
            #expect(try await client.get("/v1/surveys/appendix-3", key: nil).status == .unauthorized)
        }
    }

    /// By hand: at 2026-02-01 12:00 (a Sunday, the week's first day) in Bahrain, C01 has
    /// today 2 counter responses (5,5,5,5 and 3,3,3,3: mean 4, 4 of 8 ratings ≥ 4) and 1 kiosk (2,·,·,·);
    /// on Saturday 31 January (last week) 1 counter (4,4,4,4); on 2 January 1 kiosk (5,5,5,5). C02 has 1 today.
    @Test func computesTodayThisWeekAndThisQuarterPerChannelByHand() async throws {
        let h = try await Harness()
        defer { h.remove() }
        _ = try await h.store.save([
            response("t1", at: "2026-02-01T08:00:00+03:00", [5, 5, 5, 5]),
            response("t2", at: "2026-02-01T11:59:00+03:00", [3, 3, 3, 3]),
            response("t3", channel: "kiosk", at: "2026-02-01T00:00:00+03:00", [2, nil, nil, nil]),
            response("y1", at: "2026-01-31T23:59:59+03:00", [4, 4, 4, 4]),
            response("q1", channel: "kiosk", at: "2026-01-02T09:00:00+03:00", [5, 5, 5, 5]),
            response("o1", centre: "C02", at: "2026-02-01T09:00:00+03:00", [1, 1, 1, 1]),
            response("prev", at: "2025-12-31T23:00:00+03:00", [1, 1, 1, 1]),
        ], receivedAt: h.now)
        try await h.test { client in
            let answer = try await client.get("/v1/live/C01", key: h.quality)
            #expect(answer.status == .ok)
            let body = try answer.json()
            func period(_ name: String) throws -> [String: Any] { try #require(body[name] as? [String: Any]) }
            func channel(_ period: [String: Any], _ id: String) throws -> [String: Any] {
                try #require((period["channels"] as? [[String: Any]])?.first { $0["channel"] as? String == id })
            }
            let today = try period("today")
            #expect(today["from"] as? String == "2026-02-01")
            let todayAll = try #require(today["all"] as? [String: Any])
            #expect(todayAll["responses"] as? Int == 3)
            #expect(todayAll["ratings"] as? Int == 9)
            #expect(abs((todayAll["mean"] as? Double ?? 0) - 34.0 / 9) < 1e-12)
            let counter = try channel(today, "counter")
            #expect(counter["responses"] as? Int == 2)
            #expect(counter["mean"] as? Double == 4)
            #expect(counter["share4"] as? Double == 0.5)
            #expect((counter["thresholds"] as? [String: Any])?["meanAtLeast4"] as? Bool == true)
            #expect((counter["thresholds"] as? [String: Any])?["atLeast3In80Percent"] as? Bool == true)
            #expect((counter["thresholds"] as? [String: Any])?["atLeast4In80Percent"] as? Bool == false)
            let week = try period("week")
            #expect(week["from"] as? String == "2026-02-01")
            #expect((week["all"] as? [String: Any])?["responses"] as? Int == 3)
            let quarter = try period("quarter")
            #expect(quarter["from"] as? String == "2026-01-01")
            #expect(quarter["quarter"] as? String == "2026-Q1")
            #expect((quarter["all"] as? [String: Any])?["responses"] as? Int == 5)
            #expect(try channel(quarter, "kiosk")["responses"] as? Int == 2)
            #expect((body["channels"] as? [[String: Any]])?.map { $0["id"] as? String } == ["counter", "kiosk"])

            #expect(try await client.get("/v1/live/C01", key: h.submitter).status == .ok)
            #expect(try await client.get("/v1/live/C01", key: h.otherCentre).status == .forbidden)
            #expect(try await client.get("/v1/live/C01", key: nil).status == .unauthorized)
        }
    }

    @Test func aWeekStartingOnSaturdayTakesInYesterday() async throws {
        let h = try await Harness(settings: ServiceSettings(rateLimit: nil, weekStartsOn: 7))
        defer { h.remove() }
        _ = try await h.store.save([response("t1", at: "2026-02-01T08:00:00+03:00"), response("y1", at: "2026-01-31T08:00:00+03:00")], receivedAt: h.now)
        try await h.test { client in
            let body = try await client.get("/v1/live/C01", key: h.quality).json()
            let week = try #require(body["week"] as? [String: Any])
            #expect(week["from"] as? String == "2026-01-31")
            #expect((week["all"] as? [String: Any])?["responses"] as? Int == 2)
        }
    }

    @Test func answersHealthWithoutAKeyAndMetricsWithAReadingKey() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let health = try await client.get("/health", key: nil)
            #expect(health.status == .ok)
            #expect(try health.json()["status"] as? String == "ok")
            _ = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("m1", channel: "kiosk"))
            _ = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("m1", channel: "kiosk"))
            #expect(try await client.get("/metrics", key: nil).status == .unauthorized)
            #expect(try await client.get("/metrics", key: h.submitter).status == .forbidden)
            let metrics = try await client.get("/metrics", key: h.admin)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("rida_http_requests_total{route=\"/v1/responses\",method=\"POST\",status=\"201\"} 1\n"))
            #expect(metrics.text.contains("rida_http_requests_total{route=\"/v1/responses\",method=\"POST\",status=\"200\"} 1\n"))
            #expect(metrics.text.contains("rida_responses_stored_total{channel=\"kiosk\"} 1\n"))
            #expect(metrics.text.contains("rida_http_request_duration_seconds_count{route=\"/v1/responses\"} 2\n"))
            #expect(metrics.text.contains("rida_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"401\"} 1\n"))
        }
    }

    /// Each application counts into its own registry: the metrics are never bootstrapped process-wide, so the
    /// responses stored by one service do not show in another's /metrics, in the same process.
    @Test func eachServiceCountsOnlyItsOwnRequests() async throws {
        let one = try await Harness()
        defer { one.remove() }
        let other = try await Harness()
        defer { other.remove() }
        try await one.test { client in
            // Two responses stored, then /metrics read: the second read sees the first (one 200 on /metrics).
            _ = try await client.post("/v1/responses", key: one.submitter, json: responseJSON("a1", channel: "kiosk"))
            _ = try await client.post("/v1/responses", key: one.submitter, json: responseJSON("a2", channel: "kiosk"))
            _ = try await client.get("/metrics", key: one.admin)
            let metrics = try await client.get("/metrics", key: one.admin)
            #expect(metrics.text.contains("rida_responses_stored_total{channel=\"kiosk\"} 2\n"))
            #expect(metrics.text.contains("rida_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"200\"} 1\n"))
            // No backup was made: the last-success gauge is absent, not 0; the outcomes are counted from 0.
            #expect(!metrics.text.contains("rida_backup_last_success_timestamp_seconds"))
            #expect(metrics.text.contains("rida_backups_total{outcome=\"failed\"} 0\n"))
        }
        try await other.test { client in
            let metrics = try await client.get("/metrics", key: other.admin)
            #expect(metrics.status == .ok)
            #expect(!metrics.text.contains("rida_responses_stored_total"))
            #expect(!metrics.text.contains("route=\"/v1/responses\""))
        }
    }

    @Test func servesTheOpenAPIDocumentKeptInDocs() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let kept = try String(contentsOf: repositoryRoot().appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        try await h.test { client in
            let answer = try await client.get("/v1/openapi.json", key: nil)
            #expect(answer.status == .ok)
            #expect(answer.text == kept)
            let document = try answer.json()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            for path in ["/v1/responses", "/v1/responses/batch", "/v1/responses/ivr", "/v1/surveys/{id}", "/v1/reports/quarterly",
                         "/v1/reports/saved", "/v1/reports/saved/{id}", "/v1/assessments", "/v1/assessments/{id}", "/v1/assessments/{id}/form",
                         "/v1/assessments/{id}/history", "/v1/assessments/{id}/verdicts",
                         "/v1/live/{centre}", "/v1/live/{centre}/events", "/v1/key", "/health", "/metrics"] {
                #expect(paths[path] != nil, "\(path) is documented")
            }
        }
    }

    @Test func answersUnknownPathsWithAJSONError() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let answer = try await client.get("/v1/nothing", key: nil)
            #expect(answer.status == .notFound)
            #expect(try answer.errorCode() == "not_found")
            #expect(answer.headers[.contentType] == "application/json; charset=utf-8")
        }
    }

    @Test func servesThePagesWithEveryAssetLocal() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let kiosk = try await client.get("/kiosk", key: nil)
            #expect(kiosk.status == .ok)
            #expect(kiosk.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(kiosk.text.contains("كفاءة الموظف"))
            #expect(kiosk.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            for page in ["/kiosk", "/kiosk/setup", "/live/C01"] {
                let text = try await client.get(page, key: nil).text
                #expect(!text.contains("http://") && !text.contains("https://"), "\(page) loads nothing from elsewhere")
            }
            for asset in ["/assets/kiosk.js", "/assets/live.js", "/assets/rida.css"] {
                let answer = try await client.get(asset, key: nil)
                #expect(answer.status == .ok)
                #expect(!answer.text.contains("https://"))
            }
        }
    }
}

@Suite struct LiveDisplayEvidenceTests {
    /// Criterion 2.3.5's evidence: the days a display bound to a centre (a display key naming the centre) served the live
    /// page, recorded once a day. A reading key from anywhere, or a kiosk's submitter key, shows the page but is no
    /// evidence of a display at the centre.
    @Test func recordsTheDaysADisplayBoundToTheCentreServedIt() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let display = try await h.makeKey(.display, centre: "C02")
        try await h.test { client in
            let first = try await client.get("/v1/live/C01", key: h.quality)
            #expect(first.status == .ok)
            #expect(try await client.get("/v1/live/C01", key: h.quality).status == .ok)
            #expect(try await client.get("/v1/live/C01", key: h.submitter).status == .ok)
            #expect(try await client.get("/v1/live/C02", key: display).status == .ok)
            #expect(try await client.get("/v1/live/C02", key: display).status == .ok)
            #expect(try await client.get("/v1/live/C01", key: display).status == .forbidden)
        }
        #expect(try await h.store.liveDisplayDays(centre: "C01").isEmpty)  // only a quality key and a kiosk's key asked for C01
        #expect(try await h.store.liveDisplayDays(centre: "C02") == [CivilDate(year: 2026, month: 2, day: 1)])
        #expect(try await h.store.liveDisplayDays(centre: "C03").isEmpty)
    }
}
