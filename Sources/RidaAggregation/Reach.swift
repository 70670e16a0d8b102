import RidaSurvey

/// How many customers a centre served through a channel in a quarter, as the entity counted them (`rida import --kind
/// served`): the denominator of the channel's response rate (issue 15 point 4).
public struct ServedCount: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    public var quarter: Quarter
    /// A whole number, 0 or more.
    public var customers: Int

    public init(centre: String, channel: String, quarter: Quarter, customers: Int) {
        self.centre = centre
        self.channel = channel
        self.quarter = quarter
        self.customers = customers
    }
}

/// How far a channel's survey reached in a quarter: its responses beside the customers served (imported) and, later, the
/// invitations sent, opened and answered. Only counts are kept and encoded; the rates are computed from them, so a
/// report read back shows exactly the same percentage.
///
///     let reach = ChannelReach(centre: "C01", channel: "counter", responses: 412, customersServed: 5_130)
///     reach.responseRate   // 412 / 5130 = 0.0803…, shown as 8.0%
public struct ChannelReach: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    /// The responses counted in the report's figures for this centre and channel (0 when none).
    public var responses: Int
    /// The customers served, as imported; nil when the entity gave no count.
    public var customersServed: Int?
    public var invitationsSent: Int?
    public var invitationsOpened: Int?
    public var invitationsAnswered: Int?

    public init(centre: String, channel: String, responses: Int, customersServed: Int? = nil, invitationsSent: Int? = nil,
                invitationsOpened: Int? = nil, invitationsAnswered: Int? = nil) {
        self.centre = centre
        self.channel = channel
        self.responses = responses
        self.customersServed = customersServed
        self.invitationsSent = invitationsSent
        self.invitationsOpened = invitationsOpened
        self.invitationsAnswered = invitationsAnswered
    }

    /// Responses ÷ customers served; nil without a count of customers served, or when it is 0.
    public var responseRate: Rate? {
        guard let served = customersServed, served > 0 else { return nil }
        return Rate(part: responses, whole: served)
    }

    /// Invitations answered ÷ invitations sent; nil without both, or when none was sent.
    public var invitationRate: Rate? {
        guard let sent = invitationsSent, sent > 0, let answered = invitationsAnswered else { return nil }
        return Rate(part: answered, whole: sent)
    }
}

/// A share of two counts, kept as the counts: `percentText` rounds it once, half away from zero, with integers only.
public struct Rate: Sendable, Hashable {
    public var part: Int
    public var whole: Int

    public init(part: Int, whole: Int) {
        precondition(whole > 0, "a rate needs a whole above 0")
        self.part = part
        self.whole = whole
    }

    public var value: Double { Double(part) / Double(whole) }

    /// The percentage with one decimal, "8.0" for 412 of 5,130 (8.031…%), "17.5" for 7 of 40, "0.0" for 0 of 75.
    public var percentText: String {
        // Tenths of a percent, rounded half up: (part × 1000 × 2 + whole) ÷ (2 × whole), in integers.
        let tenths = (part * 2_000 + whole) / (2 * whole)
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension QuarterlyReport {
    /// Sets `reach` to one item per centre × channel of the report's scope that has a count of customers served in
    /// `served` (counts of another quarter are ignored), with the responses of the report's own groups (0 when the channel
    /// has none); nil when no count is within the scope. Ordered like the groups: centre, then the deployment's channel
    /// order as the groups have it, then the rest by name.
    public mutating func noteReach(served: [ServedCount], invitations: [InvitationCount] = [], scope: ReportScope) {
        var responses: [GroupKey: Int] = [:]
        var order: [GroupKey: Int] = [:]
        for (position, group) in groups.enumerated() {
            guard let channel = group.channel else { continue }
            let key = GroupKey(centre: group.centre, channel: channel)
            responses[key] = group.responses
            order[key] = position
        }
        // Invitations are counted by the quarter they were registered in (the caller reads that quarter's).
        var byKey: [GroupKey: ChannelReach] = [:]
        func item(_ centre: String, _ channel: String) -> ChannelReach {
            byKey[GroupKey(centre: centre, channel: channel)]
                ?? ChannelReach(centre: centre, channel: channel, responses: responses[GroupKey(centre: centre, channel: channel)] ?? 0)
        }
        for count in served where count.quarter == scope.quarter && scope.includes(GroupKey(centre: count.centre, channel: count.channel)) {
            var reach = item(count.centre, count.channel)
            reach.customersServed = count.customers
            byKey[GroupKey(centre: count.centre, channel: count.channel)] = reach
        }
        for count in invitations where scope.includes(GroupKey(centre: count.centre, channel: count.channel)) && count.sent > 0 {
            var reach = item(count.centre, count.channel)
            reach.invitationsSent = count.sent
            reach.invitationsOpened = count.opened
            reach.invitationsAnswered = count.answered
            byKey[GroupKey(centre: count.centre, channel: count.channel)] = reach
        }
        let items = byKey.values.sorted { a, b in
            let ka = GroupKey(centre: a.centre, channel: a.channel), kb = GroupKey(centre: b.centre, channel: b.channel)
            return (a.centre, order[ka] ?? Int.max, a.channel) < (b.centre, order[kb] ?? Int.max, b.channel)
        }
        reach = items.isEmpty ? nil : items
    }
}
