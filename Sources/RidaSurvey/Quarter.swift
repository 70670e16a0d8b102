import Foundation

/// A calendar quarter, `2026-Q1` (January to March).
public struct Quarter: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public var year: Int
    /// 1 to 4.
    public var number: Int

    public init(year: Int, number: Int) {
        precondition((1...4).contains(number), "a quarter is numbered 1 to 4")
        self.year = year
        self.number = number
    }

    /// Reads `2026-Q1`; also `2026Q1`, `2026-q1` and `Q1-2026`. Nil for anything else.
    public init?(_ text: String) {
        let upper = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts: (String, String)
        if upper.hasPrefix("Q"), let dash = upper.firstIndex(of: "-") {
            parts = (String(upper[upper.index(after: dash)...]), String(upper[upper.index(after: upper.startIndex)..<dash]))
        } else if let q = upper.firstIndex(of: "Q") {
            var yearPart = String(upper[..<q])
            if yearPart.hasSuffix("-") { yearPart.removeLast() }
            parts = (yearPart, String(upper[upper.index(after: q)...]))
        } else {
            return nil
        }
        guard parts.0.count == 4, parts.1.count == 1,
              let year = Int(parts.0), let number = Int(parts.1), (1...4).contains(number) else { return nil }
        self.init(year: year, number: number)
    }

    /// The sentence shown when a quarter is spelled in a way Rida does not read.
    public static func spellingProblem(_ text: String) -> String {
        "\"\(text)\" is not a quarter; write it as YEAR-Qn, for example 2026-Q1"
    }

    public var description: String { "\(year)-Q\(number)" }

    public var previous: Quarter {
        number == 1 ? Quarter(year: year - 1, number: 4) : Quarter(year: year, number: number - 1)
    }

    public var next: Quarter {
        number == 4 ? Quarter(year: year + 1, number: 1) : Quarter(year: year, number: number + 1)
    }

    public var firstDay: CivilDate { CivilDate(year: year, month: (number - 1) * 3 + 1, day: 1) }

    /// This quarter and the `count - 1` before it, oldest first.
    public func trailing(_ count: Int) -> [Quarter] {
        var quarters = [self]
        while quarters.count < count { quarters.append(quarters[quarters.count - 1].previous) }
        return quarters.reversed()
    }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let quarter = Quarter(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Quarter.spellingProblem(text))
        }
        self = quarter
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
