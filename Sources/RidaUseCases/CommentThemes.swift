import RidaAggregation
import RidaStore
import RidaSurvey

/// Groups a scope's comments in a quarter into a lexicon's themes: `rida report --themes` and the themes section of
/// the HTML page and the workbook (through `ShowReport`). Reads the comments through `CommentStore` and nothing else.
///
/// ```swift
/// let themes = CommentThemes(store: store, lexicon: .starter, channels: .standard)
/// let digest = try await themes.digest(ReportScope(quarter: quarter, centre: "C01"))
/// ```
public struct CommentThemes: Sendable {
    public let store: any CommentStore
    public let lexicon: ThemeLexicon
    public let channels: ChannelCatalog

    public init(store: any CommentStore, lexicon: ThemeLexicon = .starter, channels: ChannelCatalog) {
        self.store = store
        self.lexicon = lexicon
        self.channels = channels
    }

    /// The themes of `scope`'s comments (its quarter, centres and channel), with up to three examples each.
    public func digest(_ scope: ReportScope) async throws -> ThemeDigest {
        let comments = try await store.comments(in: scope)
        return ThemeDigest.build(comments: comments, lexicon: lexicon, channels: channels, quarter: scope.quarter)
    }
}
