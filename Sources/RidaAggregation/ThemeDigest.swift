import RidaSurvey

/// One theme's comments in one channel (or all channels): how many, how many came with low ratings
/// (`CommentEntry.lowRated`: the response's ratings average below 3, as the comments digest counts them), and a few
/// examples, the first given (by submitted time, then as stored), a text repeated word for word shown once.
public struct ThemeCount: Sendable, Hashable, Codable {
    public var theme: String
    public var label: LocalizedText
    public var comments: Int
    public var lowRated: Int
    public var examples: [CommentEntry]

    public init(theme: String, label: LocalizedText, comments: Int, lowRated: Int, examples: [CommentEntry]) {
        self.theme = theme
        self.label = label
        self.comments = comments
        self.lowRated = lowRated
        self.examples = examples
    }
}

/// The themes of one channel's comments (`channel` nil: every channel of the scope together). A comment counts in
/// each theme it falls in; one in none is counted in `unmatched`, so `comments` is every comment, never fewer.
public struct ChannelThemes: Sendable, Hashable, Codable {
    public var channel: String?
    public var comments: Int
    public var lowRated: Int
    /// Every theme of the lexicon, in its order, with zero counts too.
    public var themes: [ThemeCount]
    public var unmatched: Int
    public var unmatchedLowRated: Int

    public init(channel: String?, comments: Int, lowRated: Int, themes: [ThemeCount], unmatched: Int, unmatchedLowRated: Int) {
        self.channel = channel
        self.comments = comments
        self.lowRated = lowRated
        self.themes = themes
        self.unmatched = unmatched
        self.unmatchedLowRated = unmatchedLowRated
    }
}

/// A report scope's comments in a quarter grouped into a lexicon's themes, per channel and for every channel
/// together. A function of the comments and the lexicon only.
///
/// ```swift
/// let digest = ThemeDigest.build(comments: entries, lexicon: .starter, channels: .standard, quarter: quarter)
/// digest.all.themes[0]   // waiting_time: comments, lowRated, examples
/// ```
public struct ThemeDigest: Sendable, Hashable, Codable {
    public var quarter: Quarter
    /// The lexicon's name.
    public var lexicon: String
    /// One per channel with comments, in catalogue order.
    public var channels: [ChannelThemes]
    /// Every channel together.
    public var all: ChannelThemes

    /// How many examples a theme keeps.
    public static let exampleLimit = 3

    public init(quarter: Quarter, lexicon: String, channels: [ChannelThemes], all: ChannelThemes) {
        self.quarter = quarter
        self.lexicon = lexicon
        self.channels = channels
        self.all = all
    }

    /// Groups `comments` (in the order examples are chosen: by submitted time, then as stored) into `lexicon`'s themes.
    public static func build(comments: [CommentEntry], lexicon: ThemeLexicon, channels: ChannelCatalog, quarter: Quarter,
                             examples: Int = exampleLimit) -> ThemeDigest {
        let matcher = ThemeMatcher(lexicon)
        let matched = comments.map { matcher.themePositions(of: $0.text) }
        func group(_ channel: String?) -> ChannelThemes {
            var themes = lexicon.themes.map { ThemeCount(theme: $0.id, label: $0.label, comments: 0, lowRated: 0, examples: []) }
            var total = 0, low = 0, unmatched = 0, unmatchedLow = 0
            for (entry, positions) in zip(comments, matched) where channel == nil || entry.channel == channel {
                total += 1
                if entry.lowRated { low += 1 }
                if positions.isEmpty {
                    unmatched += 1
                    if entry.lowRated { unmatchedLow += 1 }
                }
                for position in positions {
                    themes[position].comments += 1
                    if entry.lowRated { themes[position].lowRated += 1 }
                    // The first ones given, each text once: the same words three times show one comment.
                    if themes[position].examples.count < examples, !themes[position].examples.contains(where: { $0.text == entry.text }) {
                        themes[position].examples.append(entry)
                    }
                }
            }
            return ChannelThemes(channel: channel, comments: total, lowRated: low, themes: themes, unmatched: unmatched, unmatchedLowRated: unmatchedLow)
        }
        let present = Set(comments.map(\.channel))
        let ordered = present.sorted { (channels.order(of: $0), $0) < (channels.order(of: $1), $1) }
        return ThemeDigest(quarter: quarter, lexicon: lexicon.name, channels: ordered.map(group), all: group(nil))
    }
}
