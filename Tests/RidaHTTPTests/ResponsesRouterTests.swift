import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

@Suite struct ResponsesRouterTests {
    @Test func createsThenAcknowledgesAnIdenticalResendThenRefusesOtherContent() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let first = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("r1"))
            #expect(first.status == .created)
            #expect(try first.json()["id"] as? String == "r1")
            #expect(try first.json()["status"] as? String == "created")
            let again = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("r1"))
            #expect(again.status == .ok)
            #expect(try again.json()["status"] as? String == "duplicate")
            // JSON numbers are their text: "4" and 4 are the same rating.
            let asText = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("r1", [5, "4", "4", 5]))
            #expect(asText.status == .ok)
            let other = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("r1", [1, 4, 4, 5]))
            #expect(other.status == .conflict)
            #expect(try other.errorCode() == "conflict")
            let error = try #require(try other.json()["error"] as? [String: Any])
            #expect(error["fields"] as? [String] == ["q1"])
        }
        #expect(try await h.store.responseCount() == 1)
        let report = try await h.store.quarterlyReport(.init(quarter: Quarter(year: 2026, number: 1)), policy: .init(), channels: .standard)
        #expect(report.groups.map(\.responses) == [1])
    }

    /// Decision 15: the optional `entity` of a response, stored, and checked as the centre is.
    @Test func takesTheOptionalEntity() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let named = try await client.post("/v1/responses", key: h.submitter, json: """
                {"id": "e1", "centre": "C01", "channel": "counter", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 5, "entity": "E02"}
                """)
            #expect(named.status == .created)
            let bad = try await client.post("/v1/responses", key: h.submitter, json: """
                {"id": "e2", "centre": "C01", "channel": "counter", "submitted_at": "2026-02-01T10:00:00+03:00", "q1": 5, "entity": "E\\n2"}
                """)
            #expect(bad.status == .unprocessableContent)
        }
        #expect(try await h.store.response(id: "e1")?.entity == "E02")
        #expect(try await h.store.response(id: "e2") == nil)
    }

    @Test func listsEveryProblemOfAnInvalidResponse() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let json = #"{"id":"bad","centre":"C01","channel":"fax","q1":9,"q2":true,"colour":"red"}"#
            let answer = try await client.post("/v1/responses", key: h.submitter, json: json)
            #expect(answer.status == .unprocessableContent)
            #expect(try answer.errorCode() == "invalid_response")
            let error = try #require(try answer.json()["error"] as? [String: Any])
            let fields = Set((error["problems"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["colour", "q2", "channel", "submitted_at", "q1"])
            #expect((error["message"] as? String)?.contains("5 problems") == true)
        }
        #expect(try await h.store.responseCount() == 0)
    }

    @Test func answersMalformedJSONWrongTypeAndOversizeBodiesWithTheirCodes() async throws {
        let h = try await Harness(settings: ServiceSettings(rateLimit: nil, maxBodyBytes: 2048))
        defer { h.remove() }
        try await h.test { client in
            let malformed = try await client.post("/v1/responses", key: h.submitter, json: #"{"id": "x","#)
            #expect(malformed.status == .badRequest)
            #expect(try malformed.errorCode() == "malformed_json")
            let wrongType = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("x"), contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try wrongType.errorCode() == "unsupported_media_type")
            let big = try await client.post("/v1/responses", key: h.submitter,
                                            json: responseJSON("x", comment: String(repeating: "ا", count: 3000)))
            #expect(big.status == .contentTooLarge)
            #expect(try big.errorCode() == "body_too_large")
            let notObject = try await client.post("/v1/responses", key: h.submitter, json: "[1, 2]")
            #expect(notObject.status == .unprocessableContent)
        }
    }

    @Test func refusesMissingUnknownAndRevokedKeysAndKeysOutOfScope() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let none = try await client.post("/v1/responses", key: nil, json: responseJSON("k1"))
            #expect(none.status == .unauthorized)
            #expect(try none.errorCode() == "missing_key")
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            let unknown = try await client.post("/v1/responses", key: "rida_not-a-key", json: responseJSON("k1"))
            #expect(unknown.status == .unauthorized)
            #expect(try unknown.errorCode() == "unknown_key")
            let revoked = try await client.post("/v1/responses", key: h.revoked, json: responseJSON("k1"))
            #expect(revoked.status == .unauthorized)
            for key in [h.quality, h.evaluator] {
                let reader = try await client.post("/v1/responses", key: key, json: responseJSON("k1"))
                #expect(reader.status == .forbidden)
                #expect(try reader.errorCode() == "forbidden")
            }
            let otherCentre = try await client.post("/v1/responses", key: h.otherCentre, json: responseJSON("k1"))
            #expect(otherCentre.status == .forbidden)
            let otherChannel = try await client.post("/v1/responses", key: h.kioskOnly, json: responseJSON("k1", channel: "counter"))
            #expect(otherChannel.status == .forbidden)
            let ownChannel = try await client.post("/v1/responses", key: h.kioskOnly, json: responseJSON("k1", channel: "kiosk"))
            #expect(ownChannel.status == .created)
            let admin = try await client.post("/v1/responses", key: h.admin, json: responseJSON("k2", centre: "C09"))
            #expect(admin.status == .created)
            // X-API-Key works as well as Authorization.
            let viaHeader = try await client.execute(
                uri: "/v1/key", method: .get, headers: [HTTPField.Name("X-API-Key")!: h.quality])
            #expect(viaHeader.status == .ok)
            #expect(try viaHeader.json()["role"] as? String == "quality")
        }
        #expect(try await h.store.responseCount() == 2)
    }

    @Test func limitsEachKeyToItsRateAndSaysWhenToRetry() async throws {
        let h = try await Harness(settings: ServiceSettings(rateLimit: RateLimit(requestsPerSecond: 1, burst: 2)))
        defer { h.remove() }
        try await h.test { client in
            #expect(try await client.get("/v1/key", key: h.submitter).status == .ok)
            #expect(try await client.get("/v1/key", key: h.submitter).status == .ok)
            let third = try await client.get("/v1/key", key: h.submitter)
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] == "1")
            #expect(try third.errorCode() == "rate_limited")
            // Another key has its own bucket.
            #expect(try await client.get("/v1/key", key: h.quality).status == .ok)
        }
    }

    @Test func storesAGoodBatchItemBesideBadOnesInOrder() async throws {
        let h = try await Harness()
        defer { h.remove() }
        _ = try await h.store.save([response("b-dup"), response("b-conflict")], receivedAt: h.now)
        let items = [
            responseJSON("b1"), responseJSON("b-dup"), responseJSON("b-conflict", [1, 1, 1, 1]),
            #"{"id":"b-bad","centre":"C01","channel":"counter","submitted_at":"2026-02-01T10:00:00+03:00","q1":7}"#,
            responseJSON("b-other", centre: "C02"), responseJSON("b2", channel: "kiosk"), "42",
        ]
        try await h.test { client in
            let answer = try await client.post("/v1/responses/batch", key: h.submitter, json: #"{"responses":[\#(items.joined(separator: ","))]}"#)
            #expect(answer.status == .ok)
            let body = try answer.json()
            #expect(body["created"] as? Int == 2)
            #expect(body["duplicates"] as? Int == 1)
            #expect(body["conflicts"] as? Int == 1)
            #expect(body["rejected"] as? Int == 3)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? String } == ["created", "duplicate", "conflict", "rejected", "rejected", "created", "rejected"])
            #expect(results.map { $0["index"] as? Int } == Array(0..<7))
            let bad = try #require(results[3]["problems"] as? [[String: Any]])
            #expect(bad.first?["field"] as? String == "q1")
            let other = try #require(results[4]["problems"] as? [[String: Any]])
            #expect(other.first?["field"] as? String == "centre")
        }
        #expect(try await h.store.responseCount() == 4)
        #expect(try await h.store.response(id: "b2")?.channel == "kiosk")
        #expect(try await h.store.response(id: "b-conflict")?.ratings == [5, 4, 4, 5])
    }

    @Test func refusesABatchOverItsLimitOrOfTheWrongShape() async throws {
        let h = try await Harness(settings: ServiceSettings(rateLimit: nil, maxBatchResponses: 2))
        defer { h.remove() }
        try await h.test { client in
            let three = #"{"responses":[\#(responseJSON("a")),\#(responseJSON("b")),\#(responseJSON("c"))]}"#
            let tooMany = try await client.post("/v1/responses/batch", key: h.submitter, json: three)
            #expect(tooMany.status == .contentTooLarge)
            #expect(try tooMany.errorCode() == "batch_too_large")
            let shape = try await client.post("/v1/responses/batch", key: h.submitter, json: "[\(responseJSON("a"))]")
            #expect(shape.status == .unprocessableContent)
            #expect(try shape.errorCode() == "invalid_batch")
        }
        #expect(try await h.store.responseCount() == 0)
    }

    @Test func takesAnIVRPostOncePerCall() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let form = "call_id=CALL-77&digits=5*3&centre=C01&service=%D8%AA%D8%AC%D8%AF%D9%8A%D8%AF+%D8%AC%D9%88%D8%A7%D8%B2"
            let first = try await client.post("/v1/responses/ivr", key: h.submitter, json: form, contentType: "application/x-www-form-urlencoded")
            #expect(first.status == .created)
            #expect(try first.json()["id"] as? String == "ivr-C01-CALL-77")
            let again = try await client.post("/v1/responses/ivr", key: h.submitter, json: form, contentType: "application/x-www-form-urlencoded")
            #expect(again.status == .ok)
            #expect(try again.json()["status"] as? String == "duplicate")
            let json = try await client.post("/v1/responses/ivr", key: h.submitter, json: "{}")
            #expect(json.status == .unsupportedMediaType)
            let bad = try await client.post("/v1/responses/ivr", key: h.submitter, json: "call_id=C2&digits=59&centre=C01",
                                            contentType: "application/x-www-form-urlencoded")
            #expect(bad.status == .unprocessableContent)
            let problems = try #require((try bad.json()["error"] as? [String: Any])?["problems"] as? [[String: Any]])
            #expect(problems.map { $0["field"] as? String } == ["digits"])
        }
        let stored = try #require(try await h.store.response(id: "ivr-C01-CALL-77"))
        #expect(stored.ratings == [5, nil, 3, nil])
        #expect(stored.channel == "call_centre")
        #expect(stored.service == "تجديد جواز")
        #expect(stored.submittedAt == h.now)
    }

    @Test func neverLogsCommentTextOrKeys() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            _ = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("log-1", comment: "SECRET-COMMENT سر"))
            _ = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("log-1", [1, 1, 1, 1], comment: "OTHER-SECRET"))
            _ = try await client.post("/v1/responses/batch", key: h.submitter,
                                      json: #"{"responses":[\#(responseJSON("log-2", [9], comment: "BATCH-SECRET"))]}"#)
        }
        let lines = h.logs.all
        #expect(lines.contains { $0.contains("http.route=/v1/responses") && $0.contains("http.status=201") && $0.contains("hb.request.id=") })
        for line in lines {
            #expect(!line.contains("SECRET"))
            #expect(!line.contains(h.submitter))
        }
    }
}
