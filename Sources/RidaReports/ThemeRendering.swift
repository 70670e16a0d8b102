import Foundation
import RidaAggregation
import RidaSurvey

/// The comment themes of a quarter (`rida report --themes`) as text, JSON or CSV: per channel, then every channel
/// together, each theme's comments, how many came with low ratings, and its examples; the comments in no theme last.
public enum ThemeRendering {
    /// The line that says what a low rating is, in each rendering.
    public static let lowRatedNote = "Low-rated: the response's ratings average below 3."

    /// A table per channel for a terminal; examples on their own lines, made safe for a terminal.
    public static func text(_ digest: ThemeDigest, scope: String, channels: ChannelCatalog) -> String {
        var out = "Comment themes \(digest.quarter), \(scope); lexicon \(Escaping.terminalLine(digest.lexicon)).\n"
        out += "A comment counts in every theme it falls in; comments in no theme are counted too. \(lowRatedNote)\n"
        if digest.all.comments == 0 {
            return out + "\nNo comments in \(digest.quarter) for this selection.\n"
        }
        for group in digest.channels + [digest.all] {
            let name = group.channel.map { channels.channel($0)?.name?.en ?? $0 } ?? "All channels"
            out += "\n\(name): \(group.comments) comments, \(group.lowRated) low-rated\n"
            var rows = group.themes.map { [Escaping.terminalLine($0.label.en), Escaping.terminalLine($0.label.ar), "\($0.comments)", "\($0.lowRated)"] }
            rows.append(["No theme", "بلا موضوع", "\(group.unmatched)", "\(group.unmatchedLowRated)"])
            out += TextRendering.table(header: ["Theme", "الموضوع", "Comments", "Low-rated"], rows: rows, rightAligned: [2, 3])
            for theme in group.themes where !theme.examples.isEmpty {
                out += "  \(Escaping.terminalLine(theme.label.en)), for example:\n"
                for entry in theme.examples { out += "    - \(example(entry, channels: channels))\n" }
            }
        }
        return out
    }

    static func example(_ entry: CommentEntry, channels: ChannelCatalog) -> String {
        let channel = channels.channel(entry.channel)?.name?.en ?? entry.channel
        return "\(entry.day) \(Escaping.terminalLine(entry.centre)) \(Escaping.terminalLine(channel)), mean \(ReportNumber.mean(entry.mean)): "
            + Escaping.terminalLine(entry.text)
    }

    /// The digest as JSON (pretty, keys sorted): `ThemeDigest`'s fields.
    public static func json(_ digest: ThemeDigest) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(digest), as: UTF8.self) + "\n"
    }

    public static let csvHeader = ["quarter", "channel", "theme", "label.ar", "label.en", "comments", "lowRated"]
        + (1...ThemeDigest.exampleLimit).map { "example\($0)" }

    /// One row per channel (`all` for every channel together) and theme, then `unmatched`; starts with a UTF-8 BOM.
    public static func csv(_ digest: ThemeDigest) -> String {
        var out = CSVRendering.byteOrderMark + Escaping.csvRow(csvHeader)
        for group in digest.channels + [digest.all] {
            let channel = group.channel ?? "all"
            for theme in group.themes {
                let examples = (0..<ThemeDigest.exampleLimit).map { $0 < theme.examples.count ? theme.examples[$0].text : "" }
                out += Escaping.csvRow([digest.quarter.description, channel, theme.theme, theme.label.ar, theme.label.en,
                                        "\(theme.comments)", "\(theme.lowRated)"] + examples)
            }
            out += Escaping.csvRow([digest.quarter.description, channel, "unmatched", "بلا موضوع", "No theme", "\(group.unmatched)",
                                    "\(group.unmatchedLowRated)"] + Array(repeating: "", count: ThemeDigest.exampleLimit))
        }
        return out
    }
}
