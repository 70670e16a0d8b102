import Foundation
import RidaAggregation
import RidaSurvey

/// The report as CSV: one row per centre × channel with every figure of the JSON format,
/// columns named by their JSON paths. Starts with a UTF-8 BOM so spreadsheet programs read Arabic right.
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
        return columns
    }

    public static func render(_ report: QuarterlyReport) -> String {
        var out = byteOrderMark + row(header)
        for figures in report.groups { out += row(values(figures)) }
        return out
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
