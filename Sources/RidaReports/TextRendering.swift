import Foundation
import RidaAggregation
import RidaSurvey

/// The report as a table a person reads in a terminal.
///
/// Columns are aligned by what a terminal shows: a letter with its Arabic diacritics
/// takes one cell, so widths count characters (grapheme clusters), not bytes or scalars.
public enum TextRendering {
    public static func render(_ report: QuarterlyReport, channels: ChannelCatalog = .standard) -> String {
        var out = "Quarterly satisfaction report \(report.quarter)"
        if let centre = report.centre { out += ", centre \(centre)" }
        if let entity = report.entity { out += ", entity \(entity)" }
        if let channel = report.channel { out += ", channel \(channel)" }
        out += "\nTime zone \(report.timeZone); thresholds under the \(report.reading.rawValue) reading; "
        out += "figures from fewer than \(report.minimumResponses) responses are marked as too few.\n\n"
        if report.groups.isEmpty {
            out += "No responses in \(report.quarter) for this selection.\n"
            out += setAside(report)
            out += cases(report)
            out += reach(report)
            return out
        }
        let header = ["Centre", "Channel", "Responses", "Mean", "≥3", "≥4", "3 in 80%", "4 in 80%", "Mean ≥ 4", "Δ mean", "Δ ≥4"]
        out += "Per channel\n"
        out += table(header: header, rows: report.groups.map { row($0) }, rightAligned: [2, 3, 4, 5, 9, 10])
        out += "\nPer centre (all channels)\n"
        out += table(header: header, rows: report.centres.map { row($0) }, rightAligned: [2, 3, 4, 5, 9, 10])
        out += """

            ≥3, ≥4: share of ratings of at least 3 / 4. Thresholds are decided exactly on counts: met or NOT MET;
            "met?" and "not met?" when the 95% interval straddles the threshold (inconclusive); "too few" under
            the minimum sample. Δ: change against the previous quarter; * where the change of the share of
            ratings 4-5 is significant at 95% (two-proportion test).

            """
        out += setAside(report)
        out += cases(report)
        out += reach(report)
        return out
    }

    /// Each channel's responses beside the customers it served (as imported), with the response rate; nothing when no
    /// count of customers served was imported for the quarter.
    static func reach(_ report: QuarterlyReport) -> String {
        guard let items = report.reach, !items.isEmpty else { return "" }
        var out = "\nResponse rates (responses ÷ customers served, as imported with rida import --kind served; invitations answered ÷ sent)\n"
        for item in items { out += "  \(item.centre) \(item.channel): \(ReportNumber.reach(item))\n" }
        return out
    }

    /// The follow-up cases opened for the quarter's responses, per centre and channel; nothing when none was.
    static func cases(_ report: QuarterlyReport) -> String {
        guard let counts = report.cases, !counts.isEmpty else { return "" }
        let asOf = report.casesAsOf.map { " as of \($0.iso8601)" } ?? ""
        var out = "\nFollow-up cases (customers who asked to be contacted\(asOf); rida cases lists them)\n"
        out += table(header: ["Centre", "Channel", "Opened", "In time", "Late", "Not yet due"],
                     rows: counts.map { [$0.centre, $0.channel, String($0.opened), String($0.inTime), String($0.late), String($0.pending)] },
                     rightAligned: [2, 3, 4, 5])
        out += "In time: resolved, or closed without contact, by the due time (working days); late: finished after it, or still open past it.\n"
        return out
    }

    /// The responses the misuse rules set aside, per centre, channel and rule; nothing when none was.
    static func setAside(_ report: QuarterlyReport) -> String {
        guard let counts = report.setAside, !counts.isEmpty else { return "" }
        let total = counts.reduce(0) { $0 + $1.responses }
        var out = "\nSet aside by the misuse rules (\(total) responses, kept but in none of the figures above; rida misuse lists and reinstates them)\n"
        out += table(header: ["Centre", "Channel", "Rule", "Responses", "Why"],
                     rows: counts.map { [$0.centre, $0.channel, $0.rule.rawValue, String($0.responses), $0.rule.sentence] },
                     rightAligned: [3])
        return out
    }

    static func row(_ f: Figures) -> [String] {
        [
            f.centre, f.channel ?? "all", "\(f.responses)", f.mean.map { String(format: "%.2f", $0) } ?? "–",
            percent(f.share3), percent(f.share4),
            verdict(f.thresholds.atLeast3In80Percent, f.confidence.atLeast3In80Percent),
            verdict(f.thresholds.atLeast4In80Percent, f.confidence.atLeast4In80Percent),
            verdict(f.thresholds.meanAtLeast4, f.confidence.meanAtLeast4),
            f.change?.mean.map { String(format: "%+.2f", $0) } ?? "",
            f.change?.share4.map { String(format: "%+.1f", $0 * 100) + ((f.change?.share4Test?.significant ?? false) ? "*" : "") } ?? "",
        ]
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }

    static func verdict(_ met: Bool?, _ confidence: Confidence) -> String {
        switch confidence {
        case .tooFewResponses: return "too few"
        case .inconclusive: return met == true ? "met?" : "not met?"
        case .met: return "met"
        case .notMet: return "NOT MET"
        }
    }

    /// A plain-text table; `rightAligned` lists the columns that hold numbers.
    public static func table(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "─", count: $0) }) + rows.map(line).joined()
    }
}
