import Foundation
import RidaAggregation
import RidaSurvey

/// The version of Rida's engine (figures and renderings), stored with every frozen report.
public enum RidaEngine {
    public static let version = "0.2.0"
}

/// What a quarterly report is about: every centre, one centre, or an entity's centres.
public struct ReportSubject: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case all
        case centre
        case entity
    }

    public var kind: Kind
    /// The centre's or entity's id; nil for all.
    public var id: String?
    public var name: LocalizedText?
    /// The centres covered, as the registry names them (an entity's centres; the one centre; empty for all).
    public var centres: [Centre]

    public init(kind: Kind, id: String? = nil, name: LocalizedText? = nil, centres: [Centre] = []) {
        self.kind = kind
        self.id = id
        self.name = name
        self.centres = centres
    }

    public static let all = ReportSubject(kind: .all)

    /// The scope string a saved report records: the id, or `all`.
    public var scope: String { id ?? "all" }

    /// The centre called `id`'s name in `language`, from the registry, else its id.
    public func centreName(_ id: String, _ language: Language) -> String {
        centres.first { $0.id == id }?.name(language) ?? id
    }
}

/// When and as what a saved report was published; part of the frozen content.
public struct Publication: Codable, Sendable, Hashable {
    public var report: Int64
    public var publishedAt: Instant
    /// The published report this one corrects.
    public var replaces: Int64?

    public init(report: Int64, publishedAt: Instant, replaces: Int64? = nil) {
        self.report = report
        self.publishedAt = publishedAt
        self.replaces = replaces
    }
}

/// Everything a rendered quarterly report shows, taken from the store at one moment: the figures of the JSON report,
/// the eight-quarter trends, the breakdowns by service and counter, the comments digest and their themes, and, once published,
/// the decisions and actions recorded and the publication itself.
///
/// Renderings are functions of a snapshot alone, so a snapshot stored as JSON re-renders byte for byte.
public struct ReportSnapshot: Codable, Sendable, Hashable {
    public var engineVersion: String
    /// When the figures were read.
    public var takenAt: Instant
    public var subject: ReportSubject
    /// The deployment's channels: their names and display order.
    public var channels: ChannelCatalog
    public var report: QuarterlyReport
    /// Each channel's (then all channels') last eight quarters, ending with the report's.
    public var trend: [TrendSeries]
    /// One per centre with named services.
    public var services: [Breakdown]
    /// One per centre with named counters.
    public var counters: [Breakdown]
    public var comments: CommentDigest
    /// The comments grouped into themes by a lexicon (`ThemeDigest`); nil when the report was taken without them
    /// (snapshots stored before themes existed decode, and re-encode, unchanged).
    public var themes: ThemeDigest?
    /// The decisions and actions recorded by the time the report was published (empty before).
    public var actions: [ReportAction]
    public var publication: Publication?

    public init(
        engineVersion: String = RidaEngine.version, takenAt: Instant, subject: ReportSubject, channels: ChannelCatalog,
        report: QuarterlyReport, trend: [TrendSeries], services: [Breakdown], counters: [Breakdown],
        comments: CommentDigest, themes: ThemeDigest? = nil, actions: [ReportAction] = [], publication: Publication? = nil
    ) {
        self.engineVersion = engineVersion
        self.takenAt = takenAt
        self.subject = subject
        self.channels = channels
        self.report = report
        self.trend = trend
        self.services = services
        self.counters = counters
        self.comments = comments
        self.themes = themes
        self.actions = actions
        self.publication = publication
    }

    /// The number of quarters a trend covers.
    public static let trendQuarters = 8

    /// The snapshot as stored: compact JSON with sorted keys, so the same snapshot is always the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a stored snapshot.
    public static func decode(_ data: Data) throws -> ReportSnapshot {
        try JSONDecoder().decode(ReportSnapshot.self, from: data)
    }

    /// The channel's name in `language`, else its id.
    public func channelName(_ id: String?, _ language: Language) -> String {
        guard let id else { return language == .ar ? "جميع القنوات" : "All channels" }
        return channels.channel(id)?.name?[language] ?? id
    }
}
