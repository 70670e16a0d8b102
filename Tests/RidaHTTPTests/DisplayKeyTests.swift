import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RidaAssessment
import RidaDemo
import RidaHTTP
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// The waiting hall's screen holds a display key: one centre's live figures, nothing else (issue 11, point 9).
@Suite struct DisplayKeyTests {
    @Test func readsOnlyItsCentresLiveFiguresAndIsToldSoEverywhereElse() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let display = try await h.makeKey(.display, centre: "C01")
        // Today at C01: one counter response rated 5, 4, 4, 5: 1 response, 4 ratings, mean 18 / 4 = 4.5.
        _ = try await h.store.save([response("d1", [5, 4, 4, 5])], receivedAt: h.now)
        try await h.test { client in
            let live = try await client.get("/v1/live/C01", key: display)
            #expect(live.status == .ok)
            let today = try #require(try live.json()["today"] as? [String: Any])
            #expect((today["all"] as? [String: Any])?["responses"] as? Int == 1)
            #expect((today["all"] as? [String: Any])?["mean"] as? Double == 4.5)

            let denied: [(HTTPRequest.Method, String)] = [
                (.get, "/v1/live/C02"), (.get, "/v1/live/C02/events"), (.get, "/v1/reports/quarterly"),
                (.get, "/v1/reports/quarterly?centre=C01&format=csv"), (.get, "/v1/reports/saved"),
                (.get, "/v1/assessments"), (.get, "/metrics"), (.get, "/v1/key"), (.get, "/v1/surveys/appendix-3"),
                (.post, "/v1/responses"), (.post, "/v1/responses/batch"), (.post, "/v1/responses/ivr"),
            ]
            for (method, path) in denied {
                let answer = method == .post
                    ? try await client.post(path, key: display, json: responseJSON("d2"))
                    : try await client.get(path, key: display)
                #expect(answer.status == .forbidden, "\(method) \(path)")
                #expect(try answer.errorCode() == "forbidden", "\(method) \(path)")
                let message = try #require((try answer.json()["error"] as? [String: Any])?["message"] as? String)
                #expect(message.contains("display key for centre C01") && message.contains("/v1/live/C01"), "\(path): \(message)")
            }
        }
        #expect(try await h.store.response(id: "d2") == nil, "nothing a display key sends is stored")
        // The day it served is the assessment's evidence for 2.3.5, as with any other key.
        #expect(try await h.store.liveDisplayDays(centre: "C01") == [CivilDate(year: 2026, month: 2, day: 1)])
        #expect(try await h.store.liveDisplayDays(centre: "C02").isEmpty)
    }

    @Test func isBoundToOneCentreAndEveryChannel() async throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        let at = Harness.noon
        await #expect(throws: KeyError.self) {
            _ = try await store.createKey(.generate(), label: "Hall screen", role: .display, centre: nil, channels: nil, at: at)
        }
        await #expect(throws: KeyError.self) {
            _ = try await store.createKey(.generate(), label: "Hall screen", role: .display, centre: "C01", channels: ["kiosk"], at: at)
        }
        let key = try await store.createKey(.generate(), label: "Hall screen", role: .display, centre: "C01", channels: nil, at: at)
        #expect(key.scope == "C01, live figures only")
        #expect(!key.maySubmit(centre: "C01", channel: "kiosk"))
        #expect(!key.role.readsReports)
        #expect(try await store.keys().last?.role == .display)
    }
}

/// A source of arrivals for tests: one response every `wait`, ids `a1`, `a2`, … at C01's kiosk, rated 4 everywhere.
struct CountingArrivals: Arrivals {
    var serial = 0
    let wait: Duration

    mutating func arrival(at time: Instant) -> (response: SurveyResponse, next: Duration) {
        serial += 1
        return (SurveyResponse(id: "a\(serial)", centre: "C01", channel: "kiosk", submittedAt: time, stage: .after,
                               ratings: [4, 4, 4, 4]), wait)
    }
}

@Suite struct DemoArrivalsTests {
    /// Arrivals are stored while the service runs, as a kiosk's submissions are: the live figures count them.
    @Test func storesArrivalsWhileServingAndShowsThemLive() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let now = h.now
        let app = buildApplication(h.settings, store: h.store, logger: h.logs.logger, now: { now },
                                   arrivals: CountingArrivals(wait: .milliseconds(20)), firstArrivalAfter: .milliseconds(10))
        let stored = try await app.test(.router) { client in
            let deadline = ContinuousClock.now + .seconds(20)
            while try await h.store.responseCount() < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let body = try await client.get("/v1/live/C01", key: h.quality).json()
            let today = try #require((body["today"] as? [String: Any])?["all"] as? [String: Any])
            return try #require(today["responses"] as? Int)
        }
        // At least the three waited for; every one stored today at C01 (ids a1, a2, … in order, none skipped).
        #expect(stored >= 3)
        let count = try await h.store.responseCount()
        for i in 1...count { #expect(try await h.store.response(id: "a\(i)")?.channel == "kiosk") }
        // Once the service has stopped, nothing more arrives.
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await h.store.responseCount() == count)
    }

    /// The demo's trickle and its days are drawn from seeded generators: the same seed and times, the same responses.
    @Test func theDemoHallIsReproducibleAndSeedingTwiceTheSameDayStoresNothingTwice() async throws {
        let start = Harness.noon
        var a = DemoHall().trickle(startingAt: start)
        var b = DemoHall().trickle(startingAt: start)
        for i in 0..<20 {
            let time = start.adding(milliseconds: Int64(i) * 5_000)
            let (x, waitX) = a.arrival(at: time)
            let (y, waitY) = b.arrival(at: time)
            #expect(x == y && waitX == waitY)
            #expect(x.submittedAt == time && x.id == "demo-live-\(start.millisecondsSince1970)-\(i + 1)")
            #expect(waitX >= .seconds(2) && waitX <= .seconds(8))
        }
        let hall = DemoHall()
        let days = hall.recentDays(upTo: start, zone: .bahrain)
        #expect(days == DemoHall().recentDays(upTo: start, zone: .bahrain))
        #expect(days.allSatisfy { $0.submittedAt <= start })
        // The seven days ending today, 2026-01-26 to 2026-02-01, noon today the last instant.
        #expect(days.allSatisfy { $0.submittedAt >= instant("2026-01-26T00:00:00+03:00") })
        #expect(days.contains { DeploymentZone.bahrain.date(at: $0.submittedAt) == CivilDate(year: 2026, month: 2, day: 1) && $0.centre == "C01" })

        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        defer { try? store.close() }
        #expect(try await hall.seed(store, now: start) == days.count)
        #expect(try await hall.seed(store, now: start) == 0, "a restart the same day adds nothing already there")
        // Later the same day, only what was submitted since is new.
        let later = start.adding(milliseconds: 3_600_000)
        let more = hall.recentDays(upTo: later, zone: .bahrain).count - days.count
        #expect(try await hall.seed(store, now: later) == more)
        #expect(try await store.responseCount() == days.count + more)
    }
}

/// `/health` stays cheap and says the version; `/health?deep=1` (an admin key) runs the quick checks.
@Suite struct HealthTests {
    @Test func saysTheVersionAndRunsTheQuickChecksForAnAdminKey() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let plain = try await client.get("/health", key: nil)
            #expect(plain.status == .ok)
            #expect(try plain.json()["version"] as? String == RidaEngine.version)
            #expect(try plain.json()["problems"] == nil, "the cheap check runs no checks")
            #expect(try await client.get("/health?deep=1", key: nil).status == .unauthorized)
            let quality = try await client.get("/health?deep=1", key: h.quality)
            #expect(quality.status == .forbidden && quality.text.contains("admin key"))
            let deep = try await client.get("/health?deep=1", key: h.admin)
            #expect(deep.status == .ok)
            #expect(try deep.json()["problems"] as? [String] == [])
        }
        // An append-only guard dropped behind Rida's back: the deep check says so, with 503.
        let queue = try DatabaseQueue(path: h.database.path)
        try await queue.write { db in try db.execute(sql: "DROP TRIGGER assessmentEntry_is_kept") }
        try queue.close()
        try await h.test { client in
            let deep = try await client.get("/health?deep=1", key: h.admin)
            #expect(deep.status == .serviceUnavailable)
            let problems = try #require(try deep.json()["problems"] as? [String])
            #expect(problems.count == 1 && problems[0].hasPrefix("schema: the trigger assessmentEntry_is_kept that Rida's migrations made is missing"), "\(problems)")
            #expect(try await client.get("/health", key: nil).status == .ok, "the cheap check still answers")
        }
    }
}
