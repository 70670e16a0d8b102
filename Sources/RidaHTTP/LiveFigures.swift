import RidaAggregation
import RidaStore
import RidaSurvey

/// A centre's figures for the waiting-hall display (framework 1, criterion 2.3.5): today, this week
/// and this quarter, per channel and over all channels. Figures and thresholds are `Figures`' own.
struct LiveFigures: Encodable, Sendable {
    var centre: String
    var timeZone: String
    var generatedAt: Instant
    var minimumResponses: Int
    var channels: [ChannelName]
    var today: Period
    var week: Period
    var quarter: Period

    struct ChannelName: Encodable, Sendable {
        var id: String
        var name: LocalizedText?
    }

    /// One period's figures: `from` and `through` are local dates, inclusive.
    struct Period: Encodable, Sendable {
        var from: String
        var through: String
        var quarter: Quarter?
        var all: PeriodFigures
        var channels: [PeriodFigures]
    }

    struct PeriodFigures: Encodable, Sendable {
        var channel: String?
        var responses: Int
        var ratings: Int
        var mean: Double?
        var share3: Double?
        var share4: Double?
        var thresholds: Thresholds
        var sufficient: Bool

        enum Key: String, CodingKey { case channel, responses, ratings, mean, share3, share4, thresholds, sufficient }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(channel, forKey: .channel)
            try c.encode(responses, forKey: .responses)
            try c.encode(ratings, forKey: .ratings)
            try c.encode(mean, forKey: .mean)
            try c.encode(share3, forKey: .share3)
            try c.encode(share4, forKey: .share4)
            try c.encode(thresholds, forKey: .thresholds)
            try c.encode(sufficient, forKey: .sufficient)
        }
    }

    /// Reads the rollups of `centre` and computes its figures at `now`.
    static func compute(centre: String, store: any RidaStorage, settings: ServiceSettings, at now: Instant) async throws -> LiveFigures {
        let zone = settings.zone
        let today = zone.date(at: now)
        let weekStart = CivilDate(daysSince1970: today.daysSince1970 - daysIntoWeek(today, startsOn: settings.weekStartsOn))
        let quarter = zone.quarter(at: now)
        let todayCounts = try await store.dayCounts(centre: centre, from: today, through: today)
        let weekCounts = try await store.dayCounts(centre: centre, from: weekStart, through: today)
        let quarterCounts = try await store.quarterCounts(centre: centre, quarter: quarter)

        let channels = Set(todayCounts.keys).union(weekCounts.keys).union(quarterCounts.keys)
            .sorted { (settings.channels.order(of: $0), $0) < (settings.channels.order(of: $1), $1) }
        func period(_ counts: [String: Counts], from: CivilDate, quarter: Quarter?) -> Period {
            func figures(_ channel: String?, _ counts: Counts) -> PeriodFigures {
                let f = Figures(centre: centre, channel: channel, quarter: zone.quarter(at: now), counts: counts,
                                previous: nil, policy: settings.policy)
                return PeriodFigures(channel: channel, responses: f.responses, ratings: f.ratings, mean: f.mean,
                                     share3: f.share3, share4: f.share4, thresholds: f.thresholds, sufficient: f.sufficient)
            }
            let all = counts.values.reduce(Counts.zero, +)
            return Period(from: from.iso8601, through: today.iso8601, quarter: quarter, all: figures(nil, all),
                          channels: channels.map { figures($0, counts[$0] ?? .zero) })
        }
        return LiveFigures(
            centre: centre, timeZone: zone.identifier, generatedAt: now, minimumResponses: settings.policy.minimumResponses,
            channels: channels.map { ChannelName(id: $0, name: settings.channels.channel($0)?.name) },
            today: period(todayCounts, from: today, quarter: nil),
            week: period(weekCounts, from: weekStart, quarter: nil),
            quarter: period(quarterCounts, from: quarter.firstDay, quarter: quarter))
    }

    /// Days since the week's first day; `startsOn` 1 is Sunday … 7 Saturday. 1970-01-01 was a Thursday.
    static func daysIntoWeek(_ date: CivilDate, startsOn: Int) -> Int64 {
        let weekday = ((date.daysSince1970 + 4) % 7 + 7) % 7  // 0 is Sunday
        return ((weekday - Int64(startsOn - 1)) % 7 + 7) % 7
    }
}
