import RidaSurvey

/// A centre and channel: the unit figures are kept for, within a quarter.
public struct GroupKey: Sendable, Hashable, Codable, Comparable {
    public var centre: String
    public var channel: String

    public init(centre: String, channel: String) {
        self.centre = centre
        self.channel = channel
    }

    public static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
        (lhs.centre, lhs.channel) < (rhs.centre, rhs.channel)
    }
}

/// What a report covers.
public struct ReportScope: Sendable, Hashable, Codable {
    public var quarter: Quarter
    public var centre: String?
    public var channel: String?
    /// The entity whose centres the report covers (its centres are `centres`).
    public var entity: String?
    /// When set, only these centres: an entity's centres.
    public var centres: [String]?

    public init(quarter: Quarter, centre: String? = nil, channel: String? = nil, entity: String? = nil, centres: [String]? = nil) {
        self.quarter = quarter
        self.centre = centre
        self.channel = channel
        self.entity = entity
        self.centres = centres
    }

    public func includes(_ key: GroupKey) -> Bool {
        includes(centre: key.centre) && (channel == nil || channel == key.channel)
    }

    public func includes(centre name: String) -> Bool {
        (centre == nil || centre == name) && (centres == nil || centres!.contains(name))
    }
}

/// The quarterly report: every group's figures and each centre's roll-up.
///
/// Its JSON encoding is a public format, documented in `docs/report-format.md`.
public struct QuarterlyReport: Sendable, Hashable, Codable {
    public var quarter: Quarter
    public var timeZone: String
    public var reading: Reading
    public var minimumResponses: Int
    public var centre: String?
    public var channel: String?
    /// The entity whose centres the report covers; nil when not narrowed to an entity.
    public var entity: String?
    /// One item per centre × channel with responses this quarter, by centre then channel order.
    public var groups: [Figures]
    /// One item per centre: its channels rolled up.
    public var centres: [Figures]
    /// The responses of the report's scope the misuse rules set aside (issue 16): kept, but in none of the figures.
    /// Nil in reports taken before the rules existed, and when none was set aside.
    public var setAside: [SetAsideCount]?

    /// The follow-up cases of the report's scope opened for this quarter's responses (issue 16), per centre and channel,
    /// late or not as of `casesAsOf`. Nil in reports taken before cases existed, and when none was opened.
    public var cases: [CaseCount]?
    public var casesAsOf: Instant?
    /// How far each channel's survey reached (issue 15 point 4): per centre and channel with a count of customers served
    /// this quarter, its responses beside that count (and, later, the invitations). Nil when there is no such count.
    public var reach: [ChannelReach]?

    /// Sets `cases` to the counts of `counts` within the report's scope, as of `asOf` (nil when none is).
    public mutating func noteCases(_ counts: [CaseCount], scope: ReportScope, asOf: Instant) {
        let within = counts.filter { scope.includes(GroupKey(centre: $0.centre, channel: $0.channel)) && $0.opened > 0 }
        cases = within.isEmpty ? nil : within
        casesAsOf = within.isEmpty ? nil : asOf
    }

    /// Sets `setAside` to the counts of `counts` within the report's scope (nil when none is).
    public mutating func noteSetAside(_ counts: [SetAsideCount], scope: ReportScope) {
        let within = counts.filter { scope.includes(GroupKey(centre: $0.centre, channel: $0.channel)) && $0.responses > 0 }
        setAside = within.isEmpty ? nil : within
    }

    /// Builds the report from per-group counts of the quarter and of the one before it.
    public init(
        scope: ReportScope, zone: DeploymentZone, policy: ThresholdPolicy, channels: ChannelCatalog,
        current: [GroupKey: Counts], previous: [GroupKey: Counts]
    ) {
        quarter = scope.quarter
        timeZone = zone.identifier
        reading = policy.reading
        minimumResponses = policy.minimumResponses
        centre = scope.centre
        channel = scope.channel
        entity = scope.entity

        let keys = current.keys.filter { scope.includes($0) && current[$0]!.responses > 0 }.sorted {
            ($0.centre, channels.order(of: $0.channel), $0.channel) < ($1.centre, channels.order(of: $1.channel), $1.channel)
        }
        groups = keys.map { key in
            Figures(centre: key.centre, channel: key.channel, quarter: scope.quarter,
                    counts: current[key]!, previous: previous[key], policy: policy)
        }

        var centreNow: [String: Counts] = [:]
        var centreBefore: [String: Counts] = [:]
        for key in keys { centreNow[key.centre, default: .zero].add(current[key]!) }
        for (key, counts) in previous where scope.includes(key) { centreBefore[key.centre, default: .zero].add(counts) }
        centres = centreNow.keys.sorted().map { name in
            Figures(centre: name, channel: nil, quarter: scope.quarter,
                    counts: centreNow[name]!, previous: centreBefore[name], policy: policy)
        }
    }
}
