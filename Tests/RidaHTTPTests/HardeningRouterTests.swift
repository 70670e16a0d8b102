import Foundation
import HTTPTypes
import HummingbirdTesting
import RidaHTTP
import RidaStore
import RidaSurvey
import Testing

/// What a submitter key in the wrong hands may try: another centre's call ids, reading a stored response through 409s,
/// look-alike centres, impossible dates.
@Suite struct HardeningRouterTests {
    static let form = "application/x-www-form-urlencoded"

    @Test func scopesIVRCallIdsByCentre() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            // The same platform call number at two call centres: two responses, not a 409.
            let c01 = try await client.post("/v1/responses/ivr", key: h.submitter, json: "call_id=777001&digits=5555&centre=C01", contentType: Self.form)
            let c02 = try await client.post("/v1/responses/ivr", key: h.otherCentre, json: "call_id=777001&digits=1111&centre=C02", contentType: Self.form)
            #expect(c01.status == .created)
            #expect(c02.status == .created)
            #expect(try c01.json()["id"] as? String == "ivr-C01-777001")
            #expect(try c02.json()["id"] as? String == "ivr-C02-777001")
            // Without a centre in the form, the key's centre is the call's.
            let keyed = try await client.post("/v1/responses/ivr", key: h.otherCentre, json: "call_id=777002&digits=4", contentType: Self.form)
            #expect(keyed.status == .created)
            #expect(try keyed.json()["id"] as? String == "ivr-C02-777002")
            // C02's key cannot claim C01's future call ids through the JSON API.
            let claim = try await client.post("/v1/responses", key: h.otherCentre, json: responseJSON("ivr-C01-777003", centre: "C02"))
            #expect(claim.status == .forbidden)
            #expect(claim.text.contains("ivr-C02-"))
        }
        #expect(try await h.store.response(id: "ivr-C01-777001")?.ratings == [5, 5, 5, 5])
        #expect(try await h.store.response(id: "ivr-C02-777001")?.ratings == [1, 1, 1, 1])
        #expect(try await h.store.response(id: "ivr-C01-777003") == nil)
    }

    @Test func tellsAnotherCentreOnlyThatTheIdIsTaken() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let stored = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("taken-1", comment: "private"))
            #expect(stored.status == .created)
            // C02's key guesses at the stored response: the 409 names no field.
            let guess = try await client.post("/v1/responses", key: h.otherCentre, json: responseJSON("taken-1", centre: "C02", [5, 4, 4, 5]))
            #expect(guess.status == .conflict)
            let error = try #require(try guess.json()["error"] as? [String: Any])
            #expect(error["fields"] == nil)
            #expect(error["message"] as? String == "The id taken-1 is taken: give a new response a new id.")
            // The same in a batch: conflict, no fields.
            let batch = try await client.post("/v1/responses/batch", key: h.otherCentre,
                                              json: #"{"responses":[\#(responseJSON("taken-1", centre: "C02", [1, 1, 1, 1]))]}"#)
            let result = try #require((try batch.json()["results"] as? [[String: Any]])?.first)
            #expect(result["status"] as? String == "conflict")
            #expect(result["fields"] == nil)
            // The centre's own key still learns which fields differ, to mend its own mistake.
            let own = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("taken-1", [1, 4, 4, 5]))
            #expect(own.status == .conflict)
            #expect((try own.json()["error"] as? [String: Any])?["fields"] as? [String] == ["q1", "comment"])
        }
    }

    @Test func refusesLookAlikeCentresAndStoresTheTrimmedOne() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let zeroWidth = try await client.post("/v1/responses", key: h.admin, json: responseJSON("look-1", centre: "C01\u{200B}"))
            #expect(zeroWidth.status == .unprocessableContent)
            let problem = try #require(((try zeroWidth.json()["error"] as? [String: Any])?["problems"] as? [[String: Any]])?.first)
            #expect(problem["field"] as? String == "centre")
            #expect((problem["reason"] as? String)?.contains("U+200B (ZERO WIDTH SPACE)") == true)
            // A no-break space around the centre is trimmed: C01's own key may send it, and it is stored as C01.
            let nbsp = try await client.post("/v1/responses", key: h.submitter, json: responseJSON("look-2", centre: "\u{00A0}C01\u{00A0}"))
            #expect(nbsp.status == .created)
        }
        #expect(try await h.store.response(id: "look-2")?.centre == "C01")
        #expect(try await h.store.response(id: "look-1") == nil)
    }

    @Test func refusesImpossibleDatesWithASentence() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            for (id, date) in [("d1", "0001-01-01T00:00:00Z"), ("d2", "1900-06-01T10:00:00+03:00"), ("d3", "1970-01-01T00:00:00Z")] {
                let answer = try await client.post("/v1/responses", key: h.submitter, json: responseJSON(id, at: date))
                #expect(answer.status == .unprocessableContent)
                #expect(answer.text.contains("the earliest date this deployment accepts (survey.earliestDate)"))
            }
        }
        #expect(try await h.store.responseCount() == 0)
    }
}

extension HardeningRouterTests {
    @Test func reportsTheDatabaseUnwritableWhenItsDiskIsFull() async throws {
        // A disk with less free space than the service needs: here every disk, the threshold being larger than any.
        var settings = ServiceSettings(rateLimit: nil)
        settings.minimumFreeBytes = Int64.max
        let h = try await Harness(settings: settings)
        defer { h.remove() }
        try await h.test { client in
            let health = try await client.get("/health", key: nil)
            #expect(health.status == .serviceUnavailable)
            let body = try health.json()
            #expect(body["status"] as? String == "unavailable")
            #expect((body["database"] as? String)?.hasPrefix("unwritable: The disk holding the database") == true)
        }
        let fine = try await Harness()
        defer { fine.remove() }
        try await fine.test { client in
            let health = try await client.get("/health", key: nil)
            #expect(health.status == .ok)
        }
    }

    @Test func decodesPathParametersAndRefusesNUL() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            // %43%30%31 is C01.
            let decoded = try await client.get("/v1/live/%43%30%31", key: h.quality)
            #expect(decoded.status == .ok)
            #expect(try decoded.json()["centre"] as? String == "C01")
            let nul = try await client.get("/v1/live/C01%00", key: h.quality)
            #expect(nul.status == .unprocessableContent)
            #expect(nul.text.contains("U+0000 (NUL)"))
            let zeroWidth = try await client.get("/v1/live/C01%E2%80%8B", key: h.quality)
            #expect(zeroWidth.status == .unprocessableContent)
            #expect(zeroWidth.text.contains("U+200B"))
            #expect(try await client.get("/v1/assessments/C01-2026%00/form", key: h.quality).status == .unprocessableContent)
        }
    }

    @Test func limitsUnknownKeysPerClientAddress() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            // Up to 10 at once (http.rateLimit.unknownKeysPerMinute's burst), then 429 with Retry-After.
            var statuses: [Int] = []
            for i in 0..<12 { statuses.append(Int(try await client.get("/v1/key", key: "rida_guess\(i)").status.code)) }
            #expect(statuses.prefix(10).allSatisfy { $0 == 401 })
            #expect(statuses.suffix(2) == [429, 429])
            // A known key from the same address is not held back.
            #expect(try await client.get("/v1/key", key: h.quality).status == .ok)
        }
    }

    @Test func answersAKioskWithAWrongClockWithTheServersTime() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            // The kiosk page found its clock wrong and had never heard from Rida: no submitted_at, clock "server".
            var body = try JSONSerialization.jsonObject(with: Data(responseJSON("clock-1").utf8)) as! [String: Any]
            body["submitted_at"] = nil
            body["clock"] = "server"
            let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            let answer = try await client.post("/v1/responses", key: h.submitter, json: json)
            #expect(answer.status == .created)
            #expect(try answer.json()["clock"] as? String == "server")
            let bad = try await client.post("/v1/responses", key: h.submitter, json: json.replacingOccurrences(of: "\"server\"", with: "\"sundial\""))
            #expect(bad.status == .unprocessableContent)
        }
        // Stamped with the service's time (the harness's clock: 2026-02-01 12:00 in Bahrain).
        #expect(try await h.store.response(id: "clock-1")?.submittedAt == h.now)
        #expect(h.logs.all.contains { $0.contains("a device's clock is wrong") })
    }
}
