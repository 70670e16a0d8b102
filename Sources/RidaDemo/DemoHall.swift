import RidaStore
import RidaSurvey

/// The demo's halls as they are today: the responses of the last seven local days up to now, so the live display
/// opens with today's and this week's figures, and a trickle of new ones while `rida serve --demo` runs.
///
/// The halls never close in the demo (responses are spread over the whole day), so the display moves whenever it is
/// opened. Everything is drawn from seeded generators: the same seed, date and start time give the same responses.
public struct DemoHall: Sendable {
    public var seed: UInt64

    public init(seed: UInt64 = 20_231_001) {
        self.seed = seed
    }

    /// Responses a day, per channel: a headquarters channel gets more than a remote one, email least.
    static func dailyVolume(channel: String) -> ClosedRange<Int> {
        switch channel {
        case "counter", "kiosk": 12...30
        case "email": 0...2
        default: 4...12
        }
    }

    /// The local `date`'s responses submitted up to `now`: the day's whole schedule is drawn from the seed and the date,
    /// so drawing it again later the same day gives the same responses (ids `demo-<date>-<n>`) and more of them.
    public func day(_ date: CivilDate, upTo now: Instant, zone: DeploymentZone) -> [SurveyResponse] {
        var rng = SeededGenerator(seed: seed ^ (UInt64(bitPattern: date.daysSince1970) &* 0x9E37_79B9_7F4A_7C15))
        let start = zone.startOfDay(date)
        var responses: [SurveyResponse] = []
        var serial = 0
        for centre in DemoData.centres {
            for channel in centre.channels {
                let weights = DemoData.profile(centre: centre.id, channel: channel).weights
                for _ in 0..<Int.random(in: Self.dailyVolume(channel: channel), using: &rng) {
                    serial += 1
                    let instant = start.adding(milliseconds: Int64.random(in: 0..<86_400_000, using: &rng))
                    let response = DemoData.response(id: "demo-\(date.iso8601)-\(serial)", centre: centre.id, channel: channel,
                                                     at: instant, weights: weights, using: &rng)
                    if instant <= now { responses.append(response) }
                }
            }
        }
        return responses.sorted { $0.submittedAt < $1.submittedAt }
    }

    /// The responses of the seven local days ending today, each up to `now`: today's and this week's figures,
    /// whichever day the deployment's week starts on.
    public func recentDays(upTo now: Instant, zone: DeploymentZone) -> [SurveyResponse] {
        let today = zone.date(at: now)
        return (0..<7).reversed().flatMap { back in
            day(CivilDate(daysSince1970: today.daysSince1970 - Int64(back)), upTo: now, zone: zone)
        }
    }

    /// Stores `recentDays(upTo:zone:)` in `store`; a response already stored (a restart the same day) is not counted
    /// again. Returns how many were new.
    @discardableResult
    public func seed(_ store: SQLiteStore, now: Instant) async throws -> Int {
        let responses = recentDays(upTo: now, zone: store.configuration.zone)
        let outcomes = try await store.save(responses, receivedAt: now)
        return outcomes.filter { $0 == .created }.count
    }

    /// New responses, one every few seconds, half of them at C01 (the centre whose display `rida serve --demo` prints).
    public func trickle(startingAt start: Instant) -> DemoTrickle {
        DemoTrickle(seed: seed, start: start)
    }
}

/// The demo's new responses, one at a time: each stamped with the time it arrives, the next 2 to 8 seconds later.
/// Ids are `demo-live-<start in ms>-<n>`, so a restarted demo never reuses one.
public struct DemoTrickle: Sendable {
    private var rng: SeededGenerator
    private let prefix: String
    private var serial = 0

    public init(seed: UInt64, start: Instant) {
        rng = SeededGenerator(seed: seed ^ UInt64(bitPattern: start.millisecondsSince1970))
        prefix = "demo-live-\(start.millisecondsSince1970)-"
    }

    public mutating func arrival(at time: Instant) -> (response: SurveyResponse, next: Duration) {
        serial += 1
        let centre = Bool.random(using: &rng) ? DemoData.centres[0] : DemoData.centres.randomElement(using: &rng)!
        let channel = centre.channels.filter { $0 != "email" }.randomElement(using: &rng)!
        let weights = DemoData.profile(centre: centre.id, channel: channel).weights
        let response = DemoData.response(id: prefix + "\(serial)", centre: centre.id, channel: channel, at: time,
                                         weights: weights, using: &rng)
        return (response, .milliseconds(Int64.random(in: 2_000...8_000, using: &rng)))
    }
}
