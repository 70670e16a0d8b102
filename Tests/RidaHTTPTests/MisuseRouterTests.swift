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

/// Issue 16 point 2 over HTTP, on a real server on a local socket over a real SQLite file: a kiosk's key hammered
/// (sixty fives in a minute, one request each, as the kiosk page sends them) between ordinary customers moves no figure
/// of the report; the quality team lists the burst and reinstates it.
@Suite struct MisuseRouterTests {
    /// Five customers at C01's kiosk, 09:00 to 09:30 by the kiosk's clock; by hand: 20 ratings summing to 77, 18 of them
    /// at least 3, 12 at least 4 (as RidaUseCasesTests' MisuseTests).
    static let customers: [(String, String, [Int])] = [
        ("o1", "09:00:00", [4, 4, 3, 5]), ("o2", "09:05:00", [2, 3, 2, 3]), ("o3", "09:10:00", [5, 4, 5, 4]),
        ("o4", "09:23:00", [3, 3, 4, 3]),
    ]

    static func body(_ id: String, _ time: String, _ ratings: [Int], comment: String? = nil) -> String {
        var json = "{\"id\":\"\(id)\",\"centre\":\"C01\",\"channel\":\"kiosk\",\"submitted_at\":\"2026-02-01T\(time)+03:00\""
        for (q, rating) in ratings.enumerated() { json += ",\"q\(q + 1)\":\(rating)" }
        if let comment { json += ",\"comment\":\"\(comment)\"" }
        return json + "}"
    }

    func quarterly(_ client: any TestClientProtocol, key: String) async throws -> QuarterlyReport {
        let answer = try await client.get("/v1/reports/quarterly?quarter=2026-Q1&centre=C01", key: key)
        #expect(answer.status == .ok)
        return try JSONDecoder().decode(QuarterlyReport.self, from: Data(buffer: answer.body))
    }

    @Test func aHammeredKioskMovesNoFigureAndTheQualityTeamReinstatesTheBurst() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test(.live) { client in
            for (id, time, ratings) in Self.customers.prefix(3) {
                #expect(try await client.post("/v1/responses", key: h.kioskOnly, json: Self.body(id, time, ratings)).status == .created)
            }
            for second in 0..<60 {
                let sent = try await client.post("/v1/responses", key: h.kioskOnly,
                                                 json: Self.body(String(format: "h%02d", second), String(format: "09:20:%02d", second), [5, 5, 5, 5]))
                // Stored and acknowledged like any other: the kiosk is not told (it would only try another way).
                #expect(sent.status == .created)
            }
            for (id, time, ratings) in Self.customers.dropFirst(3) {
                #expect(try await client.post("/v1/responses", key: h.kioskOnly, json: Self.body(id, time, ratings)).status == .created)
            }
            #expect(try await client.post("/v1/responses", key: h.kioskOnly,
                                          json: Self.body("o5", "09:30:00", [5, 5, 5, 5], comment: "ممتاز")).status == .created)

            let report = try await quarterly(client, key: h.quality)
            let kiosk = try #require(report.groups.first { $0.channel == "kiosk" })
            #expect(kiosk.responses == 5 && kiosk.ratings == 20)
            #expect(kiosk.mean == 77.0 / 20.0 && kiosk.share3 == 18.0 / 20.0 && kiosk.share4 == 12.0 / 20.0)
            #expect(report.setAside == [SetAsideCount(centre: "C01", channel: "kiosk", rule: .burst, responses: 60)])

            // The listing: the quality team's, not a kiosk's.
            #expect(try await client.get("/v1/misuse?centre=C01", key: h.kioskOnly).status == .forbidden)
            #expect(try await client.get("/v1/misuse?limit=0", key: h.quality).status.code == 422)
            let listing = try await client.get("/v1/misuse?centre=C01&quarter=2026-Q1", key: h.quality)
            #expect(listing.status == .ok)
            struct Listing: Decodable { var responses: [SetAsideResponse] }
            let listed = try JSONDecoder().decode(Listing.self, from: Data(buffer: listing.body)).responses
            #expect(listed.count == 60 && listed.first?.id == "h59" && listed.allSatisfy { $0.rule == .burst })
            let source = try #require(listed.first?.source)

            // A reinstatement says why and names the burst; one that does not is refused with every problem.
            let refused = try await client.post("/v1/misuse/reinstate", key: h.quality,
                                                json: "{\"source\":\"\(source)\",\"from\":\"2026-02-01T09:20:00+03:00\",\"oops\":1}")
            #expect(refused.status.code == 422)
            let refusal = String(buffer: refused.body)
            #expect(refusal.contains("\"oops\"") && refusal.contains("source, from and through together"))
            #expect(try await client.post("/v1/misuse/reinstate", key: h.kioskOnly,
                                          json: "{\"ids\":[\"h00\"],\"reason\":\"mine\"}").status == .forbidden)
            // The evaluators list them, but do not change the figures they assess.
            #expect(try await client.get("/v1/misuse", key: h.evaluator).status == .ok)
            #expect(try await client.post("/v1/misuse/reinstate", key: h.evaluator,
                                          json: "{\"ids\":[\"h00\"],\"reason\":\"real\"}").status == .forbidden)
            let reinstated = try await client.post("/v1/misuse/reinstate", key: h.quality, json: """
                {"source":"\(source)","from":"2026-02-01T09:20:00+03:00","through":"2026-02-01T09:20:59+03:00",
                 "reason":"a school visit: each child answered","by":"Quality team, C01"}
                """)
            #expect(reinstated.status == .ok)
            struct Reinstated: Decodable { var reinstated: [String] }
            #expect(try JSONDecoder().decode(Reinstated.self, from: Data(buffer: reinstated.body)).reinstated.count == 60)
            let after = try await quarterly(client, key: h.quality)
            #expect(after.groups.first { $0.channel == "kiosk" }?.responses == 65)
            #expect(after.setAside == nil)
        }
        #expect(try await h.store.check(.full).isEmpty)
        // Recorded with the name given and the key that sent it.
        let decisions = try await h.store.readingSnapshot { reader in
            var rows: [[CopyValue]] = []
            try await reader.rows(of: "misuseDecision", columns: ["decidedBy", "reason"], batchSize: 100) { rows += $0 }
            return rows
        }
        #expect(decisions.count == 60)
        #expect(decisions.first?.first.map { if case .text(let who) = $0 { who.hasPrefix("Quality team, C01 (key ") } else { false } } == true)
    }

    /// A kiosk that never learned the server's clock sends `clock: "server"` and no time: the server stamps its queue's
    /// responses with the moment they arrive, so they arrive as one instant. The rules read the device's clock, and
    /// there is none here: none of them is checked, none set aside.
    @Test func responsesTheServerTimedAreNotChecked() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let items = (0..<20).map { i in
                "{\"id\":\"q\(i)\",\"centre\":\"C01\",\"channel\":\"kiosk\",\"clock\":\"server\",\"q1\":5,\"q2\":5,\"q3\":5,\"q4\":5}"
            }
            let answer = try await client.post("/v1/responses/batch", key: h.kioskOnly, json: "{\"responses\":[\(items.joined(separator: ","))]}")
            #expect(answer.status == .ok || answer.status == .created || answer.status.code == 207, "\(String(buffer: answer.body))")
        }
        #expect(try await h.store.responseCount() == 20)
        #expect(try await h.store.setAsideCounts(quarter: Quarter("2026-Q1")!, centre: nil).isEmpty)
        let report = try await h.store.quarterlyReport(ReportScope(quarter: Quarter("2026-Q1")!), policy: ThresholdPolicy(), channels: .standard)
        #expect(report.groups.first?.responses == 20)
    }
}
