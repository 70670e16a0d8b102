import RidaSurvey

/// The free-text answer a breakdown groups responses by.
public enum BreakdownDimension: String, Codable, Sendable, CaseIterable {
    /// q5: the name of the service used.
    case service
    /// q6: the service counter's number or the electronic channel's name.
    case counter
}

/// One value of a breakdown (a service, a counter) with its figures, or suppressed.
public struct BreakdownRow: Sendable, Hashable, Codable {
    public var value: String
    /// Nil when the row is suppressed: nothing about it is shown, not even its number of responses.
    public var figures: Figures?

    public var suppressed: Bool { figures == nil }

    public init(value: String, figures: Figures?) {
        self.value = value
        self.figures = figures
    }
}

/// One centre's responses in a quarter broken down by service (q5) or counter (q6), over the channels in scope.
///
/// Cells with fewer than `minimumCell` responses are suppressed to protect staff and customers. When exactly one
/// cell is suppressed, the smallest shown cell is suppressed too, so the suppressed cell cannot be recovered
/// by subtracting the shown cells from the centre's total.
public struct Breakdown: Sendable, Hashable, Codable {
    public var dimension: BreakdownDimension
    public var centre: String
    public var quarter: Quarter
    /// The smallest number of responses a shown cell has.
    public var minimumCell: Int
    /// Shown rows by responses (most first) then value, then the suppressed rows by value.
    public var rows: [BreakdownRow]

    /// Fewer responses than this and a cell is not shown.
    public static let defaultMinimumCell = 10

    /// Builds the breakdown from each value's counts; `Figures` computes every shown cell's figures.
    public init(
        dimension: BreakdownDimension, centre: String, quarter: Quarter, counts: [String: Counts],
        policy: ThresholdPolicy, minimumCell: Int = Breakdown.defaultMinimumCell
    ) {
        self.dimension = dimension
        self.centre = centre
        self.quarter = quarter
        self.minimumCell = minimumCell
        let present = counts.filter { $0.value.responses > 0 }
        var hidden = Set(present.filter { $0.value.responses < minimumCell }.map(\.key))
        if hidden.count == 1 {
            // Secondary suppression: one hidden cell would be the total less the shown ones.
            let smallest = present.filter { !hidden.contains($0.key) }.min {
                ($0.value.responses, $0.key) < ($1.value.responses, $1.key)
            }
            if let smallest { hidden.insert(smallest.key) }
        }
        let shown = present.filter { !hidden.contains($0.key) }.sorted {
            ($1.value.responses, $0.key) < ($0.value.responses, $1.key)
        }
        rows = shown.map { value, counts in
            BreakdownRow(value: value, figures: Figures(centre: centre, channel: nil, quarter: quarter, counts: counts,
                                                        previous: nil, policy: policy))
        } + hidden.sorted().map { BreakdownRow(value: $0, figures: nil) }
    }

    /// How many rows are suppressed.
    public var suppressedCount: Int { rows.filter(\.suppressed).count }
}
