/// The rules that set aside responses no customer gave (issue 16, point 2): a child pressing "5" forty times at a kiosk,
/// an employee rating at a counter's QR sign. They read one device's responses in the order of the device's own
/// clock (`submittedAt`), never the time of arrival: a kiosk's offline queue rightly delivers an hour of customers in
/// one second, and those are an hour apart here.
///
/// A pure function of one device's timeline: the store keeps the timeline and asks again whenever a response joins it,
/// so a burst's first responses, counted before the burst was seen, are set aside with the rest.
public struct MisuseRules: Sendable, Hashable, Codable {
    /// More than `burstCount` responses within `burstSeconds` (by the device's clock) make a burst: every response in
    /// that span is set aside. A person needs time to read four questions: ten customers a minute at one kiosk is
    /// already a queue moving at a run.
    public var burstCount: Int
    public var burstSeconds: Int
    /// `identicalCount` responses or more with the same ratings and no comment within `identicalSeconds`: all set aside.
    /// Two minutes by default: all fives without a comment is the commonest honest answer, and a busy kiosk serves one
    /// or two customers a minute, so five of them inside two minutes is one hand pressing, not five customers.
    public var identicalCount: Int
    public var identicalSeconds: Int
    /// A response less than `minimumSeconds` after the device's previous one came faster than a person can read the
    /// questions: set aside (the previous one stays counted). `0` turns the rule off.
    public var minimumSeconds: Int

    public init(burstCount: Int = 10, burstSeconds: Int = 60, identicalCount: Int = 5, identicalSeconds: Int = 120,
                minimumSeconds: Int = 4) {
        self.burstCount = burstCount
        self.burstSeconds = burstSeconds
        self.identicalCount = identicalCount
        self.identicalSeconds = identicalSeconds
        self.minimumSeconds = minimumSeconds
    }

    /// The longest span a rule looks back over: a new response can change the verdict of responses this far before it.
    public var reach: Duration {
        .seconds(max(burstSeconds, identicalSeconds, minimumSeconds))
    }

    /// The most responses of a device's timeline a store reads on each side of a save's new responses, and among them:
    /// a key that sends thousands of answers at one instant costs each save a bounded read. Fewer responses only ever
    /// flag fewer, never another one.
    public static let timelineCap = 500

    /// `reach` in milliseconds.
    public var reachMilliseconds: Int64 {
        Int64(max(burstSeconds, identicalSeconds, minimumSeconds, 0)) * 1_000
    }

    /// Which of one device's responses are set aside, and by which rule (the first that applies, in the order burst,
    /// identical, too fast). Responses are ordered by `submittedAt`, then id; the result does not depend on the order
    /// they are given in.
    public func flags(_ timeline: [DeviceSubmission]) -> [String: MisuseRule] {
        let sorted = timeline.sorted { ($0.submittedAt, $0.id) < ($1.submittedAt, $1.id) }
        var flags: [String: MisuseRule] = [:]
        func flag(_ ids: [String], _ rule: MisuseRule) {
            for id in ids where flags[id].map({ rule.precedence < $0.precedence }) ?? true { flags[id] = rule }
        }
        if burstCount > 0, burstSeconds > 0 {
            flag(Self.crowded(sorted, moreThan: burstCount, within: burstSeconds), .burst)
        }
        if identicalCount > 0, identicalSeconds > 0 {
            let groups = Dictionary(grouping: sorted.filter { $0.comment == nil }, by: \.ratings)
            for group in groups.values {
                flag(Self.crowded(group, moreThan: identicalCount - 1, within: identicalSeconds), .identical)
            }
        }
        if minimumSeconds > 0 {
            let gap = Int64(minimumSeconds) * 1_000
            var fast: [String] = []
            for (previous, next) in zip(sorted, sorted.dropFirst())
            where next.submittedAt.millisecondsSince1970 - previous.submittedAt.millisecondsSince1970 < gap {
                fast.append(next.id)
            }
            flag(fast, .tooFast)
        }
        return flags
    }

    /// The ids of `sorted` lying in some span shorter than `seconds` that holds more than `count` of them.
    static func crowded(_ sorted: [DeviceSubmission], moreThan count: Int, within seconds: Int) -> [String] {
        let span = Int64(seconds) * 1_000
        var ids: [String] = []
        var first = 0
        var markedUpTo = -1  // the last index already in `ids`
        for last in sorted.indices {
            while sorted[last].submittedAt.millisecondsSince1970 - sorted[first].submittedAt.millisecondsSince1970 >= span {
                first += 1
            }
            if last - first + 1 > count {
                for i in max(first, markedUpTo + 1)...last { ids.append(sorted[i].id) }
                markedUpTo = last
            }
        }
        return ids
    }
}

/// One response as the misuse rules see it: when the device says it was given, and what it said.
public struct DeviceSubmission: Sendable, Hashable {
    public var id: String
    public var submittedAt: Instant
    public var ratings: [Int?]
    public var comment: String?

    public init(id: String, submittedAt: Instant, ratings: [Int?], comment: String? = nil) {
        self.id = id
        self.submittedAt = submittedAt
        self.ratings = ratings
        self.comment = comment
    }

    public init(_ response: SurveyResponse) {
        self.init(id: response.id, submittedAt: response.submittedAt, ratings: response.ratings, comment: response.comment)
    }
}

/// Why a response was set aside; the report counts them per channel under these names.
public enum MisuseRule: String, Sendable, Hashable, Codable, CaseIterable {
    case burst
    case identical
    case tooFast = "too-fast"

    /// The order the rules are named in when several apply: burst, identical, too fast. A response already set aside
    /// by a later rule is named again by an earlier one that applies, so what the report says does not depend on the
    /// order responses arrived in.
    public var precedence: Int {
        switch self {
        case .burst: 0
        case .identical: 1
        case .tooFast: 2
        }
    }

    /// What the rule saw, for the report's reader.
    public var sentence: String {
        switch self {
        case .burst: "too many responses from one device in a short time"
        case .identical: "the same answers repeated from one device in a short time"
        case .tooFast: "given faster than a person can read the questions"
        }
    }
}

/// Where a deployment applies the misuse rules: the rules, and the channels whose devices they watch. A kiosk stands in
/// a hall and one person can press it forty times; a call centre's IVR key carries many callers at once, so its
/// responses rightly come in bursts. Responses without a source (files imported) are never checked.
public struct MisusePolicy: Sendable, Hashable, Codable {
    public var rules: MisuseRules
    public var channels: Set<String>
    /// Responses are read as one device's timeline only when they arrived within this many seconds of each other
    /// (`misuse.arrivalWindowSeconds`, 10 minutes by default). A child pressing forty times, or a kiosk's offline queue
    /// flushed at once, arrives together, and is caught. Someone holding a leaked kiosk key cannot get the kiosk's real
    /// customers set aside by sending fakes dated next to them: fakes dated in the past find the real answers received
    /// long ago out of reach, and fakes dated ahead (the validator accepts a day, for clocks ahead) are out of reach of
    /// the real answers when those arrive. `0`: no bound, every stored response of the device is read.
    public var arrivalWindowSeconds: Int

    public init(rules: MisuseRules = MisuseRules(), channels: Set<String> = ["kiosk"], arrivalWindowSeconds: Int = 600) {
        self.rules = rules
        self.channels = channels
        self.arrivalWindowSeconds = arrivalWindowSeconds
    }

    /// The times of receipt a save received at `time` reads its devices' timelines between, or nil for no bound.
    public func arrivals(around time: Instant) -> ClosedRange<Instant>? {
        guard arrivalWindowSeconds > 0 else { return nil }
        let window = Int64(arrivalWindowSeconds) * 1_000
        return time.adding(milliseconds: -window)...time.adding(milliseconds: window)
    }

    /// No rule applies anywhere.
    public static let off = MisusePolicy(channels: [])

    /// Whether the rules look at `response`: sent with a key on a watched channel, or through a counter's QR sign
    /// (whatever its channel: anyone can scan a sign, as anyone can press a kiosk).
    public func applies(to response: SurveyResponse) -> Bool {
        guard let source = response.source else { return false }
        return watches(channel: response.channel, source: source)
    }

    /// Whether the rules read a response on `channel` sent by `source` (the stores ask it of a device's stored ones).
    public func watches(channel: String, source: String) -> Bool {
        channels.contains(channel) || (!channels.isEmpty && source.hasPrefix("sign:"))
    }
}

/// A response set aside by a misuse rule, as the quality team lists it before reinstating.
public struct SetAsideResponse: Sendable, Hashable, Codable {
    public var id: String
    public var centre: String
    public var channel: String
    public var submittedAt: Instant
    public var source: String
    public var rule: MisuseRule
    public var ratings: [Int?]

    public init(id: String, centre: String, channel: String, submittedAt: Instant, source: String, rule: MisuseRule, ratings: [Int?]) {
        self.id = id
        self.centre = centre
        self.channel = channel
        self.submittedAt = submittedAt
        self.source = source
        self.rule = rule
        self.ratings = ratings
    }
}

/// What the quality team reinstates: responses by id, or a whole burst (one device's set-aside responses over a span of
/// its clock).
public enum Reinstatement: Sendable, Hashable {
    case ids([String])
    case burst(source: String, from: Instant, through: Instant)
}

/// How many responses one rule set aside at one centre and channel in a quarter.
public struct SetAsideCount: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    public var rule: MisuseRule
    public var responses: Int

    public init(centre: String, channel: String, rule: MisuseRule, responses: Int) {
        self.centre = centre
        self.channel = channel
        self.rule = rule
        self.responses = responses
    }
}

/// The new responses of one device in a save, and the span of its clock they cover: what a store reads the device's
/// timeline around.
public struct DeviceBatch: Sendable {
    public var source: String
    public var first: Instant
    public var last: Instant
    public var created: [SurveyResponse]

    /// `watched`'s responses grouped by source, in the order of their sources (the order stores lock and read them in).
    public static func grouping(_ watched: [SurveyResponse]) -> [DeviceBatch] {
        Dictionary(grouping: watched.filter { $0.source != nil }, by: { $0.source! }).sorted { $0.key < $1.key }.map { source, created in
            DeviceBatch(source: source, first: created.map(\.submittedAt).min()!, last: created.map(\.submittedAt).max()!, created: created)
        }
    }
}

/// One device's timeline as a store read it, each response with what it stands as now: counted (and never reinstated:
/// a rule may set it aside), set aside by a rule, or reinstated for good.
public struct DeviceTimeline: Sendable {
    public private(set) var submissions: [DeviceSubmission] = []
    var open = Set<String>()
    var labels: [String: MisuseRule] = [:]

    public init() {}

    public mutating func add(_ submission: DeviceSubmission, setAside: MisuseRule?, reinstated: Bool) {
        submissions.append(submission)
        if let setAside { labels[submission.id] = setAside } else if !reinstated { open.insert(submission.id) }
    }

    /// Adds the responses created in this save that the read left out (beyond `MisuseRules.timelineCap`): counted, as
    /// every response just stored is.
    public mutating func addCreated(_ created: [SurveyResponse]) {
        var seen = Set(submissions.map(\.id))
        for response in created where seen.insert(response.id).inserted {
            add(DeviceSubmission(response), setAside: nil, reinstated: false)
        }
    }
}

extension MisuseRules {
    /// What the rules decide on `timeline`: the counted responses to set aside, and those already set aside that an
    /// earlier rule now names (`old` is the rule they stand under).
    public func review(_ timeline: DeviceTimeline) -> (setAside: [(id: String, rule: MisuseRule)], renamed: [(id: String, rule: MisuseRule, old: MisuseRule)]) {
        var setAside: [(id: String, rule: MisuseRule)] = [], renamed: [(id: String, rule: MisuseRule, old: MisuseRule)] = []
        for (id, rule) in flags(timeline.submissions).sorted(by: { $0.key < $1.key }) {
            if timeline.open.contains(id) {
                setAside.append((id, rule))
            } else if let label = timeline.labels[id], rule.precedence < label.precedence {
                renamed.append((id, rule, label))
            }
        }
        return (setAside, renamed)
    }
}
