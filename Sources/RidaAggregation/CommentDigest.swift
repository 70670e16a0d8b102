import RidaSurvey

/// One comment (q7) with what the customer rated, as a report lists it.
public struct CommentEntry: Sendable, Hashable, Codable {
    public var centre: String
    public var channel: String
    /// The local day it was given, `YYYY-MM-DD` (never the time: a day is enough to read it, and identifies less).
    public var day: String
    public var service: String?
    /// The sum and number of the response's ratings (q1 to q4).
    public var ratingSum: Int
    public var ratingCount: Int
    public var text: String

    public init(centre: String, channel: String, day: String, service: String?, ratingSum: Int, ratingCount: Int, text: String) {
        self.centre = centre
        self.channel = channel
        self.day = day
        self.service = service
        self.ratingSum = ratingSum
        self.ratingCount = ratingCount
        self.text = text
    }

    /// The mean of the response's ratings.
    public var mean: Double? { ratingCount > 0 ? Double(ratingSum) / Double(ratingCount) : nil }

    /// Low-rated: the mean of the response's ratings is below 3, decided on integers (sum < 3 × count).
    public var lowRated: Bool { CommentEntry.isLowRated(sum: ratingSum, count: ratingCount) }

    public static func isLowRated(sum: Int, count: Int) -> Bool { count > 0 && sum < 3 * count }
}

/// How many comments one channel received, and how many of them came with low ratings.
public struct ChannelCommentCount: Sendable, Hashable, Codable {
    public var channel: String
    public var comments: Int
    public var lowRated: Int

    public init(channel: String, comments: Int, lowRated: Int) {
        self.channel = channel
        self.comments = comments
        self.lowRated = lowRated
    }
}

/// The comments (q7) of a report's scope in a quarter: counts by channel, and the comments themselves, up to
/// `limit`: low-rated first, then by the mean of the response's ratings (lowest first), then newest first.
public struct CommentDigest: Sendable, Hashable, Codable {
    /// By channel, in catalogue order.
    public var counts: [ChannelCommentCount]
    /// At most `limit`, low-rated first.
    public var entries: [CommentEntry]
    public var limit: Int

    public static let defaultLimit = 200

    public init(counts: [ChannelCommentCount], entries: [CommentEntry], limit: Int) {
        self.counts = counts
        self.entries = entries
        self.limit = limit
    }

    public static let empty = CommentDigest(counts: [], entries: [], limit: defaultLimit)

    public var total: Int { counts.reduce(0) { $0 + $1.comments } }
    public var lowRated: Int { counts.reduce(0) { $0 + $1.lowRated } }
}
