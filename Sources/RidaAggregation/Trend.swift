import RidaSurvey

/// One channel's figures (or all channels') over consecutive quarters, oldest first.
public struct TrendSeries: Sendable, Hashable, Codable {
    /// Nil for all the channels of the scope together.
    public var channel: String?
    /// One point per quarter, oldest first; a quarter without responses has `responses` 0 and no mean.
    /// Each point's `change` is against the quarter before it.
    public var points: [Figures]

    public init(channel: String?, points: [Figures]) {
        self.channel = channel
        self.points = points
    }

    /// The series of each channel with responses in `quarters` within `scope`, in catalogue order, then all channels
    /// together. `counts` must hold the quarter before the first too, for the first point's change.
    /// `label` names the scope in each point's `centre` (a centre, an entity, or `all`).
    public static func build(
        quarters: [Quarter], counts: [Quarter: [GroupKey: Counts]], scope: ReportScope, label: String,
        channels: ChannelCatalog, policy: ThresholdPolicy
    ) -> [TrendSeries] {
        guard let first = quarters.first else { return [] }
        var byChannel: [String: [Quarter: Counts]] = [:]
        var all: [Quarter: Counts] = [:]
        for quarter in [first.previous] + quarters {
            for (key, value) in counts[quarter] ?? [:] where scope.includes(key) && value.responses > 0 {
                byChannel[key.channel, default: [:]][quarter, default: .zero].add(value)
                all[quarter, default: .zero].add(value)
            }
        }
        func series(_ channel: String?, _ byQuarter: [Quarter: Counts]) -> TrendSeries {
            TrendSeries(channel: channel, points: quarters.map { quarter in
                Figures(centre: label, channel: channel, quarter: quarter, counts: byQuarter[quarter] ?? .zero,
                        previous: byQuarter[quarter.previous], policy: policy)
            })
        }
        let names = byChannel.keys.filter { name in quarters.contains { byChannel[name]![$0] != nil } }
            .sorted { (channels.order(of: $0), $0) < (channels.order(of: $1), $1) }
        return names.map { series($0, byChannel[$0]!) } + [series(nil, all)]
    }
}
