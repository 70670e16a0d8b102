import Foundation
import RidaAggregation
import RidaSurvey

/// The report as CSV: one row per centre × channel with every figure of the JSON format,
/// columns named by their JSON paths. Starts with a UTF-8 BOM so spreadsheet programs read Arabic right.
/// The channel's reach (customers served, invitations; issue 15), the responses set aside by rule and the follow-up
/// cases (issue 16) are columns of the same row; a centre × channel with reach or cases but no response gets a row of
/// its own, its figures empty and `responses` 0.
public enum CSVRendering {
    public static let byteOrderMark = "\u{FEFF}"

    public static var header: [String] {
        var columns = ["quarter", "centre", "channel", "responses", "ratings", "mean"]
        for q in 1...4 {
            columns += ["questions.q\(q).answers", "questions.q\(q).mean"]
            columns += (1...5).map { "questions.q\(q).counts.\($0)" }
        }
        columns += [
            "share3", "share3Interval.low", "share3Interval.high", "share4", "share4Interval.low", "share4Interval.high",
            "questionShare3", "questionShare4", "meanInterval.low", "meanInterval.high",
            "thresholds.atLeast3In80Percent", "thresholds.atLeast4In80Percent", "thresholds.meanAtLeast4",
            "confidence.atLeast3In80Percent", "confidence.atLeast4In80Percent", "confidence.meanAtLeast4",
            "sufficient", "stages.before", "stages.during", "stages.after",
            "change.previousQuarter", "change.previousResponses", "change.mean", "change.share3", "change.share4",
            "change.share3Test.z", "change.share3Test.significant", "change.share4Test.z", "change.share4Test.significant",
        ]
        columns += extraColumns
        return columns
    }

    /// The columns after the figures: reach, set-aside counts and cases, per centre × channel.
    static let extraColumns = [
        "reach.customersServed", "reach.responseRate", "reach.invitationsSent", "reach.invitationsOpened",
        "reach.invitationsAnswered", "reach.invitationRate",
        "setAside.burst", "setAside.identical", "setAside.too-fast",
        "cases.opened", "cases.inTime", "cases.late", "cases.pending",
    ]

    public static func render(_ report: QuarterlyReport) -> String {
        var out = byteOrderMark + row(header)
        var seen = Set<String>()
        for figures in report.groups {
            seen.insert(key(figures.centre, figures.channel ?? ""))
            out += row(values(figures) + extras(report, centre: figures.centre, channel: figures.channel ?? ""))
        }
        // Channels reached (invitations sent, customers served) or with cases, but without a counted response.
        var others: [(centre: String, channel: String)] = []
        for pair in (report.reach ?? []).map({ ($0.centre, $0.channel) }) + (report.cases ?? []).map({ ($0.centre, $0.channel) })
            + (report.setAside ?? []).map({ ($0.centre, $0.channel) }) where !seen.contains(key(pair.0, pair.1)) {
            seen.insert(key(pair.0, pair.1))
            others.append(pair)
        }
        let width = header.count - extraColumns.count
        for (centre, channel) in others.sorted(by: { ($0.centre, $0.channel) < ($1.centre, $1.channel) }) {
            var cells = Array(repeating: "", count: width)
            cells[0] = report.quarter.description
            cells[1] = centre
            cells[2] = channel
            cells[3] = "0"
            cells[4] = "0"
            out += row(cells + extras(report, centre: centre, channel: channel))
        }
        return out
    }

    static func key(_ centre: String, _ channel: String) -> String { centre + "\u{0}" + channel }

    static func extras(_ report: QuarterlyReport, centre: String, channel: String) -> [String] {
        let reach = report.reach?.first { $0.centre == centre && $0.channel == channel }
        let aside = (report.setAside ?? []).filter { $0.centre == centre && $0.channel == channel }
        func asideCount(_ rule: MisuseRule) -> String {
            aside.isEmpty ? "" : "\(aside.filter { $0.rule == rule }.reduce(0) { $0 + $1.responses })"
        }
        let cases = report.cases?.first { $0.centre == centre && $0.channel == channel }
        return [
            reach?.customersServed.map(String.init) ?? "", number(reach?.responseRate?.value),
            reach?.invitationsSent.map(String.init) ?? "", reach?.invitationsOpened.map(String.init) ?? "",
            reach?.invitationsAnswered.map(String.init) ?? "", number(reach?.invitationRate?.value),
            asideCount(.burst), asideCount(.identical), asideCount(.tooFast),
            cases.map { "\($0.opened)" } ?? "", cases.map { "\($0.inTime)" } ?? "", cases.map { "\($0.late)" } ?? "",
            cases.map { "\($0.pending)" } ?? "",
        ]
    }

    static func values(_ f: Figures) -> [String] {
        var values = [f.quarter.description, f.centre, f.channel ?? "", "\(f.responses)", "\(f.ratings)", number(f.mean)]
        for q in 1...4 {
            let question = f.questions["q\(q)"]
            values += [question.map { "\($0.answers)" } ?? "", number(question?.mean)]
            values += (0..<5).map { i in question.map { "\($0.counts[i])" } ?? "" }
        }
        values += [
            number(f.share3), number(f.share3Interval?.low), number(f.share3Interval?.high),
            number(f.share4), number(f.share4Interval?.low), number(f.share4Interval?.high),
            number(f.questionShare3), number(f.questionShare4), number(f.meanInterval?.low), number(f.meanInterval?.high),
            flag(f.thresholds.atLeast3In80Percent), flag(f.thresholds.atLeast4In80Percent), flag(f.thresholds.meanAtLeast4),
            f.confidence.atLeast3In80Percent.rawValue, f.confidence.atLeast4In80Percent.rawValue, f.confidence.meanAtLeast4.rawValue,
            flag(f.sufficient), "\(f.stages.before)", "\(f.stages.during)", "\(f.stages.after)",
            f.change?.previousQuarter.description ?? "", f.change.map { "\($0.previousResponses)" } ?? "",
            number(f.change?.mean), number(f.change?.share3), number(f.change?.share4),
            number(f.change?.share3Test?.z), flag(f.change?.share3Test?.significant),
            number(f.change?.share4Test?.z), flag(f.change?.share4Test?.significant),
        ]
        return values
    }

    static func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
    static func flag(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "" }

    /// One CSV line through `Escaping.csvRow`: cells a spreadsheet would read as formulas neutralised, numbers kept,
    /// fields quoted where they hold a comma, quote or line break.
    public static func row(_ fields: [String]) -> String {
        Escaping.csvRow(fields)
    }
}
