import Crypto
import Foundation
import RidaAssessment
import RidaSurvey

/// Freezing a saved report: its content as stored bytes with their SHA-256, the page it is published as, and the
/// check that a frozen report still reads back and re-renders byte for byte.
public enum ReportFreezing {
    /// The page a report is published as: the public version, in Arabic.
    public static let publishedLanguage = Language.ar

    /// The content a snapshot is stored as.
    public static func content(_ snapshot: ReportSnapshot) throws -> ReportContent {
        let data = try snapshot.encoded()
        return ReportContent(json: String(decoding: data, as: UTF8.self), sha256: sha256(data), engineVersion: snapshot.engineVersion)
    }

    /// The final content and the page of a report published at `time`: the stored snapshot with the actions recorded
    /// so far and the publication itself. The page is rendered from the content as read back, so a later re-render
    /// from the stored content gives the same bytes.
    public static func publication(
        of snapshot: ReportSnapshot, report: SavedReport, at time: Instant
    ) throws -> (content: ReportContent, page: PublishedPage) {
        var final = snapshot
        final.actions = report.actions
        final.publication = Publication(report: report.id, publishedAt: time, replaces: report.replaces)
        let content = try content(final)
        let page = try self.page(from: content)
        return (content, page)
    }

    /// The published page rendered from stored content.
    public static func page(from content: ReportContent) throws -> PublishedPage {
        let snapshot = try ReportSnapshot.decode(Data(content.json.utf8))
        let html = HTMLReport.render(snapshot, language: publishedLanguage, audience: .public)
        return PublishedPage(html: html, sha256: sha256(Data(html.utf8)))
    }

    /// What checking a frozen report found.
    public struct Verification: Sendable, Hashable {
        /// The SHA-256 of the stored content, computed now.
        public var contentSha256: String
        public var contentMatches: Bool
        /// The SHA-256 of the page re-rendered now from the stored content; nil when the report has no page.
        public var pageSha256: String?
        /// Whether the re-rendered page is byte for byte the stored one (and matches its stored SHA-256).
        public var pageMatches: Bool?

        public var holds: Bool { contentMatches && pageMatches != false }
    }

    /// Recomputes the content's SHA-256 and re-renders the page from the content, comparing both with what is stored.
    public static func verify(content: ReportContent, page: PublishedPage?) throws -> Verification {
        let contentSha = sha256(Data(content.json.utf8))
        var verification = Verification(contentSha256: contentSha, contentMatches: contentSha == content.sha256)
        if let page {
            let again = try self.page(from: content)
            verification.pageSha256 = again.sha256
            verification.pageMatches = again.html == page.html && again.sha256 == page.sha256 && sha256(Data(page.html.utf8)) == page.sha256
        }
        return verification
    }

    /// Lower-case hexadecimal SHA-256.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
