import Foundation
import HTTPTypes
import HummingbirdTesting
import RidaAggregation
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Testing
import ZIPFoundation

/// Issue 16 point 1 over HTTP, on a real server on a local socket over a real SQLite file: a kiosk sends an unhappy
/// customer's answer with their leave to be contacted; the quality team finds the case, works it, and the customer's
/// phone or e-mail appears nowhere else: not in any report (every format, both audiences and languages), not in the
/// set-aside listing or the comment themes, not in a log line.
@Suite struct CasesRouterTests {
    static let phone = "+97333334444", email = "sara.ali@example.bh"

    static func body(_ id: String, _ ratings: [Int], comment: String? = nil, contact: String) -> String {
        var json = "{\"id\":\"\(id)\",\"centre\":\"C01\",\"channel\":\"kiosk\",\"submitted_at\":\"2026-02-01T10:\(id.suffix(2)):00+03:00\""
        for (q, rating) in ratings.enumerated() { json += ",\"q\(q + 1)\":\(rating)" }
        if let comment { json += ",\"comment\":\"\(comment)\"" }
        return json + contact + "}"
    }

    struct Listing: Decodable { var cases: [FollowUpCase] }
    struct Shown: Decodable {
        var `case`: FollowUpCase
        var events: [CaseEvent]
    }

    @Test func anUnhappyCustomerIsFollowedUpAndTheirContactStaysInTheCase() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let display = try await h.makeKey(.display, centre: "C01")
        try await h.test(.live) { client in
            // Rated 2, asked to be called, the number typed in Arabic-Indic digits: a case.
            let unhappy = Self.body("r01", [2, 3, 3, 2], comment: "انتظرت ساعتين",
                                    contact: ",\"contact_consent\":true,\"contact_phone\":\"+٩٧٣ ٣٣٣٣ ٤٤٤٤\"")
            #expect(try await client.post("/v1/responses", key: h.kioskOnly, json: unhappy).status == .created)
            // Happy and asked: no case, and the e-mail is kept nowhere.
            #expect(try await client.post("/v1/responses", key: h.kioskOnly,
                                          json: Self.body("r12", [5, 5, 5, 5], contact: ",\"contact_consent\":\"yes\",\"contact_email\":\"\(Self.email)\"")).status == .created)
            // A phone without the leave: refused, naming the field, and nothing stored.
            let refused = try await client.post("/v1/responses", key: h.kioskOnly,
                                                json: Self.body("r23", [1, 1, 1, 1], contact: ",\"contact_phone\":\"33334444\""))
            #expect(refused.status.code == 422)
            #expect(refused.text.contains("contact_consent"))
            #expect(try await h.store.response(id: "r23") == nil)

            // The cases are the quality team's: not a kiosk's, not an evaluator's.
            #expect(try await client.get("/v1/cases", key: h.kioskOnly).status == .forbidden)
            #expect(try await client.get("/v1/cases", key: h.evaluator).status == .forbidden)
            #expect(try await client.get("/v1/cases?status=pending", key: h.quality).status.code == 422)
            let listed = try await client.get("/v1/cases?centre=C01&status=open", key: h.quality)
            #expect(listed.status == .ok)
            #expect(listed.headers[.cacheControl] == "no-store")
            let cases = try JSONDecoder().decode(Listing.self, from: Data(buffer: listed.body)).cases
            #expect(cases.count == 1)
            let opened = try #require(cases.first)
            #expect(opened.responseID == "r01" && opened.reason == "rated 2 or lower" && opened.contact == FollowUpContact(phone: Self.phone))
            // Received Sunday 1 February 2026 at noon: Monday 2 (1), Tuesday 3 (2), Wednesday 4 (3); due at the end of
            // Wednesday, 2026-02-05T00:00+03:00.
            #expect(opened.dueAt == instant("2026-02-05T00:00:00+03:00"))
            // Nor a live display's, though bound to the same centre.
            #expect(try await client.get("/v1/cases/\(opened.id)", key: display).status == .forbidden)
            #expect(try await client.post("/v1/cases/\(opened.id)", key: h.submitter, json: "{\"note\":\"x\"}").status == .forbidden)

            // Worked: assigned with a note, closing without a reason refused, resolved, then not reopened.
            #expect(try await client.post("/v1/cases/\(opened.id)", key: h.quality,
                                          json: "{\"owner\":\"فاطمة\",\"note\":\"سأتصل صباحاً\",\"by\":\"رئيسة الجودة\"}").status == .ok)
            let noReason = try await client.post("/v1/cases/\(opened.id)", key: h.quality, json: "{\"status\":\"closed\"}")
            #expect(noReason.status.code == 422)
            #expect(try noReason.errorCode() == "close_reason_missing")
            #expect(try await client.post("/v1/cases/\(opened.id)", key: h.quality, json: "{\"status\":\"open\"}").status.code == 422)
            #expect(try await client.post("/v1/cases/\(opened.id)", key: h.quality, json: "{\"colour\":\"red\"}").status.code == 422)
            #expect(try await client.post("/v1/cases/\(opened.id)", key: h.quality, json: "{\"status\":\"resolved\"}").status == .ok)
            let again = try await client.post("/v1/cases/\(opened.id)", key: h.quality, json: "{\"status\":\"contacted\"}")
            #expect(again.status == .conflict)
            #expect(try again.errorCode() == "case_status_not_allowed")
            #expect(try await client.get("/v1/cases/999", key: h.quality).status == .notFound)
            let shown = try JSONDecoder().decode(Shown.self, from: Data(buffer: try await client.get("/v1/cases/\(opened.id)", key: h.quality).body))
            #expect(shown.case.status == .resolved && shown.case.finishedAt == h.now && shown.case.owner == "فاطمة")
            #expect(shown.events.map(\.action) == ["opened", "assigned", "note", "resolved"])
            #expect(shown.events[1].who.hasPrefix("رئيسة الجودة (key ") && shown.events[2].detail == "سأتصل صباحاً")

            // The report counts the case (resolved at noon, due days later: in time), and names no customer.
            let report = try JSONDecoder().decode(QuarterlyReport.self, from: Data(buffer: try await client.get(
                "/v1/reports/quarterly?quarter=2026-Q1&centre=C01", key: h.quality).body))
            #expect(report.cases == [CaseCount(centre: "C01", channel: "kiosk", opened: 1, inTime: 1, late: 0, pending: 0)])

            // Nowhere else: every rendering of the report, the listings, the logs.
            var seen: [(String, Data)] = []
            for format in ["json", "csv", "text"] {
                seen.append((format, Data(buffer: try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=\(format)", key: h.quality).body)))
            }
            for audience in ["false", "true"] {
                for language in ["ar", "en"] {
                    let html = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=html&public=\(audience)&lang=\(language)", key: h.quality)
                    #expect(html.status == .ok)
                    seen.append(("html public=\(audience) \(language)", Data(buffer: html.body)))
                    let workbook = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&format=xlsx&public=\(audience)&lang=\(language)", key: h.quality)
                    #expect(workbook.status == .ok)
                    let archive = try Archive(data: Data(buffer: workbook.body), accessMode: .read)
                    var unpacked = Data()
                    for entry in archive { _ = try archive.extract(entry) { unpacked.append($0) } }
                    seen.append(("xlsx public=\(audience) \(language)", unpacked))
                }
            }
            let html = String(decoding: try #require(seen.first { $0.0 == "html public=false en" }).1, as: UTF8.self)
            #expect(html.contains("id=\"cases\"") && html.contains("Resolved in time"))
            seen.append(("themes", Data(buffer: try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01&themes=true", key: h.quality).body)))
            seen.append(("misuse", Data(buffer: try await client.get("/v1/misuse", key: h.quality).body)))
            seen.append(("logs", Data(h.logs.all.joined(separator: "\n").utf8)))
            #expect(h.logs.all.contains { $0.contains("case changed") })
            for (place, bytes) in seen {
                let text = String(decoding: bytes, as: UTF8.self)
                for secret in [Self.phone, "33334444", "٣٣٣٣", Self.email, "sara.ali"] {
                    #expect(!text.contains(secret), "\(place) shows \(secret)")
                }
                #expect(!text.contains("سأتصل صباحاً"), "\(place) shows a case note")
            }
        }
    }
}
