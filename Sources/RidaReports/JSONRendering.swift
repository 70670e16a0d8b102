import Foundation
import RidaAggregation

/// The report as JSON: the documented public format of `docs/report-format.md`. Numbers unrounded.
public enum JSONRendering {
    public static func render(_ report: QuarterlyReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
